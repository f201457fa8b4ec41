#pragma once
// File: writer.hpp
//
// Writing a scenario back as YAML that the loader reads again to the same model: what `wblab
// import` drafts from evidence and what `wblab lab up --record` saves. Every field that differs
// from its default is written; matrices, includes and storms are written expanded. Comments
// (where a value came from) can be attached to the tenant's and the directory's keys, to users,
// steps and end expectations.
//
//   Annotations notes;
//   notes.before["steps.2"] = "audit.json:14: Reset password (self-service), failure";
//   std::string yaml = toYaml(scenario, notes);
//
// And the criterion an observed expectation is evidence for, so that drafts and recordings
// attribute their expectations the same way a person would (docs/criteria.md).

#include <wblab/scenario/model.hpp>

#include <map>
#include <string>
#include <vector>

namespace wblab::scenario {

/// Comments for the written file. Keys name what they comment on:
///   "tenant", "tenant.KEY", "onprem.policy", "onprem.policy.KEY", "onprem.connector",
///   "onprem.fine_grained_policies.NAME", "onprem.users.SAM", "onprem.users.SAM.KEY",
///   "steps.N" (1-based), "steps.N.expect.KEY", "expect.directory.SAM", "expect.risk.UPN".
/// `before` comments go on lines of their own above the item, `after` ones at the end of its
/// line; `header` lines open the file.
struct Annotations {
    std::vector<std::string> header;
    std::map<std::string, std::string> before;
    std::map<std::string, std::string> after;
};

/// The scenario as a YAML document.
std::string toYaml(const Scenario& scenario, const Annotations& notes = {});

/// A YAML scalar for `text`: plain when that reads back as the same string, else double-quoted
/// with escapes.
std::string yamlScalar(const std::string& text);

/// The catalog criterion an observed outcome of `action` is evidence for: a success of an
/// operation is evidence that the operation applies, a refusal for the rule that refused it.
std::string criterionForOutcome(const Action& action, sim::Outcome outcome);

}  // namespace wblab::scenario
