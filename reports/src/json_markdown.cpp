// report.json and summary.md: pure functions of a finished run.
#include <wblab/report/run_result.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

namespace wblab::report {

namespace {

constexpr int kSchemaVersion = 1;

/// Markdown table cells: no pipes or newlines from the data.
std::string cell(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '|') {
            out += "\\|";
        } else if (c == '\n' || c == '\r') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::vector<CriterionResult> criteriaOf(const RunResult& run) {
    std::map<std::string, CriterionResult> byId;
    for (const auto& c : run.cases) {
        for (const auto& id : c.criteria) {
            auto& r = byId[id];
            r.id = id;
            r.scenarios.push_back(c.id);
            if (isFailure(c.verdict)) {
                r.failed = true;
                ++r.failedCount;
            } else {
                ++r.passed;
            }
        }
    }
    std::vector<CriterionResult> out;
    for (auto& [id, r] : byId) {
        out.push_back(std::move(r));
    }
    return out;
}

std::string toJson(const RunResult& run) {
    using nlohmann::ordered_json;
    std::map<Verdict, int> counts;
    for (const auto& c : run.cases) {
        ++counts[c.verdict];
    }
    ordered_json summary = {{"total", run.cases.size()}};
    for (auto v : allVerdicts()) {
        summary[toString(v)] = counts[v];
    }
    summary["failed"] = run.anyFailure();
    summary["baselineProblems"] = run.baselineProblems;
    ordered_json criteria = ordered_json::array();
    for (const auto& c : criteriaOf(run)) {
        criteria.push_back({{"id", c.id},
                            {"verdict", c.failed ? "fail" : "pass"},
                            {"passed", c.passed},
                            {"failed", c.failedCount},
                            {"scenarios", c.scenarios}});
    }
    ordered_json scenarios = ordered_json::array();
    for (const auto& c : run.cases) {
        ordered_json checks = ordered_json::array();
        for (const auto& check : c.checks) {
            checks.push_back({{"name", check.name},
                              {"passed", check.passed},
                              {"expected", check.expected},
                              {"observed", check.observed}});
        }
        scenarios.push_back({{"id", c.id},
                             {"title", c.title},
                             {"file", c.file},
                             {"criteria", c.criteria},
                             {"verdict", toString(c.verdict)},
                             {"message", c.message},
                             {"durationMs", c.durationMs},
                             {"checks", checks},
                             {"timeline", c.timeline}});
    }
    ordered_json doc = {
        {"schemaVersion", kSchemaVersion},
        {"tool", {{"name", "wblab"}, {"version", run.toolVersion}}},
        {"run",
         {{"seed", run.seed},
          {"agent", run.agent},
          {"startedAt", run.startedAt},
          {"durationMs", run.durationMs},
          {"interrupted", run.interrupted}}},
        {"summary", summary},
        {"criteria", criteria},
        {"scenarios", scenarios},
    };
    // Invalid UTF-8 from an agent's diagnostic is replaced, not a reason to lose the report.
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string toMarkdown(const RunResult& run) {
    std::ostringstream out;
    int failed = 0;
    for (const auto& c : run.cases) {
        failed += isFailure(c.verdict) ? 1 : 0;
    }
    out << "## wblab: "
        << (failed == 0 ? "all scenarios passed"
                        : std::to_string(failed) + " of " + std::to_string(run.cases.size()) +
                              " scenarios failed")
        << "\n\n";
    out << "Agent `" << cell(run.agent) << "`, seed " << run.seed << ", " << run.cases.size()
        << " scenarios.";
    if (run.interrupted) {
        out << " **The run was interrupted**: scenarios that did not finish are unresolved.";
    }
    out << "\n\n";
    out << "| criterion | verdict | scenarios passed | failed |\n|---|---|---|---|\n";
    for (const auto& c : criteriaOf(run)) {
        out << "| " << cell(c.id) << " | " << (c.failed ? "❌ fail" : "✅ pass") << " | " << c.passed
            << " | " << c.failedCount << " |\n";
    }
    if (failed > 0) {
        out << "\n### Failures\n\n";
        for (const auto& c : run.cases) {
            if (!isFailure(c.verdict)) {
                continue;
            }
            out << "- **" << cell(c.id) << "** (" << toString(c.verdict) << ")\n";
            for (const auto& check : c.checks) {
                if (!check.passed) {
                    out << "  - " << cell(check.name) << ": expected " << cell(check.expected)
                        << ", observed " << cell(check.observed) << "\n";
                }
            }
        }
    }
    return out.str();
}

}  // namespace wblab::report
