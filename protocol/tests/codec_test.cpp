#include <wblab/protocol/messages.hpp>

#include <catch2/catch.hpp>

using namespace wblab;
using namespace wblab::protocol;

namespace {

template <typename T>
T roundTrip(const T& message) {
    auto line = encode(message);
    REQUIRE(line.find('\n') == std::string::npos);
    auto decoded = decode(line);
    REQUIRE(decoded);
    REQUIRE(std::holds_alternative<T>(*decoded));
    return std::get<T>(*decoded);
}

}  // namespace

TEST_CASE("Hello survives an encode/decode round trip", "[protocol][codec]") {
    Hello h;
    h.directoryUrl = "ldapi://%2Ftmp%2Fx%2Fldapi";
    h.baseDn = "dc=testlab,dc=example";
    h.anchorAttribute = "mS-DS-ConsistencyGuid";
    h.flavour = "openldap-ad";
    h.connectorDn = "cn=MSOL_wblab,ou=Service,dc=testlab,dc=example";
    h.connectorPassword = "c0nnect0r";
    auto back = roundTrip(h);
    CHECK(back.directoryUrl == h.directoryUrl);
    CHECK(back.tlsCaFile.empty());
    CHECK(back.baseDn == h.baseDn);
    CHECK(back.anchorAttribute == h.anchorAttribute);
    CHECK(back.flavour == h.flavour);
    CHECK(back.connectorDn == h.connectorDn);
    CHECK(back.connectorPassword == h.connectorPassword);
    h.tlsCaFile = "/tmp/ca.pem";
    CHECK(roundTrip(h).tlsCaFile == "/tmp/ca.pem");
}

TEST_CASE("Ready, Answer, Bye and Heartbeat survive a round trip", "[protocol][codec]") {
    Ready r;
    r.agentName = "agent";
    r.agentVersion = "1.2";
    r.protocol = 2;
    r.capabilities = {"reset", "unlock_only"};
    r.publicKeyPem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    r.events = {31004, 31017, 31018, 31005};
    auto rb = roundTrip(r);
    CHECK(rb.agentName == "agent");
    CHECK(rb.protocol == 2);
    CHECK(rb.warnings.empty());
    CHECK(rb.capabilities == r.capabilities);
    CHECK(rb.publicKeyPem == r.publicKeyPem);
    CHECK(rb.events == r.events);

    Answer a{"id-1", Result::Failure, {31001, 31003, 33008}, 33008, "policy"};
    auto ab = roundTrip(a);
    CHECK(ab.id == "id-1");
    CHECK(ab.result == Result::Failure);
    CHECK(ab.events == a.events);
    CHECK(ab.reason == 33008);
    CHECK(ab.detail == "policy");

    CHECK(roundTrip(Bye{{31016}}).events == std::vector<int>{31016});
    CHECK(roundTrip(Heartbeat{{31019}}).events == std::vector<int>{31019});
    roundTrip(Shutdown{});
}

TEST_CASE("Request survives a round trip for every operation", "[protocol][codec]") {
    auto op = GENERATE(Operation::Reset,
                       Operation::Change,
                       Operation::AdminReset,
                       Operation::UnlockOnly,
                       Operation::ForcedChange);
    Request q;
    q.id = "req-9";
    q.operation = op;
    q.anchor = "0a041b94-62ca-a4a3-1bac-3567e0b6e6fd";
    q.upn = "user1@testlab.example";
    q.newPassword = Sealed{"RSA-OAEP-256", "QUJD", "", "", ""};
    q.oldPassword = Sealed{"RSA-OAEP-256+A256GCM", "REVG", "S0VZ", "SVY=", "VEFH"};
    q.unlock = true;
    q.mustChange = true;
    q.issuedAt = "2026-11-25T10:00:00Z";
    q.expiresAt = "2026-11-25T10:05:00Z";
    auto back = roundTrip(q);
    CHECK(back.operation == op);
    CHECK(back.anchor == q.anchor);
    CHECK(back.upn == q.upn);
    REQUIRE(back.newPassword);
    CHECK(back.newPassword->data == "QUJD");
    CHECK(back.newPassword->key.empty());
    REQUIRE(back.oldPassword);
    CHECK(back.oldPassword->algorithm == "RSA-OAEP-256+A256GCM");
    CHECK(back.oldPassword->key == "S0VZ");
    CHECK(back.oldPassword->iv == "SVY=");
    CHECK(back.oldPassword->data == "REVG");
    CHECK(back.oldPassword->tag == "VEFH");
    CHECK(back.unlock);
    CHECK(back.mustChange);
    CHECK(back.expiresAt == q.expiresAt);
}

TEST_CASE("decode names what is wrong with a bad line", "[protocol][codec]") {
    struct Case {
        const char* line;
        const char* mentions;
    };

    auto c =
        GENERATE(Case{"not json", "not a JSON document"},
                 Case{"[1,2]", "JSON object"},
                 Case{R"({"id":"x"})", "'type'"},
                 Case{R"({"type":"teleport"})", "unknown message type 'teleport'"},
                 Case{R"({"type":"answer","result":"success"})", "missing field 'id'"},
                 Case{R"({"type":"answer","id":7,"result":"success"})", "'id' has the wrong type"},
                 Case{R"({"type":"answer","id":"a","result":"maybe"})", "result must be"},
                 Case{R"({"type":"answer","id":"a","result":"success","events":["x"]})",
                      "'events' has the wrong type"},
                 Case{R"({"type":"request","id":"a","operation":"format_c","anchor":"x",
                             "issued_at":"t","expires_at":"t"})",
                      "unknown operation 'format_c'"},
                 Case{R"({"type":"hello","protocol":1})", "'directory'"});
    auto decoded = decode(c.line);
    REQUIRE_FALSE(decoded);
    CHECK(decoded.error().code == wblab::ErrorCode::ProtocolViolation);
    CHECK_THAT(decoded.error().message, Catch::Contains(c.mentions));
}

TEST_CASE("decode refuses a line over 1 MiB", "[protocol][codec]") {
    std::string huge = R"({"type":"bye","pad":")" + std::string(kMaxLineBytes, 'x') + "\"}";
    auto decoded = decode(huge);
    REQUIRE_FALSE(decoded);
    CHECK_THAT(decoded.error().message, Catch::Contains("1 MiB"));
}

TEST_CASE("decode ignores unknown extra fields", "[protocol][codec]") {
    auto decoded = decode(R"({"type":"bye","events":[31016],"vendor_extension":{"a":1}})");
    REQUIRE(decoded);
    CHECK(std::get<Bye>(*decoded).events == std::vector<int>{31016});
}

TEST_CASE("Hello offers every version, a hello without an offer means its one version",
          "[protocol][codec][v2]") {
    Hello h;
    CHECK(h.protocol == 1);
    CHECK(h.protocols == std::vector<int>{1, 2});
    auto line = encode(h);
    CHECK_THAT(line, Catch::Contains(R"("protocol":1,"protocols":[1,2])"));
    CHECK(roundTrip(h).protocols == std::vector<int>{1, 2});
    auto v1 = decode(R"({"type":"hello","protocol":1,
        "directory":{"url":"ldapi://x","base_dn":"dc=x","anchor_attribute":"a","flavour":"f"},
        "connector":{"dn":"cn=c","password":"p"}})");
    REQUIRE(v1);
    CHECK(std::get<Hello>(*v1).protocols == std::vector<int>{1});
}

TEST_CASE("A version 1 sealed secret is encoded with alg and data only", "[protocol][codec]") {
    Request q;
    q.id = "r";
    q.anchor = "a";
    q.issuedAt = q.expiresAt = "2026-11-25T10:00:00Z";
    q.newPassword = Sealed{"RSA-OAEP-256", "QUJD", "", "", ""};
    CHECK_THAT(encode(q),
               Catch::Contains(R"("new_password":{"alg":"RSA-OAEP-256","data":"QUJD"})"));
    q.newPassword = Sealed{"RSA-OAEP-256+A256GCM", "REFU", "S0VZ", "SVY=", "VEFH"};
    CHECK_THAT(encode(q),
               Catch::Contains(R"("new_password":{"alg":"RSA-OAEP-256+A256GCM","key":"S0VZ",)"
                               R"("iv":"SVY=","data":"REFU","tag":"VEFH"})"));
}

TEST_CASE("An unknown capability in ready is a warning, not an error", "[protocol][codec]") {
    auto decoded = decode(R"({"type":"ready","protocol":1,"agent":{"name":"a","version":"1"},
        "capabilities":["reset","unlock","teleport","rehandshake"],"public_key":"k"})");
    REQUIRE(decoded);
    const auto& ready = std::get<Ready>(*decoded);
    CHECK(ready.capabilities ==
          std::vector<std::string>{"reset", "unlock", "teleport", "rehandshake"});
    REQUIRE(ready.warnings.size() == 2);
    CHECK_THAT(ready.warnings[0], Catch::Contains("unknown capability 'unlock'"));
    CHECK_THAT(ready.warnings[1], Catch::Contains("unknown capability 'teleport'"));
    // Warnings are what the codec saw, not something an agent sends.
    CHECK_THAT(encode(ready), !Catch::Contains("warning"));
}

TEST_CASE("ready.window: absent is 1, 1 to 64 kept, anything else refused", "[protocol][codec]") {
    const std::string head =
        R"({"type":"ready","protocol":2,"agent":{"name":"a","version":"1"},"public_key":"k")";
    auto plain = decode(head + "}");
    REQUIRE(plain);
    CHECK(std::get<Ready>(*plain).window == 1);
    // A window of 1 is today's behaviour and stays off the wire.
    CHECK_THAT(encode(std::get<Ready>(*plain)), !Catch::Contains("window"));
    auto eight = decode(head + R"(,"window":8})");
    REQUIRE(eight);
    CHECK(std::get<Ready>(*eight).window == 8);
    auto again = decode(encode(std::get<Ready>(*eight)));
    REQUIRE(again);
    CHECK(std::get<Ready>(*again).window == 8);
    CHECK(decode(head + R"(,"window":64})"));
    for (const char* bad : {"0", "-3", "65", "1000000"}) {
        auto refused = decode(head + R"(,"window":)" + bad + "}");
        REQUIRE_FALSE(refused);
        CHECK_THAT(refused.error().message, Catch::Contains("'window' must be 1 to 64"));
    }
    auto text = decode(head + R"(,"window":"8"})");
    REQUIRE_FALSE(text);
    CHECK_THAT(text.error().message, Catch::Contains("window"));
}

TEST_CASE("Every capability the document defines is known", "[protocol][codec]") {
    for (const char* name : {"reset",
                             "change",
                             "admin_reset",
                             "unlock_only",
                             "forced_change",
                             "plaintext",
                             "rehandshake",
                             "directory:openldap-ad",
                             "directory:samba-ad"}) {
        CHECK(isKnownCapability(name));
    }
    CHECK_FALSE(isKnownCapability("unlock"));
    CHECK_FALSE(isKnownCapability(""));
    CHECK_FALSE(isKnownCapability("directory:"));
    CHECK_FALSE(isKnownCapability("directory:active-directory"));
}

TEST_CASE("An agent that names directory flavours writes to those only", "[protocol][codec]") {
    const std::vector<std::string> any = {"reset", "change"};
    CHECK(writesToFlavour(any, "openldap-ad"));  // names none: takes any
    CHECK(writesToFlavour(any, "samba-ad"));
    const std::vector<std::string> slapdOnly = {"reset", "directory:openldap-ad"};
    CHECK(writesToFlavour(slapdOnly, "openldap-ad"));
    CHECK_FALSE(writesToFlavour(slapdOnly, "samba-ad"));
    // A misspelt flavour still says the agent is choosy; the warning tells it why.
    const std::vector<std::string> misspelt = {"reset", "directory:samba"};
    CHECK_FALSE(writesToFlavour(misspelt, "samba-ad"));
}
