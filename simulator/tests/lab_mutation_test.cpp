// The cloud model's deliberate errors: each breaks its own rule and nothing else, so that the
// zoo's lab half measures the scenarios and not an accident of the model.
#include "lab.hpp"

#include <wblab/sim/cloud.hpp>
#include <wblab/sim/lab_mutation.hpp>

#include <catch2/catch.hpp>

using namespace wblab::sim;
using namespace wblab::sim::test;

namespace {

/// A self-service reset of user1 under `settings`, with and without `mutation`.
struct Both {
    Outcome correct;
    Outcome mutated;
    std::size_t requestsWhenMutated = 0;
};

Both resetUnder(const TenantSettings& settings,
                LabMutation mutation,
                const std::function<void(CloudUser&)>& shape = {}) {
    Both out{};
    for (bool mutate : {false, true}) {
        VirtualClock clock{1'800'000'000};
        Cloud cloud(settings, clock);
        auto user = Lab::user("user1@testlab.example", "anchor-1");
        if (shape) {
            shape(user);
        }
        cloud.addUser(user);
        if (mutate) {
            cloud.setMutation(mutation);
        }
        FakeChannel channel(answered(true, {31001, 31002}));
        auto r = cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel);
        (mutate ? out.mutated : out.correct) = r.outcome;
        if (mutate) {
            out.requestsWhenMutated = channel.requests.size();
        }
    }
    return out;
}

}  // namespace

TEST_CASE("Each gate mutation lets through what its gate refuses", "[sim][mutation]") {
    SECTION("scope") {
        TenantSettings s;
        s.sspr = SsprScope::Selected;
        s.ssprGroup = "SSPR-Users";
        auto r = resetUnder(s, LabMutation::IgnoresSsprScope);
        CHECK(r.correct == Outcome::NotInSsprGroup);
        CHECK(r.mutated == Outcome::Success);
        CHECK(r.requestsWhenMutated == 1);
    }
    SECTION("licence") {
        auto r =
            resetUnder({}, LabMutation::IgnoresLicence, [](CloudUser& u) { u.licensed = false; });
        CHECK(r.correct == Outcome::UserNotLicensed);
        CHECK(r.mutated == Outcome::Success);
    }
    SECTION("methods") {
        auto r =
            resetUnder({}, LabMutation::IgnoresMethods, [](CloudUser& u) { u.methods.clear(); });
        CHECK(r.correct == Outcome::NotEnoughMethods);
        CHECK(r.mutated == Outcome::Success);
    }
    SECTION("writeback toggle") {
        TenantSettings s;
        s.writebackEnabled = false;
        auto r = resetUnder(s, LabMutation::IgnoresWritebackToggle);
        CHECK(r.correct == Outcome::WritebackNotEnabled);
        CHECK(r.mutated == Outcome::Success);
    }
    SECTION("a mutation aimed elsewhere changes nothing here") {
        TenantSettings s;
        s.writebackEnabled = false;
        auto r = resetUnder(s, LabMutation::IgnoresLicence);
        CHECK(r.correct == Outcome::WritebackNotEnabled);
        CHECK(r.mutated == Outcome::WritebackNotEnabled);
        CHECK(r.requestsWhenMutated == 0);
    }
}

TEST_CASE("Mutations have names the zoo can be given", "[sim][mutation]") {
    CHECK(labMutations().size() == 18);  // 15, and the three the lang branch added
    CHECK(labMutationFromString("ignores-admin-reset-roles"));
    CHECK(labMutationFromString("no-session-lifetime"));
    CHECK(labMutationFromString("allows-current-password"));
    CHECK(labMutationFromString("no-throttling") == LabMutation::NoThrottling);
    CHECK_FALSE(labMutationFromString("no-such-mutation"));
    CHECK(std::string(toString(LabMutation::IgnoresBannedPasswords)) == "ignores-banned-passwords");
}
