#include "lab.hpp"

#include <wblab/sim/cloud.hpp>

#include <catch2/catch.hpp>

using namespace wblab::sim;
using namespace wblab::sim::test;

TEST_CASE("A successful writeback reset succeeds and is audited", "[sim][reset]") {
    Lab lab;
    FakeChannel channel(answered(true, {31001, 31002}));
    auto r = lab.cloud.selfServiceReset("USER1@testlab.example", "N3w-Passw0rd!", true, channel);
    CHECK(r.outcome == Outcome::Success);
    REQUIRE(channel.requests.size() == 1);
    const auto& sent = channel.requests.front();
    CHECK(sent.anchor == "anchor-1");
    CHECK(sent.operation == "reset");
    CHECK(sent.unlock);
    CHECK(sent.newPassword == "N3w-Passw0rd!");
    CHECK(sent.issuedAt == 1'800'000'000);
    CHECK(sent.expiresAt == 1'800'000'000 + 300);
    CHECK(sent.correlationId == r.correlationId);
    CHECK(lab.cloud.findUser("user1@testlab.example")->passwordVersion == 1);
    const auto& audit = lastAudit(lab.cloud);
    CHECK(audit.activity == "Reset password (self-service)");
    CHECK(audit.result == "success");
    CHECK(audit.correlationId == r.correlationId);
    CHECK(audit.service == "Self-service Password Management");
}

TEST_CASE("An on-premises policy refusal is a policy violation and changes nothing",
          "[sim][reset]") {
    Lab lab;
    FakeChannel channel(answered(false, {31001, 31003, 33008}, 33008));
    auto r = lab.cloud.selfServiceReset("user1@testlab.example", "short", true, channel);
    CHECK(r.outcome == Outcome::OnPremisesPolicyViolation);
    CHECK(std::string(toString(r.outcome)) == "policy_violation");
    CHECK(lab.cloud.findUser("user1@testlab.example")->passwordVersion == 0);
    CHECK(lastAudit(lab.cloud).result == "failure");
}

TEST_CASE("Other on-premises refusals ask the admin to act (SSPR_0029)", "[sim][reset]") {
    auto reason = GENERATE(33001, 33002, 33003, 33004, 33005, 33009);
    Lab lab;
    FakeChannel channel(answered(false, {31001, 31003, reason}, reason));
    auto r = lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel);
    CHECK(std::string(toString(r.outcome)) == "SSPR_0029");
    CHECK(lab.cloud.findUser("user1@testlab.example")->passwordVersion == 0);
}

TEST_CASE("An unreachable, silent or garbled agent is a connectivity error (SSPR_0030)",
          "[sim][reset]") {
    auto delivery = GENERATE(WritebackReply::Delivery::Unreachable,
                             WritebackReply::Delivery::TimedOut,
                             WritebackReply::Delivery::Garbled);
    Lab lab;
    WritebackReply reply;
    reply.delivery = delivery;
    reply.success = true;  // must be ignored: nothing trustworthy came back
    FakeChannel channel(reply);
    auto r = lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel);
    CHECK(std::string(toString(r.outcome)) == "SSPR_0030");
    CHECK(lab.cloud.findUser("user1@testlab.example")->passwordVersion == 0);
}

TEST_CASE("Writeback disabled refuses a synced user without contacting the agent (SSPR_0010)",
          "[sim][reset]") {
    TenantSettings settings;
    settings.writebackEnabled = false;
    Lab lab(settings);
    FakeChannel channel(answered(true, {31001, 31002}));
    auto r = lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel);
    CHECK(std::string(toString(r.outcome)) == "SSPR_0010");
    CHECK(channel.requests.empty());
}

TEST_CASE("SSPR off for the tenant refuses every reset (SSPR_0009)", "[sim][reset]") {
    TenantSettings settings;
    settings.sspr = SsprScope::None;
    Lab lab(settings);
    FakeChannel channel(answered(true, {31001, 31002}));
    auto r = lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel);
    CHECK(std::string(toString(r.outcome)) == "SSPR_0009");
    CHECK(channel.requests.empty());
}

TEST_CASE("A cloud-only user's reset never reaches the agent", "[sim][reset]") {
    Lab lab;
    FakeChannel channel(answered(false, {31001, 31003, 33001}, 33001));
    auto r =
        lab.cloud.selfServiceReset("cloud@testlab.onmicrosoft.com", "N3w-Passw0rd!", true, channel);
    CHECK(r.outcome == Outcome::Success);
    CHECK_FALSE(r.writebackAttempted);
    CHECK(channel.requests.empty());
}

TEST_CASE("An unknown user is reported without any request", "[sim][reset]") {
    Lab lab;
    FakeChannel channel(answered(true, {31001, 31002}));
    auto r = lab.cloud.selfServiceReset("ghost@testlab.example", "N3w-Passw0rd!", true, channel);
    CHECK(r.outcome == Outcome::UnknownUser);
    CHECK(channel.requests.empty());
}

TEST_CASE("The virtual clock moves only when told", "[sim][clock]") {
    VirtualClock clock(100);
    CHECK(clock.now() == 100);
    clock.advance(86400);
    CHECK(clock.now() == 86500);
}

namespace {

CloudUser synced(const std::string& upn) {
    CloudUser u;
    u.upn = upn;
    u.anchor = "anchor-" + upn;
    return u;
}

OperationResult resetOf(Cloud& cloud,
                        const std::string& upn,
                        const std::string& pw = "Strong-Pw-2026") {
    FakeChannel channel(answered(true, {31001, 31002}));
    return cloud.selfServiceReset(upn, pw, true, channel);
}

}  // namespace

TEST_CASE("SSPR scoped to a group admits its members, nested groups included", "[sim][gates]") {
    VirtualClock clock(0);
    TenantSettings settings;
    settings.sspr = SsprScope::Selected;
    settings.ssprGroup = "PWReset";
    settings.groupMembers = {{"PWReset", {"Helpdesk"}}, {"Helpdesk", {"Tier1"}}};
    Cloud cloud(settings, clock);
    auto direct = synced("a@x");
    direct.groups = {"PWReset"};
    auto nested = synced("b@x");
    nested.groups = {"Tier1"};
    auto outside = synced("c@x");
    outside.groups = {"Sales"};
    cloud.addUser(direct);
    cloud.addUser(nested);
    cloud.addUser(outside);
    CHECK(resetOf(cloud, "a@x").outcome == Outcome::Success);
    CHECK(resetOf(cloud, "b@x").outcome == Outcome::Success);
    CHECK(std::string(toString(resetOf(cloud, "c@x").outcome)) == "SSPR_0013");
}

TEST_CASE("A synced user without a P1/P2 licence cannot reset (SSPR_0012)", "[sim][gates]") {
    VirtualClock clock(0);
    Cloud cloud(TenantSettings{}, clock);
    auto u = synced("a@x");
    u.licensed = false;
    cloud.addUser(u);
    CHECK(std::string(toString(resetOf(cloud, "a@x").outcome)) == "SSPR_0012");
}

TEST_CASE("Registered methods must reach the required number among the allowed ones (SSPR_0014)",
          "[sim][gates]") {
    VirtualClock clock(0);
    TenantSettings settings;
    settings.methodsRequired = 2;
    settings.methodsAllowed = {Method::Email, Method::MobilePhone};
    Cloud cloud(settings, clock);
    auto one = synced("one@x");
    one.methods = {Method::Email, Method::OfficePhone};  // office phone is not allowed here
    auto two = synced("two@x");
    two.methods = {Method::Email, Method::MobilePhone};
    cloud.addUser(one);
    cloud.addUser(two);
    CHECK(std::string(toString(resetOf(cloud, "one@x").outcome)) == "SSPR_0014");
    CHECK(resetOf(cloud, "two@x").outcome == Outcome::Success);
}

TEST_CASE("Admins get the two-gate policy: any scope, two methods, no security questions",
          "[sim][gates]") {
    VirtualClock clock(0);
    TenantSettings settings;
    settings.sspr = SsprScope::None;
    settings.methodsAllowed = {Method::Email, Method::SecurityQuestions};
    Cloud cloud(settings, clock);
    auto weak = synced("weak@x");
    weak.adminRoles = {"Global Administrator"};
    weak.methods = {Method::Email, Method::SecurityQuestions};
    auto strong = synced("strong@x");
    strong.adminRoles = {"Helpdesk Administrator"};
    strong.methods = {Method::Email, Method::AppNotification};
    cloud.addUser(weak);
    cloud.addUser(strong);
    CHECK(std::string(toString(resetOf(cloud, "weak@x").outcome)) == "SSPR_0014");
    CHECK(resetOf(cloud, "strong@x").outcome == Outcome::Success);  // SSPR None does not apply
}

TEST_CASE("Banned passwords are scored after normalisation and refused before writeback",
          "[sim][banned]") {
    VirtualClock clock(0);
    TenantSettings settings;
    settings.bannedPasswords = {"contoso"};
    Cloud cloud(settings, clock);
    cloud.addUser(synced("a@x"));

    struct Case {
        const char* password;
        bool banned;
    };

    auto c = GENERATE(Case{"P@ssw0rd1", true},      // "password" + 1 character: 2 points
                      Case{"Contoso!2", true},      // custom term + 2: 3 points
                      Case{"C0nt0s0-2026", false},  // term + 5 characters: 6 points
                      Case{"Changed-Passw0rd-15", false},
                      Case{"Winter-Harbour-27", false});
    INFO(c.password);
    CHECK(cloud.isBanned(c.password) == c.banned);
    FakeChannel channel(answered(true, {31001, 31002}));
    auto r = cloud.selfServiceReset("a@x", c.password, true, channel);
    CHECK((r.outcome == Outcome::BannedPassword) == c.banned);
    CHECK(channel.requests.empty() == c.banned);
    if (c.banned) {
        CHECK(cloud.auditLog().back().reason == "FuzzyPolicyViolationInvalidPassword");
    }
}

TEST_CASE("Password Protection's documented examples", "[sim][banned]") {
    // concept-password-ban-bad, "How are passwords evaluated".
    VirtualClock clock(0);
    TenantSettings settings;
    settings.bannedPasswords = {"contoso", "blank", "abcdef"};
    Cloud cloud(settings, clock);
    // "Bl@nK" normalises to the banned "blank".
    CHECK(cloud.isBanned("Bl@nK"));
    // Fuzzy matching: an edit distance of one from "abcdef" matches.
    for (const char* variant : {"abcdeg", "abcdefg", "abcde"}) {
        INFO(variant);
        CHECK(cloud.isBanned(variant));
    }
    CHECK(cloud.bannedPasswordScore("abcdeg") == 1);  // the whole password is one match
    CHECK(cloud.bannedPasswordScore("abcde") == 1);
    // [contoso] + [blank] + [1] + [2] = 4 points: rejected.
    CHECK(cloud.bannedPasswordScore("C0ntos0Blank12") == 4);
    CHECK(cloud.isBanned("C0ntos0Blank12"));
    // [contoso] + [blank] + [f] + [9] + [!] = 5 points: accepted.
    CHECK(cloud.bannedPasswordScore("ContoS0Bl@nkf9!") == 5);
    CHECK_FALSE(cloud.isBanned("ContoS0Bl@nkf9!"));
}

TEST_CASE("A banned term one edit away is still found", "[sim][banned]") {
    VirtualClock clock(0);
    Cloud cloud(TenantSettings{}, clock);
    // "passwrd" is "password" with one deletion: [passwrd] + l + 2 = 3 points.
    CHECK(cloud.bannedPasswordScore("Pa$$wrd12") == 3);
    CHECK(cloud.isBanned("Pa$$wrd12"));
    // One substitution inside a longer password.
    CHECK(cloud.bannedPasswordScore("Qwerti!9") == 3);
}

TEST_CASE("A password under five points is refused even without a banned term", "[sim][banned]") {
    // "A password must be at least five (5) points to be accepted."
    VirtualClock clock(0);
    Cloud cloud(TenantSettings{}, clock);
    cloud.addUser(synced("a@x"));
    CHECK(cloud.bannedPasswordScore("Ab1!") == 4);
    FakeChannel channel(answered(true, {31001, 31002}));
    CHECK(cloud.selfServiceReset("a@x", "Ab1!", true, channel).outcome == Outcome::BannedPassword);
    CHECK(channel.requests.empty());
    CHECK_FALSE(cloud.isBanned("Ab1!x"));
}

TEST_CASE("The user's names and the tenant's name are matched as substrings", "[sim][banned]") {
    VirtualClock clock(0);
    TenantSettings settings;
    settings.tenantName = "Fabrikam";
    Cloud cloud(settings, clock);
    CloudUser poll = synced("poll@x");
    poll.givenName = "Poll";
    poll.surname = "Li";  // under four characters: not matched
    cloud.addUser(poll);
    const CloudUser* user = cloud.findUser("poll@x");
    // The page's example: "p0LL23fb" contains the first name and is rejected.
    CHECK(cloud.isBanned("p0LL23fb", user));
    CHECK_FALSE(cloud.isBanned("p0LL23fb"));  // someone else may use it
    CHECK_FALSE(cloud.isBanned("Li-Harbour-2026", user));
    CHECK(cloud.isBanned("Fabrik@m-Harbour-2026", user));
    FakeChannel channel(answered(true, {31001, 31002}));
    CHECK(cloud.selfServiceReset("poll@x", "p0LL23fb-Harbour", true, channel).outcome ==
          Outcome::BannedPassword);
}

TEST_CASE("Five resets within an hour block the account from SSPR for 24 hours",
          "[sim][throttle]") {
    VirtualClock clock(1'000'000);
    Cloud cloud(TenantSettings{}, clock);
    cloud.addUser(synced("a@x"));
    for (int i = 0; i < 5; ++i) {
        CHECK(resetOf(cloud, "a@x").outcome == Outcome::Success);
        clock.advance(60);
    }
    auto blocked = resetOf(cloud, "a@x");
    CHECK(std::string(toString(blocked.outcome)) == "throttled");
    const auto& audit = cloud.auditLog().back();
    CHECK(audit.activity == "Blocked from self-service password reset");
    // howto-sspr-reporting documents this activity's status as Success.
    CHECK(audit.result == "success");
    CHECK(audit.correlationId == blocked.correlationId);
    clock.advance(24 * 3600);
    CHECK(resetOf(cloud, "a@x").outcome == Outcome::Success);
}

TEST_CASE("A throttled user must wait 24 hours after the last attempt", "[sim][throttle]") {
    // troubleshoot-sspr: "they must wait 24 hours after the last attempt".
    VirtualClock clock(1'000'000);
    Cloud cloud(TenantSettings{}, clock);
    cloud.addUser(synced("a@x"));
    for (int i = 0; i < 5; ++i) {
        resetOf(cloud, "a@x");
    }
    clock.advance(23 * 3600);
    CHECK(resetOf(cloud, "a@x").outcome == Outcome::Throttled);  // the wait starts again
    clock.advance(3600);
    CHECK(resetOf(cloud, "a@x").outcome == Outcome::Throttled);
    clock.advance(23 * 3600);
    CHECK(resetOf(cloud, "a@x").outcome == Outcome::Throttled);
    clock.advance(24 * 3600 + 1);
    CHECK(resetOf(cloud, "a@x").outcome == Outcome::Success);
}

TEST_CASE("Failed reset attempts count towards the throttle", "[sim][throttle]") {
    // "The user attempts to reset a password for the same user account five times in one hour."
    VirtualClock clock(1'000'000);
    Cloud cloud(TenantSettings{}, clock);
    cloud.addUser(synced("a@x"));
    FakeChannel refusing(answered(false, {31001, 31003, 33008}, 33008));
    for (int i = 0; i < 5; ++i) {
        CHECK(cloud.selfServiceReset("a@x", "Strong-Pw-2026", true, refusing).outcome ==
              Outcome::OnPremisesPolicyViolation);
    }
    CHECK(cloud.selfServiceReset("a@x", "Strong-Pw-2026", true, refusing).outcome ==
          Outcome::Throttled);
    CHECK(refusing.requests.size() == 5);
}

TEST_CASE("The throttle's window and counters follow the tenant's reading of the sources",
          "[sim][throttle]") {
    SECTION("a 24-hour window (the reporting page)") {
        VirtualClock clock(1'000'000);
        TenantSettings settings;
        settings.throttle.windowSeconds = 86400;
        Cloud cloud(settings, clock);
        cloud.addUser(synced("a@x"));
        for (int i = 0; i < 5; ++i) {
            CHECK(resetOf(cloud, "a@x").outcome == Outcome::Success);
            clock.advance(2 * 3600);
        }
        CHECK(resetOf(cloud, "a@x").outcome == Outcome::Throttled);
    }
    SECTION("counters reset by a successful reset (the FAQ)") {
        VirtualClock clock(1'000'000);
        TenantSettings settings;
        settings.throttle.countersResetOnSuccess = true;
        Cloud cloud(settings, clock);
        cloud.addUser(synced("a@x"));
        for (int i = 0; i < 8; ++i) {
            CHECK(resetOf(cloud, "a@x").outcome == Outcome::Success);
        }
    }
}

TEST_CASE("Resets spread over more than an hour are not throttled", "[sim][throttle]") {
    VirtualClock clock(1'000'000);
    Cloud cloud(TenantSettings{}, clock);
    cloud.addUser(synced("a@x"));
    for (int i = 0; i < 8; ++i) {
        CHECK(resetOf(cloud, "a@x").outcome == Outcome::Success);
        clock.advance(16 * 60);  // never five within one hour
    }
}

TEST_CASE("Correlation ids come from the scenario's seed: reproducible, different per seed",
          "[sim][ids]") {
    auto idsWith = [](std::uint64_t seed) {
        Lab lab;
        lab.cloud.setIdSeed(seed);
        FakeChannel channel(answered(true, {31001, 31002}));
        std::vector<std::string> ids;
        for (int i = 0; i < 3; ++i) {
            ids.push_back(
                lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel)
                    .correlationId);
        }
        return ids;
    };
    const auto a = idsWith(42);
    CHECK(a == idsWith(42));
    CHECK(a != idsWith(43));
    CHECK(a[0] != a[1]);
    for (const auto& id : a) {
        // Shaped like a version-4 UUID, as the real service's correlation ids are.
        REQUIRE(id.size() == 36);
        CHECK(id[8] == '-');
        CHECK(id[14] == '4');
        CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    }
}

TEST_CASE("Only the roles concept-sspr-policy lists bring the two-gate policy", "[sim][gates]") {
    VirtualClock clock(0);
    TenantSettings settings;
    settings.sspr = SsprScope::Selected;
    settings.ssprGroup = "SSPR-Users";
    settings.methodsAllowed = {Method::Email, Method::SecurityQuestions};
    Cloud cloud(settings, clock);
    // Global Reader is not in the list: the user policy applies, scope and methods included.
    auto reader = synced("reader@x");
    reader.adminRoles = {"Global Reader"};
    reader.methods = {Method::SecurityQuestions};
    cloud.addUser(reader);
    CHECK(resetOf(cloud, "reader@x").outcome == Outcome::NotInSsprGroup);
    auto member = reader;
    member.upn = "member@x";
    member.anchor = "anchor-member";
    member.groups = {"SSPR-Users"};
    cloud.addUser(member);
    CHECK(resetOf(cloud, "member@x").outcome == Outcome::Success);  // one question is enough
}

TEST_CASE("A cloud-only user needs a licence to reset", "[sim][gates]") {
    // concept-sspr-licensing: cloud-only reset needs Business Standard or P1/P2.
    Lab lab;
    CloudUser unlicensed = Lab::user("free@testlab.onmicrosoft.com", "", false);
    unlicensed.licensed = false;
    lab.cloud.addUser(unlicensed);
    FakeChannel channel(answered(true, {31001, 31002}));
    CHECK(
        lab.cloud.selfServiceReset("free@testlab.onmicrosoft.com", "Strong-Pw-2026", true, channel)
            .outcome == Outcome::UserNotLicensed);
}

TEST_CASE("A change to the current password is refused in the cloud", "[sim][policy]") {
    // concept-sspr-policy: "The last password can't be used again when the user changes a
    // password ... The password change history applies to password writeback."
    Lab lab;
    FakeChannel channel(answered(true, {31006, 31007}));
    auto r = lab.cloud.selfServiceChange(
        "user1@testlab.example", "Same-Passw0rd-1", "Same-Passw0rd-1", channel);
    CHECK(r.outcome == Outcome::CloudPolicyViolation);
    CHECK(std::string(toString(r.outcome)) == "cloud_policy_violation");
    CHECK(channel.requests.empty());
    CHECK(lastAudit(lab.cloud).activity == "Change password (self-service)");
    CHECK(lastAudit(lab.cloud).result == "failure");
    // A reset may reuse it: "The last password can be used again when the user resets".
    CHECK(lab.cloud.selfServiceReset("user1@testlab.example", "Same-Passw0rd-1", true, channel)
              .outcome == Outcome::Success);
}

TEST_CASE("allowedToUseSSPR false takes SSPR away from admins only", "[sim][gates]") {
    TenantSettings settings;
    settings.allowedToUseSspr = false;
    Lab lab(settings);
    CloudUser admin = Lab::user("admin@testlab.example", "anchor-2");
    admin.adminRoles = {"Helpdesk Administrator"};
    admin.methods = {Method::AppNotification, Method::MobilePhone};
    lab.cloud.addUser(admin);
    FakeChannel channel(answered(true, {31001, 31002}));
    CHECK(lab.cloud.selfServiceReset("admin@testlab.example", "Strong-Pw-2026", true, channel)
              .outcome == Outcome::SsprPolicyNotDefined);
    CHECK(lab.cloud.selfServiceReset("user1@testlab.example", "Strong-Pw-2026", true, channel)
              .outcome == Outcome::Success);
    CHECK(channel.requests.size() == 1);
}

TEST_CASE("A one-time code past 5 minutes or a session past 15 minutes sends nothing",
          "[sim][sspr][lifetimes]") {
    Lab lab;
    FakeChannel channel(answered(true, {31001, 31002}));
    const std::int64_t start = lab.clock.now();
    SECTION("a code entered after 5 minutes is code_expired, whatever the session") {
        lab.clock.advance(6 * 60);
        auto r = lab.cloud.selfServiceReset(
            "user1@testlab.example", "N3w-Passw0rd!", true, channel, SsprSession{start, 301});
        CHECK(r.outcome == Outcome::CodeExpired);
        CHECK(std::string(toString(r.outcome)) == "code_expired");
        CHECK(channel.requests.empty());
        CHECK(lastAudit(lab.cloud).activity ==
              "Self-service password reset flow activity progress");
        CHECK(lastAudit(lab.cloud).result == "failure");
    }
    SECTION("a submission after 15 minutes is session_expired") {
        lab.clock.advance(15 * 60 + 1);
        auto r = lab.cloud.selfServiceReset(
            "user1@testlab.example", "N3w-Passw0rd!", true, channel, SsprSession{start, 60});
        CHECK(r.outcome == Outcome::SessionExpired);
        CHECK(std::string(toString(r.outcome)) == "session_expired");
        CHECK(channel.requests.empty());
        CHECK(lab.cloud.findUser("user1@testlab.example")->passwordVersion == 0);
    }
    SECTION("exactly 5 and 15 minutes are still in time") {
        lab.clock.advance(15 * 60);
        auto r = lab.cloud.selfServiceReset(
            "user1@testlab.example", "N3w-Passw0rd!", true, channel, SsprSession{start, 300});
        CHECK(r.outcome == Outcome::Success);
        CHECK(channel.requests.size() == 1);
    }
    SECTION("a lapsed session is not a reset attempt for the throttle") {
        lab.clock.advance(20 * 60);
        for (int i = 0; i < 6; ++i) {
            CHECK(lab.cloud
                      .selfServiceReset("user1@testlab.example",
                                        "N3w-Passw0rd!",
                                        true,
                                        channel,
                                        SsprSession{start, -1})
                      .outcome == Outcome::SessionExpired);
        }
        CHECK(lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel)
                  .outcome == Outcome::Success);
    }
}

TEST_CASE("A tenant change applies to the next operation and keeps what the tenant knows",
          "[sim][settings]") {
    TenantSettings off;
    off.writebackEnabled = false;
    Lab lab(off);
    FakeChannel channel(answered(true, {31001, 31002}));
    auto reset = [&] {
        return lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel)
            .outcome;
    };
    CHECK(reset() == Outcome::WritebackNotEnabled);  // a gate: not a counted attempt
    TenantSettings on = lab.cloud.settings();
    on.writebackEnabled = true;
    lab.cloud.updateSettings(on);
    CHECK(lab.cloud.settings().writebackEnabled);
    for (int i = 0; i < 4; ++i) {
        CHECK(reset() == Outcome::Success);
    }
    CHECK(channel.requests.size() == 4);
    // Another change leaves the throttle's count alone: the fifth reset passes, the sixth is
    // blocked.
    TenantSettings unlock = lab.cloud.settings();
    unlock.unlockWithoutReset = true;
    lab.cloud.updateSettings(unlock);
    CHECK(reset() == Outcome::Success);
    CHECK(reset() == Outcome::Throttled);
    CHECK(lab.cloud.auditLog().front().reason == "SSPR_0010");
}
