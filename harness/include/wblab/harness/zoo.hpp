#pragma once
// File: zoo.hpp
//
// The mutation score: the scenarios run against every fault an agent lists (`AGENT --list-bugs`,
// run as `AGENT --bug NAME`; docs/agent-protocol.md). A fault is credited with a criterion only
// when a check of that criterion failed under it (checks that could not be made because the
// agent hung or crashed count as failed for their own criteria, and for no other). The score is
// 100 % when every fault fails at least one criterion and every criterion whose checks the
// scenarios make is failed by at least one fault: no fault goes unseen and no criterion is
// checked only in name.
//
//   auto faults = listFaults(agent);
//   ZooResult zoo = runZoo(scenarios, catalog, agent, *faults, options, false, &std::cout);
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

struct ZooResult {
    std::string agent;  ///< how the report names the agent whose faults these are
    std::vector<std::string> faults;
    std::vector<std::string> criteria;   ///< with checks in the control run, catalog order
    std::vector<std::string> uncovered;  ///< catalog criteria no check was made for (not scored)
    /// (fault, criterion) -> the first scenario in which a check of the criterion failed.
    std::map<std::pair<std::string, std::string>, std::string> failedBy;
    /// Scenarios that fail with the correct agent: the matrix means nothing then.
    std::vector<std::string> controlFailures;
    bool quick = false;        ///< the matrix holds only the failures needed to decide the score
    bool interrupted = false;  ///< stopped by SIGINT/SIGTERM: no score may be claimed

    bool failed(const std::string& fault, const std::string& criterion) const;
    std::vector<std::string> faultsCaught() const;
    std::vector<std::string> criteriaKilled() const;
    /// The criteria a fault was credited with, in catalog order.
    std::vector<std::string> criteriaFailedBy(const std::string& fault) const;
    /// Percentage of faults caught plus criteria killed over faults plus criteria.
    double score() const;
    bool complete() const;
};

/// Runs the control (the agent as it is) and then every fault, `options.jobs` faults at a time,
/// each fault's scenarios in turn with one agent process when it can take another hello. Under
/// a fault, a scenario whose checked criteria have all failed already under it is skipped: the
/// matrix is the same, the run shorter. `quick` also skips, once a fault is caught, the
/// scenarios whose criteria other faults have failed: the score is still exact, the matrix
/// partial.
ZooResult runZoo(const std::vector<scenario::Scenario>& scenarios,
                 const scenario::Catalog& catalog,
                 const AgentCommand& agent,
                 const std::vector<std::string>& faults,
                 const RunOptions& options,
                 bool quick,
                 std::ostream* progress);

/// The matrix (criteria × faults), the faults and criteria left unmatched, and the score; an
/// interrupted zoo prints that it was interrupted and no score.
void printZoo(const ZooResult& zoo, std::ostream& out);

}  // namespace wblab::harness
