#pragma once
// File: selection.hpp
//
// Which scenarios a run takes: by tag (and not by tag), by exact id, by id pattern, by criterion,
// by an agent event or an outcome a step expects (what a customer's evidence shows),
// the failures of an earlier run, and one shard of N, so that CI can split a suite across
// machines and merge the reports.
//
//   Selection sel{.tags = {"smoke"}, .excludeTags = {"slow"}, .shardIndex = 2, .shardCount = 4};
//   auto chosen = selectScenarios(all, sel);

#include <wblab/scenario/model.hpp>
#include <wblab/support/expected.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace wblab::harness {

struct Selection {
    std::vector<std::string> tags;         ///< any of these tags (empty: no constraint)
    std::vector<std::string> excludeTags;  ///< none of these tags
    /// Exactly these ids (a matrix row's id is its own, `0301_x[min_length=8,...]`); an id that
    /// names no scenario is an error. Empty: no constraint.
    std::vector<std::string> ids;
    std::string filter;                 ///< ECMAScript regex searched in the scenario id
    std::vector<std::string> criteria;  ///< any of these criteria
    /// Any of these agent events among what the steps expect (`events`, `events_include`): a
    /// support engineer's search, `--event 33004`.
    std::vector<int> events;
    std::vector<sim::Outcome> outcomes;  ///< any of these outcomes expected by a step
    /// Only these ids, the failures of an earlier run (--last-failed); ids that no longer name a
    /// scenario are skipped, not errors.
    std::optional<std::vector<std::string>> lastFailed;
    int shardIndex = 1;  ///< 1-based
    int shardCount = 1;
};

/// Parses "K/N" with 1 <= K <= N.
Expected<Selection> withShard(Selection selection, const std::string& shard);

/// `--id` values: each may hold several ids separated by commas outside brackets, so that a
/// matrix id's own commas (`0301_x[min_length=8,outcome=success]`) stay in it.
std::vector<std::string> splitIds(const std::vector<std::string>& values);

/// A scenario the selection takes: its index in the given scenarios, and its position in the
/// selection before sharding (the same in every shard and in the whole run; merging shards puts
/// the scenarios back in this order).
struct Chosen {
    std::size_t index = 0;
    std::size_t position = 0;
};

Expected<std::vector<Chosen>> chooseScenarios(const std::vector<scenario::Scenario>& scenarios,
                                              const Selection& selection);

/// The scenarios that pass every constraint, in their given order; the shard takes every N-th of
/// those, starting with the K-th.
Expected<std::vector<scenario::Scenario>> selectScenarios(
    const std::vector<scenario::Scenario>& scenarios, const Selection& selection);

}  // namespace wblab::harness
