#pragma once
// File: zoo.hpp
//
// The mutation score: the scenarios run against every fault of the reference agent's bug zoo
// (`wblab-agent --list-bugs`, run as `wblab-agent --bug NAME`). A fault fails a criterion when a
// scenario naming that criterion fails under it. The score is 100 % when every fault fails at
// least one criterion and every criterion the scenarios cover is failed by at least one fault:
// then no fault goes unseen and no criterion is checked only in name.
//
//   auto faults = listFaults(reference);
//   ZooResult zoo = runZoo(scenarios, *faults, options, &std::cout);
//   printZoo(zoo, std::cout);

#include <wblab/harness/catalog.hpp>
#include <wblab/harness/runner.hpp>
#include <wblab/harness/scenario.hpp>

#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace wblab::harness {

/// The fault names the agent lists with --list-bugs (one "name<TAB>description" per line).
Expected<std::vector<std::string>> listFaults(const AgentCommand& reference);

struct ZooResult {
    std::vector<std::string> faults;
    std::vector<std::string> criteria;   ///< covered by the scenarios, catalog order
    std::vector<std::string> uncovered;  ///< catalog criteria no scenario names (not scored)
    /// (fault, criterion) -> the first scenario that failed under the fault.
    std::map<std::pair<std::string, std::string>, std::string> failedBy;
    /// Scenarios that fail with the correct agent: the matrix means nothing then.
    std::vector<std::string> controlFailures;
    bool quick = false;  ///< the matrix holds only the failures needed to decide the score

    bool failed(const std::string& fault, const std::string& criterion) const;
    std::vector<std::string> faultsCaught() const;
    std::vector<std::string> criteriaKilled() const;
    /// Percentage of faults caught plus criteria killed over faults plus criteria.
    double score() const;
    bool complete() const;
};

/// Runs the control (the reference agent as it is) and then every fault, `options.jobs` faults
/// at a time. Under a fault, a scenario whose criteria have all failed already under it is
/// skipped: the matrix is the same, the run shorter. `quick` also skips, once a fault is caught,
/// the scenarios whose criteria other faults have failed: the score is still exact, the matrix
/// partial.
ZooResult runZoo(const std::vector<Scenario>& scenarios,
                 const Catalog& catalog,
                 const AgentCommand& reference,
                 const std::vector<std::string>& faults,
                 const RunOptions& options,
                 bool quick,
                 std::ostream* progress);

/// The matrix (criteria × faults), the faults and criteria left unmatched, and the score.
void printZoo(const ZooResult& zoo, std::ostream& out);

}  // namespace wblab::harness
