// report.json (schema 3): a pure function of a finished run.
#include <wblab/report/run_result.hpp>

#include <nlohmann/json.hpp>

#include <map>

namespace wblab::report {

namespace {

using nlohmann::ordered_json;

constexpr int kSchemaVersion = 3;

ordered_json summaryOf(const RunResult& run) {
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
    summary["notRun"] = run.notRun;
    return summary;
}

ordered_json criteriaJson(const RunResult& run) {
    ordered_json criteria = ordered_json::array();
    for (const auto& c : criteriaOf(run)) {
        ordered_json checks = ordered_json::array();
        for (const auto& ref : c.checks) {
            checks.push_back({{"scenario", ref.scenario},
                              {"what", ref.check->what},
                              {"expected", ref.check->expected},
                              {"observed", ref.check->observed},
                              {"passed", ref.check->passed}});
        }
        criteria.push_back({{"id", c.id},
                            {"title", c.info.title},
                            {"level", c.info.level},
                            {"exitCriterion", c.info.exitCriterion},
                            {"source", c.info.source},
                            {"verdict", c.verdict},
                            {"checksPassed", c.passed},
                            {"checksFailed", c.failed},
                            {"checksExpectedToFail", c.expectedFailures},
                            {"scenarios", c.scenarios},
                            {"failedScenarios", c.failedScenarios},
                            {"checks", checks}});
    }
    return criteria;
}

ordered_json exitCriteriaJson(const RunResult& run) {
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
    return exitCriteria;
}

ordered_json scenariosJson(const RunResult& run) {
    ordered_json scenarios = ordered_json::array();
    for (const auto& c : run.cases) {
        ordered_json checks = ordered_json::array();
        for (const auto& check : c.checks) {
            checks.push_back({{"criterion", check.criterion},
                              {"what", check.what},
                              {"expected", check.expected},
                              {"observed", check.observed},
                              {"passed", check.passed},
                              {"made", check.made}});
        }
        scenarios.push_back({{"id", c.id},
                             {"directory", c.directory},
                             {"title", c.title},
                             {"file", c.file},
                             {"criteria", c.criteria},
                             {"verdict", toString(c.verdict)},
                             {"message", c.message},
                             {"seed", c.seed},
                             {"durationMs", c.durationMs},
                             {"stepsMs", c.stepsMs},
                             {"checks", checks},
                             {"warnings", c.warnings},
                             {"timeline", c.timeline},
                             {"startedAt", c.startedAt},
                             {"position", c.position},
                             {"agentStderr", c.agentStderr},
                             {"keptDirectory", c.keptDirectory},
                             {"rerun", c.rerun}});
        if (!c.symptom.empty()) {
            scenarios.back()["symptom"] = c.symptom;
        }
    }
    return scenarios;
}

ordered_json divergencesJson(const RunResult& run) {
    ordered_json out = ordered_json::array();
    for (const auto& d : divergencesOf(run)) {
        ordered_json sides = ordered_json::array();
        for (const auto& side : d.sides) {
            sides.push_back({{"directory", side.directory},
                             {"verdict", side.verdict},
                             {"check", side.check},
                             {"observed", side.observed}});
        }
        out.push_back({{"scenario", d.scenario},
                       {"criterion", d.criterion},
                       {"what", d.what},
                       {"declared", d.declared},
                       {"reason", d.reason},
                       {"sides", sides}});
    }
    return out;
}

}  // namespace

std::string toJson(const RunResult& run) {
    ordered_json doc = {
        {"schemaVersion", kSchemaVersion},
        {"tool", {{"name", "wblab"}, {"version", run.toolVersion}}},
        {"run",
         {{"seed", run.seed},
          {"agent", run.agent},
          {"startedAt", run.startedAt},
          {"durationMs", run.durationMs},
          {"interrupted", run.interrupted},
          {"directories", run.directories},
          {"runId", run.runId},
          {"shard", run.shard},
          {"maxFailures", run.maxFailures}}},
        {"summary", summaryOf(run)},
        {"exitCriteria", exitCriteriaJson(run)},
        {"criteria", criteriaJson(run)},
        {"scenarios", scenariosJson(run)},
        {"divergences", divergencesJson(run)},
    };
    // Invalid UTF-8 from an agent's diagnostic is replaced, not a reason to lose the report.
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace wblab::report
