#pragma once
// File: catalog.hpp
//
// The criteria catalog (criteria/catalog.yaml, embedded in the binary at build time): each
// conformance criterion with its title, level, exit criterion, DOMAIN.md source and description.
// Every check a scenario makes names one of these criteria; the loader refuses ids the catalog
// does not know. Some criteria are checked by the harness itself wherever they apply (passwords
// sealed, none logged, the agent answering in time, the cloud agreeing with the directory), and
// some expectation kinds decide their criterion (an `events` expectation is evidence for
// wb-event-ids unless the scenario says otherwise).
//
//   const auto& catalog = builtinCatalog();
//   if (const Criterion* c = catalog->find("wb-reset-applies")) { ... }

#include <wblab/scenario/model.hpp>
#include <wblab/support/expected.hpp>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace wblab::scenario {

struct Criterion {
    std::string id;
    std::string title;
    std::string level;  ///< required | recommended
    /// What a fault must be in to break it: "agent" (the writeback implementation under test)
    /// or "cloud" (the service wblab models). The zoo scores each against its own faults.
    std::string subject;
    std::string exitCriterion;
    std::string source;
    std::string description;
    SourcePos where;
};

struct ExitCriterion {
    std::string id;
    std::string title;
};

struct Catalog {
    std::vector<ExitCriterion> exitCriteria;
    std::vector<Criterion> criteria;

    const Criterion* find(const std::string& id) const;
    bool isExitCriterion(const std::string& id) const;
};

/// Parses a catalog; errors name file:line:column.
Expected<Catalog> parseCatalog(const std::string& text, const std::string& file);

/// The catalog built into this binary (criteria/catalog.yaml at build time).
const Expected<Catalog>& builtinCatalog();

/// The criteria whose checks the harness makes by itself and those an expectation kind decides.
namespace criteria {
inline constexpr const char* kEncryptedInTransit = "sec-encrypted-in-transit";
inline constexpr const char* kNeverLogged = "sec-never-logged";
inline constexpr const char* kAnswersInTime = "wb-answers-in-time";
inline constexpr const char* kConvergence = "wb-convergence";
inline constexpr const char* kEventIds = "wb-event-ids";
inline constexpr const char* kReasonCodes = "wb-reason-codes";
inline constexpr const char* kReplayRejected = "sec-replay-rejected";

/// The four the harness checks in every scenario where they apply, whatever it expects.
const std::vector<std::string>& automatic();
bool isAutomatic(const std::string& id);
}  // namespace criteria

/// The behaviours of `criterionId` that scenarios test alone (their `isolates:`), with the
/// scenario that does, in the given order.
std::vector<std::pair<std::string, Isolation>> isolationsOf(const std::string& criterionId,
                                                            const std::vector<Scenario>& scenarios);

/// The scenarios (by id) that cover `criterionId`, in the given order.
std::vector<std::string> scenariosCovering(const std::string& criterionId,
                                           const std::vector<Scenario>& scenarios);

/// docs/criteria.md: every exit criterion, each criterion with its level, source, description
/// and the scenarios that cover it.
std::string criteriaMarkdown(const Catalog& catalog, const std::vector<Scenario>& scenarios);

/// `wblab criteria`: one line per criterion (id, level, exit criterion, scenarios, title).
void listCriteria(const Catalog& catalog,
                  const std::vector<Scenario>& scenarios,
                  std::ostream& out);

/// `wblab explain CRITERION`: the criterion, its source, level and covering scenarios.
void explainCriterion(const Criterion& criterion,
                      const Catalog& catalog,
                      const std::vector<Scenario>& scenarios,
                      std::ostream& out);

}  // namespace wblab::scenario
