// Earned verdicts: each criterion judged by its own checks, and the roll-up into exit criteria.
#include <wblab/report/run_result.hpp>

#include <algorithm>
#include <map>

namespace wblab::report {

namespace {

void addCheck(CriterionResult& r,
              const std::string& label,
              const CaseResult& c,
              const CheckOutcome& check) {
    const bool expected = c.verdict == Verdict::XFail;
    r.checks.push_back({label, &check, expected && !check.passed});
    if (r.scenarios.empty() || r.scenarios.back() != label) {
        r.scenarios.push_back(label);
    }
    if (check.passed) {
        ++r.passed;
        return;
    }
    if (expected) {
        ++r.expectedFailures;
    } else {
        ++r.failed;
    }
    if (r.failedScenarios.empty() || r.failedScenarios.back() != label) {
        r.failedScenarios.push_back(label);
    }
}

CriterionResult settle(CriterionResult r) {
    if (r.failed > 0) {
        r.verdict = "fail";
    } else if (r.expectedFailures > 0) {
        r.verdict = "expected-fail";
    } else {
        r.verdict = r.passed > 0 ? "pass" : "not-run";
    }
    return r;
}

}  // namespace

std::vector<CriterionResult> criteriaOf(const RunResult& run) {
    std::map<std::string, CriterionResult> byId;
    for (const auto& c : run.cases) {
        for (const auto& check : c.checks) {
            auto& r = byId[check.criterion];
            r.id = check.criterion;
            addCheck(r, caseLabel(run, c), c, check);
        }
    }
    std::vector<CriterionResult> out;
    for (const auto& info : run.catalog) {
        auto it = byId.find(info.id);
        CriterionResult r = it == byId.end() ? CriterionResult{} : std::move(it->second);
        r.id = info.id;
        r.info = info;
        out.push_back(settle(std::move(r)));
        if (it != byId.end()) {
            byId.erase(it);
        }
    }
    for (auto& [id, r] : byId) {
        r.info.id = id;
        r.info.exitCriterion = run.catalog.empty() ? "" : "uncategorised";
        out.push_back(settle(std::move(r)));
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
        } else if (c.verdict == "pass" || c.verdict == "expected-fail") {
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

}  // namespace wblab::report
