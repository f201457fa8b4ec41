#pragma once
// File: zoo.hpp
//
// The mutation score, in two halves. The agent's half: the scenarios run against every fault an
// agent lists (`AGENT --list-bugs`, run as `AGENT --bug NAME`; docs/agent-protocol.md), scored
// against the criteria whose subject is the agent. The lab's half: the scenarios run with the
// correct agent against every deliberate error of the cloud model (sim/lab_mutation.hpp),
// scored against the criteria whose subject is the cloud, which no agent fault can break.
//
// A fault or mutation is credited with a criterion only when a check of that criterion failed
// under it (checks that could not be made because the agent hung or crashed count as failed for
// their own criteria, and for no other). Each half scores 100 % when every one of its faults
// fails at least one criterion and every criterion of its subject whose checks the scenarios
// make is failed by at least one of its faults: no fault goes unseen and no criterion is checked
// only in name.
//
//   auto faults = listFaults(agent);
//   ZooResult zoo = runZoo(scenarios, catalog, agent, {*faults, labMutationNames()}, options,
//                          false, &std::cout);
//   printZoo(zoo, std::cout);

#include <wblab/harness/runner.hpp>
#include <wblab/scenario/catalog.hpp>
#include <wblab/scenario/model.hpp>

#include <map>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace wblab::harness {

/// The criteria a fault earns in one scenario's result: those of its failed checks; but when the
/// agent hung or crashed (a wb-answers-in-time check failed), only that criterion and those of
/// the checks that could not be made, not every consequence the silence had.
std::set<std::string> creditedCriteria(const report::CaseResult& result);

/// The fault names the agent lists with --list-bugs (one "name<TAB>description" per line).
Expected<std::vector<std::string>> listFaults(const AgentCommand& agent);

/// The names of the cloud model's deliberate errors (sim/lab_mutation.hpp), in order.
std::vector<std::string> labMutationNames();

/// Which faults a zoo runs.
struct ZooFaults {
    std::vector<std::string> agent;  ///< the agent's --bug names
    std::vector<std::string> lab;    ///< cloud-model mutations (labMutationNames())
};

/// One half of the score: its faults and the criteria they are scored against.
struct ZooHalf {
    std::vector<std::string> faults;
    std::vector<std::string> criteria;  ///< of this subject, with checks in the control run
    std::vector<std::string> caught;    ///< faults that failed some criterion of this half
    std::vector<std::string> killed;    ///< criteria failed by some fault of this half
    double score() const;
    bool complete() const;
};

struct ZooResult {
    std::string agent;                    ///< how the report names the agent whose faults these are
    std::vector<std::string> faults;      ///< the agent's
    std::vector<std::string> mutations;   ///< the lab's
    std::vector<std::string> criteria;    ///< with checks in the control run, catalog order
    std::set<std::string> cloudCriteria;  ///< the catalog's criteria whose subject is the cloud
    std::vector<std::string> uncovered;   ///< catalog criteria no check was made for (not scored)
    /// (fault or mutation, criterion) -> the first scenario in which a check of it failed.
    std::map<std::pair<std::string, std::string>, std::string> failedBy;
    /// Scenarios that fail with the correct agent: the matrix means nothing then.
    std::vector<std::string> controlFailures;
    bool quick = false;        ///< the matrix holds only the failures needed to decide the score
    bool interrupted = false;  ///< stopped by SIGINT/SIGTERM: no score may be claimed

    bool failed(const std::string& fault, const std::string& criterion) const;
    /// The criteria a fault or mutation was credited with, in catalog order.
    std::vector<std::string> criteriaFailedBy(const std::string& fault) const;
    /// The agent's faults against the agent criteria; the lab's mutations against the cloud's.
    ZooHalf agentHalf() const;
    ZooHalf labHalf() const;
    /// Both halves that ran are at 100 %, the control passed, nothing was interrupted.
    bool complete() const;
};

/// Runs the control (the agent as it is, the cloud as documented) and then every agent fault
/// and lab mutation, `options.jobs` at a time, each one's scenarios in turn with one agent
/// process when it can take another hello. Under a fault, a scenario whose checked criteria have
/// all failed already under it is skipped: the matrix is the same, the run shorter. `quick` also
/// skips, once a fault is caught, the scenarios whose criteria other faults of its half have
/// failed: the score is still exact, the matrix partial.
ZooResult runZoo(const std::vector<scenario::Scenario>& scenarios,
                 const scenario::Catalog& catalog,
                 const AgentCommand& agent,
                 const ZooFaults& faults,
                 const RunOptions& options,
                 bool quick,
                 std::ostream* progress);

/// Each half's matrix (criteria × faults), the faults and criteria left unmatched, and its score;
/// an interrupted zoo prints that it was interrupted and no score.
void printZoo(const ZooResult& zoo, std::ostream& out);

}  // namespace wblab::harness
