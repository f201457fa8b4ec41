#pragma once
// File: diagnose.hpp
//
// `wblab diagnose`: which documented cause reproduces what a scenario observed. The scenario's
// expectations are the observations (what the user saw, what the agent logged, the end state);
// diagnose runs the scenario as written with the correct reference agent, with each fault of the
// agent's zoo, and with each documented configuration cause added (connector rights, protected
// account, policy, account state, writeback off, agent or directory down, relay faults) or, when
// the scenario already has it, taken away, and ranks the candidates by how much of the evidence
// each reproduces. Causes never contradict what the scenario's `established:` says the evidence
// showed. Each cause carries the next step from the troubleshooting documentation.
//
//   auto d = diagnose(scenario, *resolveAgent("reference", argv0), faults, options, &std::cout);
//   printDiagnosis(d, std::cout);

#include <wblab/harness/runner.hpp>
#include <wblab/scenario/model.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace wblab::harness {

/// A documented configuration cause (the catalog is in causes.cpp).
struct CauseInfo {
    std::string id;        ///< "connector-reset-password", ...
    std::string title;     ///< what is wrong, in words
    std::string source;    ///< where it is documented
    std::string nextStep;  ///< what to do about it (Connect and cloud sync where they differ)
};

/// Every configuration cause diagnose knows, in the order it prefers among equals.
const std::vector<CauseInfo>& documentedCauses();

struct Candidate {
    enum class Kind {
        AsWritten,   ///< the scenario as it is, correct agent
        InScenario,  ///< a cause the scenario already has: what it explains is what is lost without
                     ///< it
        Added,       ///< a cause added to the scenario, correct agent
        AgentFault,  ///< the scenario as it is, the agent with one zoo fault
    };
    Kind kind = Kind::AsWritten;
    std::string name;  ///< the cause id or the fault's name
    std::string title;
    std::string source;
    std::string nextStep;
    int reproduced = 0;                ///< observations this candidate reproduces
    std::vector<std::string> matched;  ///< the observations it reproduces
    std::vector<std::string> missed;   ///< the observations it does not
    int lostWithout = 0;               ///< InScenario: observations lost when it is taken away
    std::string problem;               ///< the run itself did not finish (unresolved, ...)
};

struct Diagnosis {
    std::string scenario;
    std::vector<std::string> observations;  ///< what the evidence says, one per check
    bool reproducedAsWritten = false;
    std::vector<Candidate> ranked;     ///< best first; the as-written control is not in it
    std::vector<std::string> skipped;  ///< causes not tried, and why (established by evidence)
    bool interrupted = false;
};

/// Runs the candidates, `options.jobs` at a time. `faults` are the agent's --list-bugs names.
Diagnosis diagnose(const scenario::Scenario& scenario,
                   const AgentCommand& reference,
                   const std::vector<std::string>& faults,
                   const RunOptions& options,
                   std::ostream* progress);

/// The ranking: each candidate with the share of the evidence it reproduces, what it explains
/// and misses, its source and the next step.
void printDiagnosis(const Diagnosis& diagnosis, std::ostream& out, std::size_t shown = 5);

}  // namespace wblab::harness
