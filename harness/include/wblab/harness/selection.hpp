#pragma once
// File: selection.hpp
//
// Which scenarios a run takes: by tag, by id pattern, by criterion, and one shard of N, so that
// CI can split a suite across machines and merge the reports.
//
//   Selection sel{.tags = {"smoke"}, .shardIndex = 2, .shardCount = 4};
//   auto chosen = selectScenarios(all, sel);

#include <wblab/scenario/model.hpp>
#include <wblab/support/expected.hpp>

#include <string>
#include <vector>

namespace wblab::harness {

struct Selection {
    std::vector<std::string> tags;      ///< any of these tags (empty: no constraint)
    std::string filter;                 ///< ECMAScript regex searched in the scenario id
    std::vector<std::string> criteria;  ///< any of these criteria
    int shardIndex = 1;                 ///< 1-based
    int shardCount = 1;
};

/// Parses "K/N" with 1 <= K <= N.
Expected<Selection> withShard(Selection selection, const std::string& shard);

/// The scenarios that pass every constraint, in their given order; the shard takes every N-th of
/// those, starting with the K-th.
Expected<std::vector<scenario::Scenario>> selectScenarios(
    const std::vector<scenario::Scenario>& scenarios, const Selection& selection);

}  // namespace wblab::harness
