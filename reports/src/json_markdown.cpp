// report.json and summary.md: pure functions of a finished run.
#include <wblab/report/run_result.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <sstream>

namespace wblab::report {

namespace {

constexpr int kSchemaVersion = 2;

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

std::string verdictMark(const std::string& verdict) {
    if (verdict == "pass") {
        return "✅ pass";
    }
    if (verdict == "fail") {
        return "❌ fail";
    }
    if (verdict == "warn") {
        return "⚠️ warn";
    }
    return "➖ " + verdict;
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
            } else if (c.verdict != Verdict::Unsupported) {
                ++r.passed;
            }
        }
    }
    auto finish = [](CriterionResult r) {
        r.verdict = r.failed ? "fail" : (r.passed > 0 ? "pass" : "not-run");
        return r;
    };
    std::vector<CriterionResult> out;
    for (const auto& info : run.catalog) {
        auto it = byId.find(info.id);
        CriterionResult r = it == byId.end() ? CriterionResult{} : std::move(it->second);
        r.id = info.id;
        r.info = info;
        out.push_back(finish(std::move(r)));
        if (it != byId.end()) {
            byId.erase(it);
        }
    }
    for (auto& [id, r] : byId) {
        r.info.id = id;
        r.info.exitCriterion = run.catalog.empty() ? "" : "uncategorised";
        out.push_back(finish(std::move(r)));
    }
    return out;
}

std::vector<ExitCriterionResult> exitCriteriaOf(const RunResult& run) {
    std::vector<ExitCriterionResult> out;
    for (const auto& info : run.exitCriteria) {
        out.push_back(ExitCriterionResult{info, "not-run", 0, 0, {}, {}, {}});
    }
    for (const auto& c : criteriaOf(run)) {
        auto it = std::find_if(out.begin(), out.end(), [&](const ExitCriterionResult& e) {
            return e.info.id == c.info.exitCriterion;
        });
        if (it == out.end()) {
            continue;  // a criterion outside the catalog rolls up nowhere
        }
        it->criteria.push_back(c.id);
        if (c.verdict == "not-run") {
            ++it->notRun;
        } else if (c.verdict == "pass") {
            ++it->passed;
        } else if (c.info.level == "recommended") {
            it->failedRecommended.push_back(c.id);
        } else {
            it->failedRequired.push_back(c.id);
        }
    }
    for (auto& e : out) {
        if (!e.failedRequired.empty()) {
            e.verdict = "fail";
        } else if (!e.failedRecommended.empty()) {
            e.verdict = "warn";
        } else if (e.passed > 0) {
            e.verdict = "pass";
        }
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
                            {"title", c.info.title},
                            {"level", c.info.level},
                            {"exitCriterion", c.info.exitCriterion},
                            {"source", c.info.source},
                            {"verdict", c.verdict},
                            {"passed", c.passed},
                            {"failed", c.failedCount},
                            {"scenarios", c.scenarios}});
    }
    ordered_json exitCriteria = ordered_json::array();
    for (const auto& e : exitCriteriaOf(run)) {
        exitCriteria.push_back({{"id", e.info.id},
                                {"title", e.info.title},
                                {"verdict", e.verdict},
                                {"criteriaPassed", e.passed},
                                {"criteriaNotRun", e.notRun},
                                {"failedRequired", e.failedRequired},
                                {"failedRecommended", e.failedRecommended},
                                {"criteria", e.criteria}});
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
                             {"seed", c.seed},
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
        {"exitCriteria", exitCriteria},
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
    const auto exits = exitCriteriaOf(run);
    if (!exits.empty()) {
        out << "| exit criterion | verdict | criteria passed | failed | not run |\n"
               "|---|---|---|---|---|\n";
        for (const auto& e : exits) {
            std::string failedIds;
            for (const auto& id : e.failedRequired) {
                failedIds += (failedIds.empty() ? "" : ", ") + id;
            }
            for (const auto& id : e.failedRecommended) {
                failedIds += (failedIds.empty() ? "" : ", ") + id + " (recommended)";
            }
            out << "| " << cell(e.info.id) << " | " << verdictMark(e.verdict) << " | " << e.passed
                << " | " << (failedIds.empty() ? "0" : cell(failedIds)) << " | " << e.notRun
                << " |\n";
        }
        out << "\n";
    }
    out << "| criterion | level | verdict | scenarios passed | failed |\n|---|---|---|---|---|\n";
    for (const auto& c : criteriaOf(run)) {
        out << "| " << cell(c.id) << (c.info.title.empty() ? "" : ": " + cell(c.info.title))
            << " | " << cell(c.info.level) << " | " << verdictMark(c.verdict) << " | " << c.passed
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
