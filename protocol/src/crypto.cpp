#include <wblab/protocol/crypto.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <ctime>
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

}  // namespace

struct KeyPair::Impl {
    PkeyPtr key;
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

std::string KeyPair::publicKeyPem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), impl_->key.get());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

Expected<std::string> KeyPair::open(const Sealed& sealed) const {
    if (sealed.algorithm != kSealAlgorithm) {
        return makeError(ErrorCode::ProtocolViolation,
                         "unsupported algorithm '" + sealed.algorithm + "'");
    }
    auto cipher = base64Decode(sealed.data);
    if (!cipher) {
        return makeError(ErrorCode::ProtocolViolation, "sealed data is not base64");
    }
    CtxPtr ctx(EVP_PKEY_CTX_new(impl_->key.get(), nullptr));
    std::size_t outLen = 0;
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || !setOaep(ctx.get()) ||
        EVP_PKEY_decrypt(ctx.get(), nullptr, &outLen, cipher->data(), cipher->size()) <= 0) {
        return makeError(ErrorCode::ProtocolViolation, "cannot decrypt the sealed data");
    }
    std::string out(outLen, '\0');
    if (EVP_PKEY_decrypt(ctx.get(),
                         reinterpret_cast<unsigned char*>(out.data()),
                         &outLen,
                         cipher->data(),
                         cipher->size()) <= 0) {
        return makeError(ErrorCode::ProtocolViolation, "cannot decrypt the sealed data");
    }
    out.resize(outLen);
    return out;
}

Expected<Sealed> seal(std::string_view publicKeyPem, std::string_view plaintext) {
    if (plaintext.size() > kMaxSealedBytes) {
        return makeError(ErrorCode::InvalidInput, "secret longer than 190 bytes cannot be sealed");
    }
    BioPtr bio(BIO_new_mem_buf(publicKeyPem.data(), static_cast<int>(publicKeyPem.size())));
    PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA ||
        EVP_PKEY_get_bits(key.get()) < 2048) {
        return makeError(ErrorCode::ProtocolViolation,
                         "public_key is not an RSA public key of at least 2048 bits in PEM form");
    }
    CtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
    std::size_t outLen = 0;
    auto in = reinterpret_cast<const unsigned char*>(plaintext.data());
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 || !setOaep(ctx.get()) ||
        EVP_PKEY_encrypt(ctx.get(), nullptr, &outLen, in, plaintext.size()) <= 0) {
        return makeError(ErrorCode::Internal, "RSA-OAEP encryption failed");
    }
    std::vector<unsigned char> out(outLen);
    if (EVP_PKEY_encrypt(ctx.get(), out.data(), &outLen, in, plaintext.size()) <= 0) {
        return makeError(ErrorCode::Internal, "RSA-OAEP encryption failed");
    }
    return Sealed{kSealAlgorithm, base64Encode(out.data(), outLen)};
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
