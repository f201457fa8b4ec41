#include <wblab/protocol/crypto.hpp>
#include <wblab/support/files.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <sys/stat.h>
#include <thread>

using namespace wblab::protocol;

namespace {

/// 250 characters, many of them multi-byte in UTF-8 (2, 3 and 4 bytes): 496 bytes, more than
/// twice what one RSA-OAEP envelope carries.
std::string longPassword() {
    std::string out = "Aa1!";
    const char* pieces[] = {"\u00e9", "\u00df", "\u6f22", "\U0001F642", "x", "Z", "7"};
    for (std::size_t i = 0; out.size() < 10000 && utf8Characters(out).value() < 250; ++i) {
        out += pieces[i % 7];
    }
    return out;
}

/// The KeyPair every test may share: key generation costs a prime search.
const KeyPair& sharedKeys() {
    static auto keys = KeyPair::generate();
    REQUIRE(keys);
    return *keys;
}

}  // namespace

TEST_CASE("A sealed password opens with the matching key only", "[protocol][crypto]") {
    auto keys = KeyPair::generate();
    REQUIRE(keys);
    auto other = KeyPair::generate();
    REQUIRE(other);
    auto pem = keys->publicKeyPem();
    CHECK_THAT(pem, Catch::StartsWith("-----BEGIN PUBLIC KEY-----"));
    auto sealed = seal(pem, "N3w-Passw0rd!");
    REQUIRE(sealed);
    CHECK(sealed->algorithm == "RSA-OAEP-256");
    CHECK(sealed->data.find("N3w-Passw0rd!") == std::string::npos);
    auto opened = keys->open(*sealed);
    REQUIRE(opened);
    CHECK(*opened == "N3w-Passw0rd!");
    CHECK_FALSE(other->open(*sealed));
}

TEST_CASE("Sealing the same password twice gives different ciphertexts", "[protocol][crypto]") {
    auto keys = KeyPair::generate();
    REQUIRE(keys);
    auto a = seal(keys->publicKeyPem(), "same");
    auto b = seal(keys->publicKeyPem(), "same");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->data != b->data);  // OAEP is randomised: no equality leak between requests
}

TEST_CASE("seal refuses a bad key and an over-long secret", "[protocol][crypto]") {
    CHECK_FALSE(seal("not a key", "pw"));
    CHECK_FALSE(seal("not a key", "pw", kProtocolV2, "id:new_password"));
    const auto pem = sharedKeys().publicKeyPem();
    CHECK_FALSE(seal(pem, std::string(kMaxSealedBytes + 1, 'x')));
    CHECK(seal(pem, std::string(kMaxSealedBytes, 'x')));
    CHECK(seal(pem, std::string(kMaxPasswordCharacters, 'x'), kProtocolV2, "c"));
    auto tooLong = seal(pem, std::string(kMaxPasswordCharacters + 1, 'x'), kProtocolV2, "c");
    REQUIRE_FALSE(tooLong);
    CHECK(tooLong.error().code == wblab::ErrorCode::InvalidInput);
    CHECK_FALSE(seal(pem, "pw", 3));
}

TEST_CASE("Sealing to several keys in turn seals each to its own key", "[protocol][crypto]") {
    // seal() keeps the last few parsed keys for every thread: more keys than it keeps,
    // interleaved, must each still get envelopes only they open, and a bad key after good ones
    // is refused; threads sealing at once to two keys each get their own key's envelopes.
    std::vector<KeyPair> keys;
    for (int i = 0; i < 6; ++i) {
        auto made = KeyPair::generate();
        REQUIRE(made);
        keys.push_back(std::move(*made));
    }
    for (int round = 0; round < 2; ++round) {
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const std::size_t k = round == 0 ? i : keys.size() - 1 - i;
            auto sealed = seal(keys[k].publicKeyPem(), "Pw-" + std::to_string(k), kProtocolV2, "c");
            REQUIRE(sealed);
            for (std::size_t j = 0; j < keys.size(); ++j) {
                auto opened = keys[j].open(*sealed, "c");
                INFO("sealed to key " << k << ", opened with key " << j);
                CHECK(static_cast<bool>(opened) == (j == k));
                if (opened) {
                    CHECK(*opened == "Pw-" + std::to_string(k));
                }
            }
        }
        CHECK_FALSE(seal("not a key", "pw", kProtocolV2, "c"));
    }
    std::vector<std::vector<Sealed>> byThread(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < byThread.size(); ++t) {
        threads.emplace_back([&, t] {
            for (std::size_t i = 0; i < 20; ++i) {
                if (auto sealed = seal(keys[i % 2].publicKeyPem(), "Pw-x", kProtocolV2, "c")) {
                    byThread[t].push_back(*sealed);
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (const auto& sealedByOne : byThread) {
        REQUIRE(sealedByOne.size() == 20);
        for (std::size_t i = 0; i < sealedByOne.size(); ++i) {
            CHECK(keys[i % 2].open(sealedByOne[i], "c").value() == "Pw-x");
            CHECK_FALSE(keys[1 - i % 2].open(sealedByOne[i], "c"));
        }
    }
}

TEST_CASE("A 250-character password round-trips through the version 2 envelope",
          "[protocol][crypto][v2]") {
    const auto password = longPassword();
    REQUIRE(utf8Characters(password) == 250);
    REQUIRE(password.size() == 496);
    const auto& keys = sharedKeys();
    const auto context = sealContext("req-1", "new_password");
    CHECK(context == "req-1:new_password");
    auto sealed = seal(keys.publicKeyPem(), password, kProtocolV2, context);
    REQUIRE(sealed);
    CHECK(sealed->algorithm == "RSA-OAEP-256+A256GCM");
    // The parts have the sizes the document gives: a 2048-bit wrapped key, a 96-bit nonce, a
    // 128-bit tag, and a ciphertext as long as the password.
    CHECK(sealed->key.size() == 344);  // base64 of 256 bytes
    CHECK(sealed->iv.size() == 16);    // base64 of 12 bytes
    CHECK(sealed->tag.size() == 24);   // base64 of 16 bytes
    CHECK(sealed->data.size() == 4 * ((password.size() + 2) / 3));
    CHECK(sealed->data.find("Aa1!") == std::string::npos);
    auto opened = keys.open(*sealed, context);
    REQUIRE(opened);
    CHECK(*opened == password);
    // A fresh key and nonce every time: nothing equal between two sealings of one password.
    auto again = seal(keys.publicKeyPem(), password, kProtocolV2, context);
    REQUIRE(again);
    CHECK(again->key != sealed->key);
    CHECK(again->iv != sealed->iv);
    CHECK(again->data != sealed->data);
}

TEST_CASE("Tampering with any part of a version 2 envelope is detected", "[protocol][crypto][v2]") {
    const auto& keys = sharedKeys();
    const auto context = sealContext("req-2", "new_password");
    auto sealed = seal(keys.publicKeyPem(), "N3w-Passw0rd!", kProtocolV2, context);
    REQUIRE(sealed);
    REQUIRE(keys.open(*sealed, context));

    // Flips one bit in the first byte a base64 text encodes, keeping it valid base64.
    auto flip = [](std::string& b64) { b64[0] = b64[0] == 'A' ? 'B' : 'A'; };

    struct Case {
        const char* what;
        std::function<void(Sealed&)> tamper;
    };

    auto c = GENERATE_COPY(Case{"tag", [&](Sealed& s) { flip(s.tag); }},
                           Case{"nonce", [&](Sealed& s) { flip(s.iv); }},
                           Case{"wrapped key", [&](Sealed& s) { flip(s.key); }},
                           Case{"ciphertext", [&](Sealed& s) { flip(s.data); }},
                           Case{"truncated tag", [](Sealed& s) { s.tag = s.tag.substr(0, 12); }},
                           Case{"missing nonce", [](Sealed& s) { s.iv.clear(); }},
                           Case{"algorithm", [](Sealed& s) { s.algorithm = "RSA-OAEP-256"; }});
    INFO(c.what);
    Sealed bad = *sealed;
    c.tamper(bad);
    auto opened = keys.open(bad, context);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == wblab::ErrorCode::ProtocolViolation);
}

TEST_CASE("A version 2 secret opens only in the request and field it was sealed for",
          "[protocol][crypto][v2]") {
    const auto& keys = sharedKeys();
    auto sealed =
        seal(keys.publicKeyPem(), "N3w-Passw0rd!", kProtocolV2, sealContext("a", "new_password"));
    REQUIRE(sealed);
    CHECK(keys.open(*sealed, sealContext("a", "new_password")));
    CHECK_FALSE(keys.open(*sealed, sealContext("b", "new_password")));
    CHECK_FALSE(keys.open(*sealed, sealContext("a", "old_password")));
    CHECK_FALSE(keys.open(*sealed));
}

TEST_CASE("utf8Characters counts code points and refuses what is not UTF-8", "[protocol][crypto]") {
    CHECK(utf8Characters("") == 0u);
    CHECK(utf8Characters("abc") == 3u);
    CHECK(utf8Characters("\u00e9\u6f22\U0001F642") == 3u);  // 2 + 3 + 4 bytes
    CHECK_FALSE(utf8Characters("\xC3"));                    // cut short
    CHECK_FALSE(utf8Characters("\xC0\xAF"));                // overlong '/'
    CHECK_FALSE(utf8Characters("\xED\xA0\x80"));            // a surrogate
    CHECK_FALSE(utf8Characters("\xF4\x90\x80\x80"));        // past U+10FFFF
    CHECK_FALSE(utf8Characters("\x80"));                    // a continuation byte first
    CHECK_FALSE(utf8Characters("\xFF"));
}

TEST_CASE("fitsVersion: 190 bytes for version 1, 256 characters for version 2",
          "[protocol][crypto]") {
    CHECK(fitsVersion(std::string(190, 'x'), kProtocolV1));
    CHECK_FALSE(fitsVersion(std::string(191, 'x'), kProtocolV1));
    // 64 four-byte characters: 256 bytes, 64 characters.
    std::string smileys;
    for (int i = 0; i < 64; ++i) {
        smileys += "\U0001F642";
    }
    CHECK_FALSE(fitsVersion(smileys, kProtocolV1));
    CHECK(fitsVersion(smileys, kProtocolV2));
    const auto password = longPassword();
    CHECK_FALSE(fitsVersion(password, kProtocolV1));
    CHECK(fitsVersion(password, kProtocolV2));
    std::string max;
    for (std::size_t i = 0; i < kMaxPasswordCharacters; ++i) {
        max += "\u00e9";
    }
    CHECK(fitsVersion(max, kProtocolV2));
    CHECK_FALSE(fitsVersion(max + "x", kProtocolV2));
    CHECK_FALSE(fitsVersion("bad \xC3", kProtocolV2));
    CHECK(fitsVersion("bad \xC3", kProtocolV1));  // version 1 carries bytes
    CHECK_FALSE(fitsVersion("pw", 0));
    CHECK_FALSE(fitsVersion("pw", 3));
}

TEST_CASE("open refuses an unknown algorithm and corrupt data", "[protocol][crypto]") {
    auto keys = KeyPair::generate();
    REQUIRE(keys);
    CHECK_FALSE(keys->open(Sealed{"plain", "secret", "", "", ""}));
    CHECK_FALSE(keys->open(Sealed{"RSA-OAEP-256", "!!!!", "", "", ""}));
    CHECK_FALSE(keys->open(Sealed{"RSA-OAEP-256", "QUJD", "", "", ""}));
    CHECK_FALSE(keys->open(Sealed{"RSA-OAEP-256+A256GCM", "QUJD", "QUJD", "QUJD", "QUJD"}));
}

TEST_CASE("UTC timestamps format and parse symmetrically", "[protocol][time]") {
    CHECK(formatUtc(0) == "1970-01-01T00:00:00Z");
    CHECK(formatUtc(1795577564) == "2026-11-25T03:32:44Z");
    CHECK(parseUtc("2026-11-25T03:32:44Z") == 1795577564);
    CHECK_FALSE(parseUtc("2026-11-25 04:12:44"));
    CHECK_FALSE(parseUtc("yesterday"));
}

TEST_CASE("A saved key pair loads as the same key, readable by its owner only",
          "[protocol][crypto]") {
    auto dir = wblab::RunDirectory::create("crypto-test");
    REQUIRE(dir);
    const std::string path = dir->path() + "/agent.key";
    CHECK(KeyPair::load(path).error().code == wblab::ErrorCode::NotFound);
    REQUIRE(sharedKeys().save(path));

    struct stat st {};

    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto loaded = KeyPair::load(path);
    REQUIRE(loaded);
    CHECK(loaded->publicKeyPem() == sharedKeys().publicKeyPem());
    // What the saved key seals, the loaded one opens (it is the private half, not just the
    // public one).
    const auto context = sealContext("00000000-0000-4000-8000-000000000001", "new_password");
    auto sealed = seal(sharedKeys().publicKeyPem(), "Kept-Passw0rd!", kProtocolV2, context);
    REQUIRE(sealed);
    CHECK(loaded->open(*sealed, context).value() == "Kept-Passw0rd!");

    SECTION("a file others may read is refused") {
        REQUIRE(::chmod(path.c_str(), 0644) == 0);
        auto refused = KeyPair::load(path);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == wblab::ErrorCode::InvalidInput);
        CHECK_THAT(refused.error().message, Catch::Contains("only its owner"));
    }
    SECTION("a file that is not a private key is refused") {
        REQUIRE(wblab::writeFileAtomically(path, sharedKeys().publicKeyPem()));
        REQUIRE(::chmod(path.c_str(), 0600) == 0);
        auto refused = KeyPair::load(path);
        REQUIRE_FALSE(refused);
        CHECK_THAT(refused.error().message, Catch::Contains("RSA private key of at least 2048"));
    }
    SECTION("saving again replaces the file whole") {
        auto other = KeyPair::generate();
        REQUIRE(other);
        REQUIRE(other->save(path));
        CHECK(KeyPair::load(path).value().publicKeyPem() == other->publicKeyPem());
    }
}
