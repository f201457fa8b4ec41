#include <wblab/harness/selection.hpp>

#include <algorithm>
#include <regex>

namespace wblab::harness {

namespace {

bool anyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
    return wanted.empty() || std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
               return std::find(have.begin(), have.end(), w) != have.end();
           });
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

Expected<std::vector<scenario::Scenario>> selectScenarios(
    const std::vector<scenario::Scenario>& scenarios, const Selection& selection) {
    std::regex pattern;
    if (!selection.filter.empty()) {
        try {
            pattern = std::regex(selection.filter, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            return makeError(ErrorCode::InvalidInput,
                             "--filter is not a valid regular expression: " + selection.filter);
        }
    }
    std::vector<scenario::Scenario> chosen;
    int position = 0;
    for (const auto& s : scenarios) {
        if (!anyOf(selection.tags, s.tags) || !anyOf(selection.criteria, s.criteria)) {
            continue;
        }
        if (!selection.filter.empty() && !std::regex_search(s.id, pattern)) {
            continue;
        }
        if (position++ % selection.shardCount == selection.shardIndex - 1) {
            chosen.push_back(s);
        }
    }
    return chosen;
}

}  // namespace wblab::harness
