#include <wblab/harness/baseline.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace wblab::harness {

namespace {

Error errorAt(const std::string& file, const YAML::Node& node, const std::string& message) {
    auto mark = node.Mark();
    return Error{ErrorCode::InvalidInput, message, SourcePos{file, mark.line + 1, mark.column + 1}};
}

}  // namespace

Expected<Baseline> loadBaseline(const std::string& path) {
    Baseline baseline;
    baseline.file = path;
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        return Error{ErrorCode::NotFound, "cannot read the baseline file", SourcePos{path, 0, 0}};
    } catch (const YAML::Exception& e) {
        return Error{
            ErrorCode::InvalidInput, e.msg, SourcePos{path, e.mark.line + 1, e.mark.column + 1}};
    }
    if (!root.IsMap()) {
        return Error{ErrorCode::InvalidInput,
                     "a baseline is a mapping with 'expected_failures'",
                     SourcePos{path, 1, 1}};
    }
    for (const auto& kv : root) {
        const auto key = kv.first.Scalar();
        if (key != "agent" && key != "expected_failures") {
            return errorAt(
                path, kv.first, key + ": unknown key (expected one of: agent, expected_failures)");
        }
    }
    const auto& list = root["expected_failures"];
    if (!list || !list.IsSequence()) {
        return errorAt(path, list ? list : root, "expected_failures: expected a list");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& e = list[i];
        const std::string where = "expected_failures[" + std::to_string(i) + "]";
        if (!e.IsMap() || !e["scenario"] || !e["scenario"].IsScalar()) {
            return errorAt(path, e, where + ": needs 'scenario' (and a 'reason')");
        }
        for (const auto& kv : e) {
            const auto key = kv.first.Scalar();
            if (key != "scenario" && key != "reason") {
                return errorAt(path,
                               kv.first,
                               where + "." + key + ": unknown key (expected scenario, reason)");
            }
        }
        BaselineEntry entry{e["scenario"].Scalar(),
                            e["reason"] && e["reason"].IsScalar() ? e["reason"].Scalar() : "",
                            e.Mark().line + 1};
        if (!seen.insert(entry.scenario).second) {
            return errorAt(path, e["scenario"], where + ".scenario: listed twice");
        }
        baseline.entries.push_back(std::move(entry));
    }
    return baseline;
}

void applyBaseline(const Baseline& baseline,
                   const std::vector<std::string>& knownScenarioIds,
                   report::RunResult& run) {
    using report::Verdict;
    for (const auto& entry : baseline.entries) {
        if (std::find(knownScenarioIds.begin(), knownScenarioIds.end(), entry.scenario) ==
            knownScenarioIds.end()) {
            run.baselineProblems.push_back(baseline.file + ":" + std::to_string(entry.line) +
                                           ": stale entry: no scenario '" + entry.scenario + "'");
            continue;
        }
        for (auto& c : run.cases) {
            if (c.id != entry.scenario) {
                continue;
            }
            if (c.verdict == Verdict::Fail || c.verdict == Verdict::Timeout) {
                c.verdict = Verdict::XFail;
                c.message = "expected failure (" + entry.reason + "): " + c.message;
            } else if (c.verdict == Verdict::Pass) {
                c.verdict = Verdict::XPass;
                c.message = "listed as an expected failure in " + baseline.file +
                            " but passed: remove the entry";
            }
        }
    }
}

}  // namespace wblab::harness
