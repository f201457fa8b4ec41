#include <wblab/protocol/crypto.hpp>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace wblab::protocol {

namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

struct CtxFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};

struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string base64Encode(const unsigned char* data, std::size_t size) {
    std::string out(4 * ((size + 2) / 3), '\0');
    int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::vector<unsigned char>> base64Decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::vector<unsigned char> out(3 * text.size() / 4 + 1);
    int n = EVP_DecodeBlock(out.data(),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) {
        return std::nullopt;
    }
    std::size_t size = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts '=' padding as zero bytes.
    for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) {
        --size;
    }
    out.resize(size);
    return out;
}

bool setOaep(EVP_PKEY_CTX* ctx) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0;
}

using Bytes = std::vector<unsigned char>;

const unsigned char* bytesOf(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

constexpr int kAesKeyBytes = 32;  // AES-256
constexpr int kGcmNonceBytes = 12;
constexpr int kGcmTagBytes = 16;

/// Zeroes a buffer that held key material when it goes out of scope.
struct Wipe {
    Bytes& bytes;

    ~Wipe() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

struct CipherFree {
    void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};

using CipherPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

Expected<PkeyPtr> readPublicKey(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA ||
        EVP_PKEY_get_bits(key.get()) < 2048) {
        return makeError(ErrorCode::ProtocolViolation,
                         "public_key is not an RSA public key of at least 2048 bits in PEM form");
    }
    return key;
}

/// The public key in `pem`, parsed once for the last few keys: OpenSSL 3's PEM decoding costs
/// about 0.3 ms, twenty times the RSA encryption itself, and a run seals every request to the
/// same few agents' keys (from many threads: a storm seals on one per request in flight; an
/// EVP_PKEY may serve several encryptions at once).
Expected<std::shared_ptr<EVP_PKEY>> publicKeyFor(std::string_view pem) {
    constexpr std::size_t kKept = 4;
    static std::mutex lock;
    static std::vector<std::pair<std::string, std::shared_ptr<EVP_PKEY>>> recent;
    {
        std::lock_guard guard(lock);
        auto hit = std::find_if(
            recent.begin(), recent.end(), [&](const auto& entry) { return entry.first == pem; });
        if (hit != recent.end()) {
            std::rotate(recent.begin(), hit, hit + 1);  // most recent first
            return recent.front().second;
        }
    }
    WBLAB_TRY_ASSIGN(auto parsed, readPublicKey(pem), "");
    std::shared_ptr<EVP_PKEY> key(parsed.release(), EVP_PKEY_free);
    std::lock_guard guard(lock);
    if (recent.size() == kKept) {
        recent.pop_back();
    }
    recent.emplace(recent.begin(), std::string(pem), key);
    return key;
}

Expected<Bytes> rsaOaepEncrypt(EVP_PKEY* key, const unsigned char* in, std::size_t size) {
    CtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    std::size_t outLen = 0;
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 || !setOaep(ctx.get()) ||
        EVP_PKEY_encrypt(ctx.get(), nullptr, &outLen, in, size) <= 0) {
        return makeError(ErrorCode::Internal, "RSA-OAEP encryption failed");
    }
    Bytes out(outLen);
    if (EVP_PKEY_encrypt(ctx.get(), out.data(), &outLen, in, size) <= 0) {
        return makeError(ErrorCode::Internal, "RSA-OAEP encryption failed");
    }
    out.resize(outLen);
    return out;
}

Expected<Bytes> rsaOaepDecrypt(EVP_PKEY* key, const Bytes& cipher) {
    CtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    std::size_t outLen = 0;
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || !setOaep(ctx.get()) ||
        EVP_PKEY_decrypt(ctx.get(), nullptr, &outLen, cipher.data(), cipher.size()) <= 0) {
        return makeError(ErrorCode::ProtocolViolation, "cannot decrypt the sealed data");
    }
    Bytes out(outLen);
    if (EVP_PKEY_decrypt(ctx.get(), out.data(), &outLen, cipher.data(), cipher.size()) <= 0) {
        return makeError(ErrorCode::ProtocolViolation, "cannot decrypt the sealed data");
    }
    out.resize(outLen);
    return out;
}

/// The GCM operations both directions share: cipher, nonce length, key and nonce, then the
/// associated data.
bool gcmStart(EVP_CIPHER_CTX* ctx,
              bool encrypt,
              const Bytes& key,
              const Bytes& nonce,
              std::string_view context) {
    auto init = encrypt ? EVP_EncryptInit_ex : EVP_DecryptInit_ex;
    auto update = encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate;
    int len = 0;
    return init(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) > 0 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, kGcmNonceBytes, nullptr) > 0 &&
           init(ctx, nullptr, nullptr, key.data(), nonce.data()) > 0 &&
           update(ctx, nullptr, &len, bytesOf(context), static_cast<int>(context.size())) > 0;
}

struct GcmSealed {
    Bytes cipher;
    Bytes tag;
};

Expected<GcmSealed> gcmEncrypt(const Bytes& key,
                               const Bytes& nonce,
                               std::string_view context,
                               std::string_view plaintext) {
    CipherPtr ctx(EVP_CIPHER_CTX_new());
    GcmSealed out{Bytes(plaintext.size() + kGcmTagBytes), Bytes(kGcmTagBytes)};
    int len = 0;
    int tail = 0;
    if (!ctx || !gcmStart(ctx.get(), true, key, nonce, context) ||
        EVP_EncryptUpdate(ctx.get(),
                          out.cipher.data(),
                          &len,
                          bytesOf(plaintext),
                          static_cast<int>(plaintext.size())) <= 0 ||
        EVP_EncryptFinal_ex(ctx.get(), out.cipher.data() + len, &tail) <= 0 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagBytes, out.tag.data()) <= 0) {
        return makeError(ErrorCode::Internal, "AES-256-GCM encryption failed");
    }
    out.cipher.resize(static_cast<std::size_t>(len + tail));
    return out;
}

Expected<std::string> gcmDecrypt(const Bytes& key,
                                 const Bytes& nonce,
                                 std::string_view context,
                                 const Bytes& cipher,
                                 Bytes tag) {
    CipherPtr ctx(EVP_CIPHER_CTX_new());
    std::string out(cipher.size() + kGcmTagBytes, '\0');
    auto* outBytes = reinterpret_cast<unsigned char*>(out.data());
    int len = 0;
    int tail = 0;
    if (!ctx || !gcmStart(ctx.get(), false, key, nonce, context) ||
        EVP_DecryptUpdate(
            ctx.get(), outBytes, &len, cipher.data(), static_cast<int>(cipher.size())) <= 0 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, tag.data()) <= 0) {
        return makeError(ErrorCode::ProtocolViolation, "cannot decrypt the sealed data");
    }
    if (EVP_DecryptFinal_ex(ctx.get(), outBytes + len, &tail) <= 0) {
        OPENSSL_cleanse(out.data(), out.size());
        return makeError(ErrorCode::ProtocolViolation,
                         "the sealed data fails its authentication tag (tampered, or sealed for "
                         "another request)");
    }
    out.resize(static_cast<std::size_t>(len + tail));
    return out;
}

Expected<Sealed> sealV1(EVP_PKEY* key, std::string_view plaintext) {
    auto cipher = rsaOaepEncrypt(key, bytesOf(plaintext), plaintext.size());
    if (!cipher) {
        return cipher.error();
    }
    return Sealed{kSealAlgorithm, base64Encode(cipher->data(), cipher->size()), "", "", ""};
}

Expected<Sealed> sealV2(EVP_PKEY* key, std::string_view plaintext, std::string_view context) {
    Bytes aesKey(kAesKeyBytes);
    Wipe wipe{aesKey};
    Bytes nonce(kGcmNonceBytes);
    if (RAND_bytes(aesKey.data(), kAesKeyBytes) != 1 ||
        RAND_bytes(nonce.data(), kGcmNonceBytes) != 1) {
        return makeError(ErrorCode::Internal, "no random bytes for the AES key and nonce");
    }
    auto wrapped = rsaOaepEncrypt(key, aesKey.data(), aesKey.size());
    if (!wrapped) {
        return wrapped.error();
    }
    auto sealed = gcmEncrypt(aesKey, nonce, context, plaintext);
    if (!sealed) {
        return sealed.error();
    }
    return Sealed{kSealAlgorithmV2,
                  base64Encode(sealed->cipher.data(), sealed->cipher.size()),
                  base64Encode(wrapped->data(), wrapped->size()),
                  base64Encode(nonce.data(), nonce.size()),
                  base64Encode(sealed->tag.data(), sealed->tag.size())};
}

/// Decodes one base64 part of a sealed secret, of an exact size when `size` is not zero.
Expected<Bytes> part(const std::string& text, const char* name, std::size_t size = 0) {
    auto bytes = base64Decode(text);
    if (!bytes || (size != 0 && bytes->size() != size)) {
        return makeError(ErrorCode::ProtocolViolation,
                         std::string("sealed '") + name + "' is not base64" +
                             (size != 0 ? " of " + std::to_string(size) + " bytes" : ""));
    }
    return *bytes;
}

}  // namespace

struct KeyPair::Impl {
    PkeyPtr key;

    Expected<std::string> openV2(const Sealed& sealed, std::string_view context) const {
        auto wrapped = part(sealed.key, "key");
        auto nonce = part(sealed.iv, "iv", kGcmNonceBytes);
        auto tag = part(sealed.tag, "tag", kGcmTagBytes);
        auto cipher = part(sealed.data, "data");
        for (const Expected<Bytes>* p : {&wrapped, &nonce, &tag, &cipher}) {
            if (!*p) {
                return p->error();
            }
        }
        auto aesKey = rsaOaepDecrypt(key.get(), *wrapped);
        if (!aesKey) {
            return aesKey.error();
        }
        Wipe wipe{*aesKey};
        if (aesKey->size() != static_cast<std::size_t>(kAesKeyBytes)) {
            return makeError(ErrorCode::ProtocolViolation, "the wrapped key is not 32 bytes");
        }
        return gcmDecrypt(*aesKey, *nonce, context, *cipher, *tag);
    }
};

KeyPair::KeyPair(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KeyPair::KeyPair(KeyPair&&) noexcept = default;

KeyPair& KeyPair::operator=(KeyPair&&) noexcept = default;

KeyPair::~KeyPair() = default;

Expected<KeyPair> KeyPair::generate() {
    PkeyPtr key(EVP_RSA_gen(2048));
    if (!key) {
        return makeError(ErrorCode::Internal, "RSA-2048 key generation failed");
    }
    auto impl = std::make_unique<Impl>();
    impl->key = std::move(key);
    return KeyPair(std::move(impl));
}

Expected<KeyPair> KeyPair::load(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return makeError(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                         "cannot open " + path + ": " + std::strerror(errno));
    }

    struct stat st {};

    std::string pem;
    const bool statted = ::fstat(fd, &st) == 0;
    if (statted && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0 && st.st_size < 16384) {
        char buf[4096];
        for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
            pem.append(buf, static_cast<std::size_t>(n));
        }
        OPENSSL_cleanse(buf, sizeof buf);
    }
    ::close(fd);
    if (!statted || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        return makeError(ErrorCode::InvalidInput,
                         path + " is not a regular file that only its owner may read");
    }
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    OPENSSL_cleanse(pem.data(), pem.size());
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA ||
        EVP_PKEY_get_bits(key.get()) < 2048) {
        return makeError(ErrorCode::InvalidInput,
                         path + " does not hold an RSA private key of at least 2048 bits");
    }
    auto impl = std::make_unique<Impl>();
    impl->key = std::move(key);
    return KeyPair(std::move(impl));
}

Expected<void> KeyPair::save(const std::string& path) const {
    BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio || PEM_write_bio_PrivateKey(
                    bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return makeError(ErrorCode::Internal, "cannot encode the private key");
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return makeError(ErrorCode::Io, "cannot create " + tmp + ": " + std::strerror(errno));
    }
    bool written = true;
    for (long at = 0; written && at < len;) {
        const ssize_t n = ::write(fd, data + at, static_cast<std::size_t>(len - at));
        written = n > 0;
        at += n > 0 ? n : 0;
    }
    written = ::close(fd) == 0 && written;
    if (!written || std::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(tmp.c_str());
        return makeError(ErrorCode::Io, "cannot write " + path + ": " + why);
    }
    return {};
}

std::string KeyPair::publicKeyPem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), impl_->key.get());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

Expected<std::string> KeyPair::open(const Sealed& sealed, std::string_view context) const {
    if (sealed.algorithm == kSealAlgorithmV2) {
        return impl_->openV2(sealed, context);
    }
    if (sealed.algorithm != kSealAlgorithm) {
        return makeError(ErrorCode::ProtocolViolation,
                         "unsupported algorithm '" + sealed.algorithm + "'");
    }
    auto cipher = base64Decode(sealed.data);
    if (!cipher) {
        return makeError(ErrorCode::ProtocolViolation, "sealed data is not base64");
    }
    auto clear = rsaOaepDecrypt(impl_->key.get(), *cipher);
    if (!clear) {
        return clear.error();
    }
    return std::string(clear->begin(), clear->end());
}

std::string sealContext(std::string_view requestId, std::string_view field) {
    std::string out(requestId);
    out += ':';
    out += field;
    return out;
}

Expected<Sealed> seal(std::string_view publicKeyPem,
                      std::string_view plaintext,
                      int version,
                      std::string_view context) {
    if (version != kProtocolV1 && version != kProtocolV2) {
        return makeError(ErrorCode::InvalidInput,
                         "no envelope for protocol version " + std::to_string(version));
    }
    if (!fitsVersion(plaintext, version)) {
        return makeError(ErrorCode::InvalidInput,
                         version == kProtocolV1
                             ? "a secret longer than 190 bytes cannot be sealed for protocol 1"
                             : "a secret of more than 256 characters, or not UTF-8, cannot be "
                               "sealed for protocol 2");
    }
    WBLAB_TRY_ASSIGN(const auto key, publicKeyFor(publicKeyPem), "");
    return version == kProtocolV1 ? sealV1(key.get(), plaintext)
                                  : sealV2(key.get(), plaintext, context);
}

bool fitsVersion(std::string_view password, int version) {
    if (version == kProtocolV1) {
        return password.size() <= kMaxSealedBytes;
    }
    if (version == kProtocolV2) {
        auto characters = utf8Characters(password);
        return characters && *characters <= kMaxPasswordCharacters;
    }
    return false;
}

std::string formatUtc(std::int64_t epochSeconds) {
    std::time_t t = static_cast<std::time_t>(epochSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::optional<std::int64_t> parseUtc(std::string_view text) {
    if (text.size() != 20 || text[19] != 'Z') {
        return std::nullopt;
    }
    std::tm tm{};
    std::string s(text);
    const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == nullptr || *end != '\0') {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace wblab::protocol
