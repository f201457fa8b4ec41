// A worker's directory serves scenario after scenario (fixture_pool.hpp): a scenario that runs
// after one that changed the policy, lockouts, password history and account states sees its own
// seed and nothing of the first one's.
#include "agent_slot.hpp"
#include "e2e_support.hpp"
#include "fixture_pool.hpp"
#include "scenario_run.hpp"

#include <wblab/support/files.hpp>

#include <filesystem>
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

/// Moves the clock past the minimum age: the second reset the same day is refused, the one two
/// days later goes through. On slapd's clock, not only the lab's.
const char* kClockMoves = R"(id: reuse_clock_moves
title: Moves the clock on a reused directory
criteria: [wb-min-age]
onprem:
  policy: {min_age: 1d}
  users:
    - {sam: user1, upn: user1@testlab.example, password: "Seed-Passw0rd-1", password_age: 3d}
steps:
  - sspr_reset: {user: user1@testlab.example, new_password: "Spring-Garden-1"}
    expect: {outcome: success, criterion: wb-min-age}
  - sspr_reset: {user: user1@testlab.example, new_password: "Autumn-Harbour-1"}
    expect: {outcome: policy_violation, reason: 33008, criterion: wb-min-age}
  - advance: 2d
  - sspr_reset: {user: user1@testlab.example, new_password: "Winter-Meadow-1"}
    expect: {outcome: success, criterion: wb-min-age}
expect:
  directory:
    - {user: user1, binds: ["Winter-Meadow-1"], criterion: wb-min-age}
)";

/// The same user's password set now, on its own clock: a reset is too soon. On the clock the
/// scenario before left behind (two days on), it would go through.
const char* kOwnClock = R"(id: reuse_own_clock
title: Starts at its own clock on a reused directory
criteria: [wb-min-age]
onprem:
  policy: {min_age: 1d}
  users:
    - {sam: user1, upn: user1@testlab.example, password: "Seed-Passw0rd-1"}
steps:
  - sspr_reset: {user: user1@testlab.example, new_password: "Spring-Garden-1"}
    expect: {outcome: policy_violation, reason: 33008, criterion: wb-min-age}
expect:
  directory:
    - {user: user1, binds: ["Seed-Passw0rd-1"], criterion: wb-min-age}
)";

scenario::Scenario fromText(const std::string& dir, const std::string& id, const char* text) {
    const std::string path = dir + "/" + id + ".yaml";
    std::ofstream(path) << text;
    return load(path);
}

void requirePassed(const report::CaseResult& r) {
    INFO(r.id << ": " << r.message);
    for (const auto& c : r.checks) {
        INFO(c.what << ": expected " << c.expected << ", observed " << c.observed);
        CHECK(c.passed);
    }
    REQUIRE(r.verdict == Verdict::Pass);
}

/// One worker's agent slot and directory pool, as runScenarios gives each worker: scenarios in
/// turn, each required to pass; close() ends the kept agent and directories, and requires the
/// checks settled then (the agent's log, at the next hello or its exit) to pass too.
struct OneWorker {
    explicit OneWorker(std::size_t scenarios) { results.reserve(scenarios); }

    /// The directory the scenario ran on, kept by the pool for the next one.
    const fixture::Directory& run(const scenario::Scenario& s) {
        REQUIRE(results.size() < results.capacity());  // settleLater() keeps a pointer
        results.push_back(harness::ScenarioRun(s, options, slot, &pool).run());
        slot.settleLater(results.back());
        requirePassed(results.back());
        REQUIRE(pool.idle() != nullptr);
        return *pool.idle();
    }

    void close() {
        slot.close();
        pool.close();
        for (const auto& r : results) {
            requirePassed(r);
        }
    }

    harness::RunOptions options = optionsFor(referenceAgent());
    harness::AgentSlot slot;
    harness::FixturePool pool;
    std::vector<report::CaseResult> results;
};

}  // namespace

TEST_CASE("A scenario on a reused directory sees its own seed, nothing of the one before",
          "[e2e][slapd][reuse]") {
    auto dir = RunDirectory::create("reuse-test");
    REQUIRE(dir);
    const auto dirty = fromText(dir->path(), "reuse_dirty", kDirty);
    const auto pristine = fromText(dir->path(), "reuse_pristine", kPristine);
    const auto otherRights = fromText(dir->path(), "reuse_other_rights", kOtherRights);
    OneWorker worker(6);
    auto run = [&](const scenario::Scenario& s) { return worker.run(s).runDirectory(); };
    const std::string first = run(dirty);
    CHECK(run(pristine) == first);
    // Other connector rights need another slapd.conf: a fresh directory, reused for the same
    // rights; the one with the default rights was kept beside it and serves them again.
    const std::string second = run(otherRights);
    CHECK(second != first);
    CHECK(run(otherRights) == second);
    CHECK(run(pristine) == first);
    CHECK(run(otherRights) == second);
    worker.close();
    for (const auto& path : {first, second}) {
        CHECK_FALSE(std::filesystem::exists(path));
    }
}

TEST_CASE("A scenario after one that moved the clock starts at its own, on the same slapd",
          "[e2e][slapd][reuse][time]") {
    auto dir = RunDirectory::create("reuse-clock-test");
    REQUIRE(dir);
    const auto moves = fromText(dir->path(), "reuse_clock_moves", kClockMoves);
    const auto own = fromText(dir->path(), "reuse_own_clock", kOwnClock);
    OneWorker worker(3);
    std::string runDirectory;
    for (const auto* s : {&moves, &own, &moves}) {
        runDirectory = worker.run(*s).runDirectory();
    }
    // One slapd for the three: neither the advance nor the clocks taken back restarted it (each
    // start keeps the previous log as slapd.log.N).
    CHECK(testkit::entriesStartingWith(runDirectory, "slapd.log.").empty());
    worker.close();
}
