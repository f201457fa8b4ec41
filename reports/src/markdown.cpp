// summary.md: a short Markdown summary for a CI job page, a pure function of a finished run.
// Failures come first: the failed scenarios (with a command that runs each again), the failed
// criteria with the checks that failed them, then the tables.
#include <wblab/report/run_result.hpp>

#include <algorithm>
#include <sstream>

namespace wblab::report {

namespace {

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

void writeFailedCriteria(const std::vector<CriterionResult>& criteria, std::ostream& out) {
    out << "### Failed criteria\n\n";
    for (const auto& c : criteria) {
        if (c.verdict != "fail") {
            continue;
        }
        out << "- **" << cell(c.id) << "**"
            << (c.info.title.empty() ? "" : ": " + cell(c.info.title)) << " (" << c.failed
            << " failed check" << (c.failed == 1 ? "" : "s") << ")\n";
        for (const auto& ref : c.checks) {
            if (!ref.check->passed && !ref.expectedFailure) {
                out << "  - `" << cell(ref.scenario) << "` " << cell(ref.check->what)
                    << ": expected " << cell(ref.check->expected) << ", observed "
                    << cell(ref.check->observed) << "\n";
            }
        }
    }
    out << "\n";
}

/// Each failed scenario with why, its failed checks and a command that runs it again.
void writeFailedScenarios(const RunResult& run, std::ostream& out) {
    bool any = false;
    for (const auto& c : run.cases) {
        if (!isFailure(c.verdict)) {
            continue;
        }
        if (!any) {
            out << "### Failed scenarios\n\n";
            any = true;
        }
        out << "- **" << cell(caseLabel(run, c)) << "** (" << toString(c.verdict) << ")"
            << (c.message.empty() ? "" : ": " + cell(c.message)) << "\n";
        if (!c.symptom.empty()) {
            out << "  - symptom: " << cell(c.symptom) << "\n";
        }
        for (const auto& check : c.checks) {
            if (!check.passed) {
                out << "  - [" << cell(check.criterion) << "] " << cell(check.what) << ": expected "
                    << cell(check.expected) << ", observed " << cell(check.observed) << "\n";
            }
        }
        if (!c.keptDirectory.empty()) {
            out << "  - kept: `" << cell(c.keptDirectory) << "`\n";
        }
        if (!c.rerun.empty()) {
            // A fenced block inside the list item: copied whole, never reflowed.
            out << "\n  ```sh\n  " << c.rerun << "\n  ```\n";
        }
    }
    if (any) {
        out << "\n";
    }
}

/// A differential run: where the flavours disagree, the undeclared divergences first.
void writeDivergences(const RunResult& run, std::ostream& out) {
    const auto divergences = divergencesOf(run);
    out << "### Where the directories disagree\n\n";
    if (divergences.empty()) {
        out << "Nowhere: every scenario got the same checks and verdicts on ";
        for (std::size_t i = 0; i < run.directories.size(); ++i) {
            out << (i == 0 ? "" : " and ") << cell(run.directories[i]);
        }
        out << ".\n\n";
        return;
    }
    out << "| scenario | check | criterion |";
    for (const auto& d : run.directories) {
        out << " " << cell(d) << " |";
    }
    out << " declared |\n|---|---|---|";
    for (std::size_t i = 0; i < run.directories.size(); ++i) {
        out << "---|";
    }
    out << "---|\n";
    for (bool declared : {false, true}) {
        for (const auto& d : divergences) {
            if (d.declared != declared) {
                continue;
            }
            out << "| " << cell(d.scenario) << " | " << cell(d.what) << " | " << cell(d.criterion)
                << " |";
            for (const auto& side : d.sides) {
                out << " " << cell(side.check.empty() ? side.verdict : side.check)
                    << (side.observed.empty() ? "" : ": " + cell(side.observed)) << " |";
            }
            out << " " << (d.declared ? cell(d.reason) : "**no**") << " |\n";
        }
    }
    out << "\n";
}

void writeExitTable(const RunResult& run, std::ostream& out) {
    const auto exits = exitCriteriaOf(run);
    if (exits.empty()) {
        return;
    }
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
            << " | " << (failedIds.empty() ? "0" : cell(failedIds)) << " | " << e.notRun << " |\n";
    }
    out << "\n";
}

}  // namespace

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
        << " scenarios";
    if (!run.directories.empty()) {
        out << " on ";
        for (std::size_t i = 0; i < run.directories.size(); ++i) {
            out << (i == 0 ? "" : " and ") << cell(run.directories[i]);
        }
    }
    out << ".";
    if (run.interrupted) {
        out << " **The run was interrupted**: scenarios that did not finish are unresolved.";
    }
    if (!run.notRun.empty()) {
        out << " Stopped after " << run.maxFailures << " failure"
            << (run.maxFailures == 1 ? "" : "s") << " (--max-failures): " << run.notRun.size()
            << " scenario" << (run.notRun.size() == 1 ? "" : "s") << " not run.";
    }
    out << "\n\n";
    writeFailedScenarios(run, out);
    const auto criteria = criteriaOf(run);
    const bool anyFailedCriterion =
        std::any_of(criteria.begin(), criteria.end(), [](const CriterionResult& c) {
            return c.verdict == "fail";
        });
    if (anyFailedCriterion) {
        writeFailedCriteria(criteria, out);
    }
    if (run.differential()) {
        writeDivergences(run, out);
    }
    writeExitTable(run, out);
    // Every criterion, folded: on a CI page the failures above matter first.
    out << "<details><summary>All " << criteria.size() << " criteria</summary>\n\n";
    out << "| criterion | level | verdict | checks passed | failed |\n|---|---|---|---|---|\n";
    for (const auto& c : criteria) {
        out << "| " << cell(c.id) << (c.info.title.empty() ? "" : ": " + cell(c.info.title))
            << " | " << cell(c.info.level) << " | " << verdictMark(c.verdict) << " | " << c.passed
            << " | " << c.failed << " |\n";
    }
    out << "\n</details>\n";
    return out.str();
}

}  // namespace wblab::report
