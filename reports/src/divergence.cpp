// Divergences of a differential run (run_result.hpp): the same scenario judged on two or more
// directory flavours, compared check by check.
#include <wblab/report/run_result.hpp>

#include <algorithm>
#include <map>
#include <optional>

namespace wblab::report {

namespace {

/// A check's identity across flavours: criterion, what, and which occurrence of that pair.
using CheckKey = std::string;

struct Observed {
    std::string status;  ///< passed | failed | not made
    std::string observed;
};

/// The checks of one case by key, and the keys in the case's order.
struct CheckIndex {
    std::map<CheckKey, Observed> byKey;
    std::vector<CheckKey> order;
};

CheckIndex indexChecks(const CaseResult& c) {
    CheckIndex index;
    std::map<std::string, int> seen;
    for (const auto& check : c.checks) {
        const std::string pair = check.criterion + '\x1f' + check.what;
        const CheckKey key = pair + '\x1f' + std::to_string(seen[pair]++);
        index.byKey[key] = {check.passed ? "passed" : (check.made ? "failed" : "not made"),
                            check.observed};
        index.order.push_back(key);
    }
    return index;
}

/// The cases of one scenario, one per flavour, in the run's flavour order.
using Group = std::vector<const CaseResult*>;

std::vector<Group> groupByScenario(const RunResult& run) {
    std::vector<std::string> order;
    std::map<std::string, Group> groups;
    for (const auto& c : run.cases) {
        if (groups.count(c.id) == 0) {
            order.push_back(c.id);
        }
        groups[c.id].push_back(&c);
    }
    auto rank = [&](const CaseResult* c) {
        auto at = std::find(run.directories.begin(), run.directories.end(), c->directory);
        return at - run.directories.begin();
    };
    std::vector<Group> out;
    for (const auto& id : order) {
        auto group = groups[id];
        std::stable_sort(
            group.begin(), group.end(), [&](auto* a, auto* b) { return rank(a) < rank(b); });
        out.push_back(std::move(group));
    }
    return out;
}

/// A flavour that did not run the scenario while another did: a declared divergence.
std::optional<Divergence> unsupportedSomewhere(const Group& group) {
    const auto unsupported = std::count_if(group.begin(), group.end(), [](const CaseResult* c) {
        return c->verdict == Verdict::Unsupported;
    });
    if (unsupported == 0 || unsupported == static_cast<long>(group.size())) {
        return std::nullopt;
    }
    Divergence d{group.front()->id, "", "verdict", {}, true, ""};
    for (const auto* c : group) {
        d.sides.push_back({c->directory, toString(c->verdict), "", c->message});
        if (c->verdict == Verdict::Unsupported && d.reason.empty()) {
            d.reason = c->directory + ": " + c->message;
        }
    }
    return d;
}

/// Every check whose status differs between the flavours, in the first flavour's order, then
/// the checks only later flavours made.
std::vector<Divergence> checkDivergences(const Group& group) {
    std::vector<CheckIndex> indexes;
    std::vector<CheckKey> keys;
    for (const auto* c : group) {
        indexes.push_back(indexChecks(*c));
        for (const auto& key : indexes.back().order) {
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
                keys.push_back(key);
            }
        }
    }
    std::vector<Divergence> out;
    for (const auto& key : keys) {
        std::vector<DivergenceSide> sides;
        for (std::size_t i = 0; i < group.size(); ++i) {
            auto at = indexes[i].byKey.find(key);
            sides.push_back({group[i]->directory,
                             toString(group[i]->verdict),
                             at == indexes[i].byKey.end() ? "absent" : at->second.status,
                             at == indexes[i].byKey.end() ? "" : at->second.observed});
        }
        const bool agree = std::all_of(sides.begin(), sides.end(), [&](const auto& side) {
            return side.check == sides.front().check;
        });
        if (!agree) {
            const auto criterionEnd = key.find('\x1f');
            const auto whatEnd = key.rfind('\x1f');
            out.push_back({group.front()->id,
                           key.substr(0, criterionEnd),
                           key.substr(criterionEnd + 1, whatEnd - criterionEnd - 1),
                           std::move(sides),
                           false,
                           ""});
        }
    }
    return out;
}

std::optional<Divergence> verdictDivergence(const Group& group) {
    const bool agree = std::all_of(group.begin(), group.end(), [&](const CaseResult* c) {
        return c->verdict == group.front()->verdict;
    });
    if (agree) {
        return std::nullopt;
    }
    Divergence d{group.front()->id, "", "verdict", {}, false, ""};
    for (const auto* c : group) {
        d.sides.push_back({c->directory, toString(c->verdict), "", c->message});
    }
    return d;
}

}  // namespace

std::vector<Divergence> divergencesOf(const RunResult& run) {
    std::vector<Divergence> out;
    if (!run.differential()) {
        return out;
    }
    for (const auto& group : groupByScenario(run)) {
        if (group.size() < 2) {
            continue;  // an interrupted run may not have reached the other flavour
        }
        if (auto declared = unsupportedSomewhere(group)) {
            out.push_back(std::move(*declared));
            continue;
        }
        auto checks = checkDivergences(group);
        if (checks.empty()) {
            if (auto verdict = verdictDivergence(group)) {
                checks.push_back(std::move(*verdict));
            }
        }
        out.insert(out.end(), checks.begin(), checks.end());
    }
    return out;
}

bool anyUndeclaredDivergence(const std::vector<Divergence>& divergences) {
    return std::any_of(
        divergences.begin(), divergences.end(), [](const auto& d) { return !d.declared; });
}

std::string caseLabel(const RunResult& run, const CaseResult& c) {
    if (!run.differential() || c.directory.empty()) {
        return c.id;
    }
    return c.id + " on " + c.directory;
}

}  // namespace wblab::report
