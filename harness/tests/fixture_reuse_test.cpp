// A worker's directory serves scenario after scenario (fixture_pool.hpp): a scenario that runs
// after one that changed the policy, lockouts, password history and account states sees its own
// seed and nothing of the first one's.
#include "e2e_support.hpp"

#include <wblab/support/files.hpp>

#include <fstream>

using namespace wblab;
using namespace wblab::e2e;
using report::Verdict;

namespace {

/// The first scenario: history 3, lockout after 3 bad passwords, a PSO; it resets user1 twice
/// (history, which then refuses the first new password again), locks user2 out with wrong old
/// passwords, then disables it. Its checks prove each change took effect.
const char* kDirty = R"(id: reuse_dirty
title: Changes what a reused directory must forget
criteria: [wb-reset-applies]
onprem:
  policy: {min_length: 8, history: 3, lockout_threshold: 3}
  fine_grained_policies:
    - {name: Lab PSO, min_length: 8, history: 0, lockout_threshold: 3, users: [user2]}
  users:
    - {sam: user1, upn: user1@testlab.example, password: "Seed-Passw0rd-1"}
    - {sam: user2, upn: user2@testlab.example, password: "Seed-Passw0rd-2"}
steps:
  - sspr_reset: {user: user1@testlab.example, new_password: "Spring-Garden-1"}
    expect: {outcome: success, criterion: wb-reset-applies}
  - sspr_reset: {user: user1@testlab.example, new_password: "Autumn-Harbour-1"}
    expect: {outcome: success, criterion: wb-reset-applies}
  - sspr_reset: {user: user1@testlab.example, new_password: "Spring-Garden-1"}
    expect: {outcome: policy_violation, reason: 33008, criterion: wb-reset-applies}
  - sspr_change: {user: user2@testlab.example, old_password: "Not-The-Pw-2", new_password: "New-Passw0rd-2"}
  - sspr_change: {user: user2@testlab.example, old_password: "Not-The-Pw-2", new_password: "New-Passw0rd-2"}
  - sspr_change: {user: user2@testlab.example, old_password: "Not-The-Pw-2", new_password: "New-Passw0rd-2"}
  - onprem_disable: user2
expect:
  directory:
    - {user: user1, binds: ["Autumn-Harbour-1"], criterion: wb-reset-applies}
    - {user: user2, locked: true, rejects: ["Seed-Passw0rd-2"], criterion: wb-reset-applies}
)";

/// The second: the same users and passwords under a stricter policy without lockout. A's
/// history would refuse step 1, A's policy would accept step 2, A's lockout and disabling would
/// refuse user2's seeded password.
const char* kPristine = R"(id: reuse_pristine
title: Sees its own seed on a reused directory
criteria: [wb-reset-applies]
onprem:
  policy: {min_length: 12, history: 3}
  users:
    - {sam: user1, upn: user1@testlab.example, password: "Seed-Passw0rd-1"}
    - {sam: user2, upn: user2@testlab.example, password: "Seed-Passw0rd-2"}
steps:
  - sspr_reset: {user: user1@testlab.example, new_password: "Spring-Garden-1"}
    expect: {outcome: success, criterion: wb-reset-applies}
  - sspr_reset: {user: user2@testlab.example, new_password: "Short-Pw-22"}
    expect: {outcome: policy_violation, criterion: wb-reset-applies}
expect:
  directory:
    - {user: user1, binds: ["Spring-Garden-1"], rejects: ["Seed-Passw0rd-1"], criterion: wb-reset-applies}
    - {user: user2, binds: ["Seed-Passw0rd-2"], locked: false, criterion: wb-reset-applies}
)";

/// Other connector rights: another slapd.conf, so a fresh directory.
const char* kOtherRights = R"(id: reuse_other_rights
title: Needs another configuration
criteria: [wb-connector-permissions]
onprem:
  connector: {permissions: [write_lockout_time, write_pwd_last_set, unexpire_password]}
  users:
    - {sam: user1, upn: user1@testlab.example, password: "Seed-Passw0rd-1"}
steps:
  - sspr_reset: {user: user1@testlab.example, new_password: "Spring-Garden-1"}
    expect: {outcome: SSPR_0029, reason: 33004, criterion: wb-connector-permissions}
expect:
  directory:
    - {user: user1, binds: ["Seed-Passw0rd-1"], criterion: wb-connector-permissions}
)";

scenario::Scenario fromText(const std::string& dir, const std::string& id, const char* text) {
    const std::string path = dir + "/" + id + ".yaml";
    std::ofstream(path) << text;
    return load(path);
}

bool ranOnReusedDirectory(const report::CaseResult& r) {
    for (const auto& line : r.timeline) {
        if (line.find("the worker's directory, reseeded") != std::string::npos) {
            return true;
        }
    }
    return false;
}

void requirePassed(const report::CaseResult& r) {
    INFO(r.id << ": " << r.message);
    for (const auto& c : r.checks) {
        INFO(c.what << ": expected " << c.expected << ", observed " << c.observed);
        CHECK(c.passed);
    }
    REQUIRE(r.verdict == Verdict::Pass);
}

}  // namespace

TEST_CASE("A scenario on a reused directory sees its own seed, nothing of the one before",
          "[e2e][slapd][reuse]") {
    auto dir = RunDirectory::create("reuse-test");
    REQUIRE(dir);
    std::vector<scenario::Scenario> scenarios = {
        fromText(dir->path(), "reuse_dirty", kDirty),
        fromText(dir->path(), "reuse_pristine", kPristine),
        fromText(dir->path(), "reuse_other_rights", kOtherRights),
        fromText(dir->path(), "reuse_pristine", kPristine)};
    auto options = optionsFor(referenceAgent());
    options.jobs = 1;
    const auto run = harness::runScenarios(scenarios, options, nullptr);
    REQUIRE(run.cases.size() == 4);
    for (const auto& r : run.cases) {
        requirePassed(r);
    }
    CHECK_FALSE(ranOnReusedDirectory(run.cases[0]));
    CHECK(ranOnReusedDirectory(run.cases[1]));
    // Other connector rights need another slapd.conf: a fresh directory, then reused again.
    CHECK_FALSE(ranOnReusedDirectory(run.cases[2]));
    CHECK_FALSE(ranOnReusedDirectory(run.cases[3]));
}
