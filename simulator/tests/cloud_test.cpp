#include <wblab/sim/cloud.hpp>

#include <catch2/catch.hpp>

using namespace wblab::sim;

namespace {

/// A channel that records what it was sent and answers with a canned reply.
class FakeChannel : public WritebackChannel {
public:
    explicit FakeChannel(WritebackReply reply) : reply_(std::move(reply)) {}

    WritebackReply deliver(const WritebackRequest& request) override {
        requests.push_back(request);
        return reply_;
    }

    std::vector<WritebackRequest> requests;

private:
    WritebackReply reply_;
};

WritebackReply answered(bool success, std::vector<int> events, int reason = 0) {
    WritebackReply r;
    r.delivery = WritebackReply::Delivery::Answered;
    r.success = success;
    r.events = std::move(events);
    r.reason = reason;
    return r;
}

struct Lab {
    VirtualClock clock{1'800'000'000};
    Cloud cloud;

    explicit Lab(TenantSettings settings = {}) : cloud(settings, clock) {
        cloud.addUser({.upn = "user1@testlab.example", .anchor = "anchor-1", .synced = true});
        cloud.addUser({.upn = "cloud@testlab.onmicrosoft.com", .anchor = "", .synced = false});
    }
};

const AuditEntry& lastAudit(const Cloud& cloud) {
    return cloud.auditLog().back();
}

}  // namespace

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
