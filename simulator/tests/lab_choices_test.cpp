// The lab choices `wblab explain` lists (docs/cloud-model.md, "Lab choices").
#include <wblab/sim/lab_choices.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace wblab::sim;

namespace {

const LabChoice* find(const std::vector<LabChoice>& choices, const std::string& id) {
    auto it = std::find_if(
        choices.begin(), choices.end(), [&](const LabChoice& c) { return c.id == id; });
    return it == choices.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("Every lab choice has an id, a rule, a reason and a Microsoft source", "[sim][choices]") {
    TenantSettings settings;
    settings.enforceCloudPasswordPolicyForSyncedUsers = true;
    settings.throttle.windowSeconds = 86400;
    settings.throttle.countersResetOnSuccess = true;
    settings.allowedToUseSspr = false;
    const auto choices = labChoices(settings);
    std::set<std::string> ids;
    for (const auto& c : choices) {
        INFO(c.id);
        CHECK(ids.insert(c.id).second);  // ids are unique
        CHECK_FALSE(c.rule.empty());
        CHECK_FALSE(c.reason.empty());
        CHECK(c.source.rfind("https://learn.microsoft.com/", 0) == 0);
    }
    for (const char* id : {"relay-message-lifetime",
                           "agent-deadline",
                           "cannot-change-password",
                           "protected-accounts",
                           "gate-order",
                           "throttle-window",
                           "throttle-counters",
                           "admin-sspr-off",
                           "banned-global-list",
                           "cloud-failure-commit",
                           "sspr-lifetimes",
                           "settings-at-once",
                           "graph-patch-password-profile",
                           "risk-aggregation"}) {
        INFO(id);
        CHECK(find(choices, id) != nullptr);
    }
}

TEST_CASE("Lab choices follow the tenant's settings", "[sim][choices]") {
    const auto defaults = labChoices(TenantSettings{});
    // Only what applies: no throttle conflict with the documented hour, no cloud-failure reading
    // without EnforceCloudPasswordPolicyForPasswordSyncedUsers.
    CHECK(find(defaults, "throttle-window") == nullptr);
    CHECK(find(defaults, "cloud-failure-commit") == nullptr);
    const auto* order = find(defaults, "gate-order");
    REQUIRE(order != nullptr);
    CHECK(order->kind == LabChoice::Kind::SourcesConflict);
    CHECK(order->rule.find("writeback_first") != std::string::npos);

    TenantSettings other;
    other.gateOrder = GateOrder::PolicyFirst;
    other.enforceCloudPasswordPolicyForSyncedUsers = true;
    other.hashSyncCommitsCloudFailure = false;
    const auto chosen = labChoices(other);
    CHECK(find(chosen, "gate-order")->rule.find("policy_first") != std::string::npos);
    CHECK(find(chosen, "cloud-failure-commit")->rule.find("never") != std::string::npos);
    CHECK(std::string(toString(LabChoice::Kind::LabChoice)) == "lab choice");
}
