#pragma once
// File: catalog.hpp
//
// The criteria catalog (criteria/catalog.yaml, embedded in the binary at build time): each
// conformance criterion with its title, level, exit criterion, DOMAIN.md source and description.
// Scenarios name criteria by id; the loader refuses ids the catalog does not know, and reports
// roll scenario verdicts up per criterion and per exit criterion.
//
//   const auto& catalog = builtinCatalog();
//   if (const Criterion* c = catalog->find("wb-reset-applies")) { ... }

#include <wblab/harness/scenario.hpp>
#include <wblab/report/run_result.hpp>
#include <wblab/support/expected.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace wblab::harness {

struct Criterion {
    std::string id;
    std::string title;
    std::string level;  ///< required | recommended
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

/// Copies the catalog into a run's result, so that reports can group and roll up.
void attachCatalog(const Catalog& catalog, report::RunResult& run);

/// The scenarios (by id) that name `criterionId`, in the given order.
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

}  // namespace wblab::harness
