#pragma once
// File: symptoms.hpp
//
// What a scenario says a support engineer would see, as data to search by: the agent events and
// the outcomes its steps expect (`wblab list --event 33004`, `--outcome SSPR_0029`).
//
//   if (expectsEvent(scenario, 33004)) { ... }

#include <wblab/scenario/model.hpp>

#include <vector>

namespace wblab::scenario {

/// Every agent event id the scenario's steps expect (`events` and `events_include`; not
/// `events_exclude`), in order of first appearance.
std::vector<int> expectedEvents(const Scenario& scenario);

/// Every outcome the scenario's steps expect, in order of first appearance.
std::vector<sim::Outcome> expectedOutcomes(const Scenario& scenario);

bool expectsEvent(const Scenario& scenario, int eventId);
bool expectsOutcome(const Scenario& scenario, sim::Outcome outcome);

}  // namespace wblab::scenario
