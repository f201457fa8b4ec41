#include <wblab/protocol/crypto.hpp>

#include <catch2/catch.hpp>

using namespace wblab::protocol;

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
    auto keys = KeyPair::generate();
    REQUIRE(keys);
    CHECK_FALSE(seal(keys->publicKeyPem(), std::string(kMaxSealedBytes + 1, 'x')));
    CHECK(seal(keys->publicKeyPem(), std::string(kMaxSealedBytes, 'x')));
}

TEST_CASE("open refuses an unknown algorithm and corrupt data", "[protocol][crypto]") {
    auto keys = KeyPair::generate();
    REQUIRE(keys);
    CHECK_FALSE(keys->open(Sealed{"plain", "secret"}));
    CHECK_FALSE(keys->open(Sealed{"RSA-OAEP-256", "!!!!"}));
    CHECK_FALSE(keys->open(Sealed{"RSA-OAEP-256", "QUJD"}));
}

TEST_CASE("UTC timestamps format and parse symmetrically", "[protocol][time]") {
    CHECK(formatUtc(0) == "1970-01-01T00:00:00Z");
    CHECK(formatUtc(1795577564) == "2026-11-25T03:32:44Z");
    CHECK(parseUtc("2026-11-25T03:32:44Z") == 1795577564);
    CHECK_FALSE(parseUtc("2026-11-25 04:12:44"));
    CHECK_FALSE(parseUtc("yesterday"));
}
