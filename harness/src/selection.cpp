#include <wblab/harness/selection.hpp>
#include <wblab/scenario/symptoms.hpp>

#include <algorithm>
#include <regex>
#include <set>

namespace wblab::harness {

namespace {

bool anyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
    return wanted.empty() || std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
               return std::find(have.begin(), have.end(), w) != have.end();
           });
}

bool noneOf(const std::vector<std::string>& unwanted, const std::vector<std::string>& have) {
    return std::none_of(unwanted.begin(), unwanted.end(), [&](const std::string& u) {
        return std::find(have.begin(), have.end(), u) != have.end();
    });
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

/// Every --id must name a scenario: a typo would otherwise select nothing, or less than meant.
Expected<void> checkIdsExist(const std::vector<scenario::Scenario>& scenarios,
                             const std::vector<std::string>& ids) {
    std::set<std::string> known;
    for (const auto& s : scenarios) {
        known.insert(s.id);
    }
    for (const auto& id : ids) {
        if (known.count(id) == 0) {
            return makeError(ErrorCode::InvalidInput,
                             "--id: no scenario has the id '" + id +
                                 "' (`wblab list` shows the ids; a matrix row's id includes its "
                                 "[parameters])");
        }
    }
    return {};
}

}  // namespace

Expected<Selection> withShard(Selection selection, const std::string& shard) {
    auto slash = shard.find('/');
    try {
        if (slash == std::string::npos) {
            throw std::invalid_argument("no slash");
        }
        std::size_t used = 0;
        int k = std::stoi(shard.substr(0, slash), &used);
        if (used != slash) {
            throw std::invalid_argument("trailing text");
        }
        int n = std::stoi(shard.substr(slash + 1), &used);
        if (used != shard.size() - slash - 1 || k < 1 || n < 1 || k > n) {
            throw std::invalid_argument("out of range");
        }
        selection.shardIndex = k;
        selection.shardCount = n;
        return selection;
    } catch (const std::exception&) {
        return makeError(ErrorCode::InvalidInput,
                         "--shard wants K/N with 1 <= K <= N, e.g. 2/4; got '" + shard + "'");
    }
}

std::vector<std::string> splitIds(const std::vector<std::string>& values) {
    std::vector<std::string> ids;
    for (const auto& value : values) {
        std::string id;
        int depth = 0;
        for (char c : value) {
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            if (c == ',' && depth <= 0) {
                ids.push_back(id);
                id.clear();
            } else {
                id += c;
            }
        }
        ids.push_back(id);
    }
    ids.erase(std::remove(ids.begin(), ids.end(), std::string()), ids.end());
    return ids;
}

namespace {

/// Whether the scenario expects any of the selection's events and any of its outcomes.
bool showsSymptom(const scenario::Scenario& s, const Selection& selection) {
    const bool event = selection.events.empty() ||
                       std::any_of(selection.events.begin(), selection.events.end(), [&](int id) {
                           return scenario::expectsEvent(s, id);
                       });
    const bool outcome =
        selection.outcomes.empty() ||
        std::any_of(selection.outcomes.begin(), selection.outcomes.end(), [&](sim::Outcome o) {
            return scenario::expectsOutcome(s, o);
        });
    return event && outcome;
}

}  // namespace

Expected<std::vector<Chosen>> chooseScenarios(const std::vector<scenario::Scenario>& scenarios,
                                              const Selection& selection) {
    std::regex pattern;
    if (!selection.filter.empty()) {
        try {
            pattern = std::regex(selection.filter, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            return makeError(ErrorCode::InvalidInput,
                             "--filter is not a valid regular expression: " + selection.filter);
        }
    }
    WBLAB_TRY(checkIdsExist(scenarios, selection.ids), "");
    std::vector<Chosen> chosen;
    std::size_t position = 0;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
        const auto& s = scenarios[i];
        if (!anyOf(selection.tags, s.tags) || !noneOf(selection.excludeTags, s.tags) ||
            !anyOf(selection.criteria, s.criteria)) {
            continue;
        }
        if (!selection.ids.empty() && !contains(selection.ids, s.id)) {
            continue;
        }
        if (selection.lastFailed && !contains(*selection.lastFailed, s.id)) {
            continue;
        }
        if (!selection.filter.empty() && !std::regex_search(s.id, pattern)) {
            continue;
        }
        if (!showsSymptom(s, selection)) {
            continue;
        }
        const std::size_t here = position++;
        if (static_cast<int>(here % static_cast<std::size_t>(selection.shardCount)) ==
            selection.shardIndex - 1) {
            chosen.push_back({i, here});
        }
    }
    return chosen;
}

Expected<std::vector<scenario::Scenario>> selectScenarios(
    const std::vector<scenario::Scenario>& scenarios, const Selection& selection) {
    WBLAB_TRY_ASSIGN(auto chosen, chooseScenarios(scenarios, selection), "");
    std::vector<scenario::Scenario> out;
    for (const auto& c : chosen) {
        out.push_back(scenarios[c.index]);
    }
    return out;
}

}  // namespace wblab::harness
