// report.html: one self-contained page (inline CSS, no script, no external resource) that opens
// offline: the run, the criteria table, and each scenario with its checks and its timeline of
// cloud → agent → directory events.
#include <wblab/report/run_result.hpp>

#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>

namespace wblab::report {

namespace {

std::string html(const std::string& text) {
    // XML escaping is HTML escaping too, and drops the control characters an agent may send.
    return xmlEscape(text);
}

const char* cssClass(Verdict v) {
    switch (v) {
        case Verdict::Pass:
        case Verdict::XFail:
            return "pass";
        case Verdict::Unsupported:
            return "skip";
        default:
            return "fail";
    }
}

constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#1d1d1f;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f6} table.criteria td:first-child{white-space:nowrap}
.badge{display:inline-block;padding:0 .5em;border-radius:.8em;font-size:.85em;font-weight:600}
.pass .badge,.badge.pass{background:#dff5e1;color:#135c1e}
.fail .badge,.badge.fail{background:#fde2e1;color:#8a1c13}
.warn .badge{background:#fff3cd;color:#6b4e00}
.not-run .badge{background:#eee;color:#555}
.skip .badge,.badge.skip{background:#eee;color:#444}
details{border:1px solid #ddd;border-radius:6px;margin:.4em 0;padding:.3em .8em}
details.fail{border-color:#e8a29c}
summary{cursor:pointer}
tr.bad td{background:#fff3f2}
ol.timeline{font-family:ui-monospace,monospace;font-size:.9em;margin:.4em 0}
.meta{color:#555}
)css";

/// A case's element id: its label with spaces made dashes ("0001_x-on-samba").
std::string anchorOf(std::string label) {
    std::replace(label.begin(), label.end(), ' ', '-');
    return label;
}

/// A differential run: every divergence, the undeclared ones first and marked.
void writeDivergences(const RunResult& run, std::ostream& out) {
    const auto divergences = divergencesOf(run);
    out << "<h2>Where the directories disagree</h2>\n";
    if (divergences.empty()) {
        out << "<p>Nowhere: every scenario got the same checks and verdicts on every "
               "directory.</p>\n";
        return;
    }
    out << "<table><tr><th>scenario</th><th>check</th><th>criterion</th>";
    for (const auto& d : run.directories) {
        out << "<th>" << html(d) << "</th>";
    }
    out << "<th>declared</th></tr>\n";
    for (bool declared : {false, true}) {
        for (const auto& d : divergences) {
            if (d.declared != declared) {
                continue;
            }
            out << "<tr" << (d.declared ? "" : " class=\"bad\"") << "><td>" << html(d.scenario)
                << "</td><td>" << html(d.what) << "</td><td>" << html(d.criterion) << "</td>";
            for (const auto& side : d.sides) {
                out << "<td>" << html(side.check.empty() ? side.verdict : side.check)
                    << (side.observed.empty() ? "" : ": " + html(side.observed)) << "</td>";
            }
            out << "<td>" << (d.declared ? html(d.reason) : "<strong>no</strong>")
                << "</td></tr>\n";
        }
    }
    out << "</table>\n";
}

/// The criteria, each with the checks that earned its verdict (failed ones first and open).
void writeCriteria(const RunResult& run, std::ostream& out) {
    out << "<h2>Criteria</h2>\n<p class=\"meta\">A criterion's verdict comes from its own "
           "checks only.</p>\n";
    for (const auto& c : criteriaOf(run)) {
        const std::string cls = c.verdict == "fail"   ? "fail"
                                : c.verdict == "pass" ? "pass"
                                                      : "skip";
        out << "<details class=\"" << cls << "\"" << (c.verdict == "fail" ? " open" : "")
            << "><summary><span class=\"badge\">" << html(c.verdict) << "</span> <strong>"
            << html(c.id) << "</strong> " << html(c.info.title) << " <span class=\"meta\">("
            << html(c.info.level) << ", " << html(c.info.exitCriterion) << "; " << c.passed
            << " check(s) passed, " << c.failed << " failed)</span></summary>\n";
        if (c.checks.empty()) {
            out << "<p class=\"meta\">No check of this criterion was made in this run.</p>";
            out << "</details>\n";
            continue;
        }
        out << "<table><tr><th>scenario</th><th>check</th><th>expected</th><th>observed</th></"
               "tr>\n";
        for (bool failedFirst : {true, false}) {
            for (const auto& ref : c.checks) {
                if (ref.check->passed == failedFirst) {
                    continue;
                }
                out << "<tr" << (ref.check->passed ? "" : " class=\"bad\"") << "><td><a href=\"#"
                    << html(anchorOf(ref.scenario)) << "\">" << html(ref.scenario)
                    << "</a></td><td>" << (ref.check->passed ? "✓ " : "✗ ") << html(ref.check->what)
                    << "</td><td>" << html(ref.check->expected) << "</td><td>"
                    << html(ref.check->observed) << "</td></tr>\n";
            }
        }
        out << "</table></details>\n";
    }
}

/// The page's head: the verdict, the run's facts, the counts per verdict.
void writeHeader(const RunResult& run, std::ostream& out) {
    std::map<Verdict, int> counts;
    for (const auto& c : run.cases) {
        ++counts[c.verdict];
    }
    out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        << "<title>wblab report</title><style>" << kStyle << "</style></head><body>\n";
    out << "<h1>wblab report: <span class=\"badge " << (run.anyFailure() ? "fail" : "pass") << "\">"
        << (run.anyFailure() ? "failures" : "all passed") << "</span></h1>\n";
    std::string directories;
    for (const auto& d : run.directories) {
        directories += (directories.empty() ? " on " : " and ") + d;
    }
    out << "<p class=\"meta\">Agent <code>" << html(run.agent) << "</code> · seed " << run.seed
        << " · " << run.cases.size() << " scenarios" << html(directories) << " · started "
        << html(run.startedAt) << " · " << std::fixed << std::setprecision(2)
        << run.durationMs / 1000.0 << " s · wblab " << html(run.toolVersion) << "</p>\n";
    if (run.interrupted) {
        out << "<p><strong>The run was interrupted</strong>: scenarios that did not finish are "
               "unresolved.</p>\n";
    }
    for (const auto& problem : run.baselineProblems) {
        out << "<p class=\"fail\"><span class=\"badge\">baseline</span> " << html(problem)
            << "</p>\n";
    }
    out << "<p>";
    for (const auto& [verdict, n] : counts) {
        out << "<span class=\"badge " << cssClass(verdict) << "\">" << n << " " << toString(verdict)
            << "</span> ";
    }
    out << "</p>\n";
}

/// Every scenario with its checks and timeline; failed ones are open.
void writeScenarios(const RunResult& run, std::ostream& out) {
    out << "<h2>Scenarios</h2>\n";
    for (const auto& c : run.cases) {
        const bool failed = isFailure(c.verdict);
        const std::string label = caseLabel(run, c);
        out << "<details id=\"" << html(anchorOf(label)) << "\" class=\"" << cssClass(c.verdict)
            << "\"" << (failed ? " open" : "") << "><summary><span class=\"badge\">"
            << toString(c.verdict) << "</span> <strong>" << html(label) << "</strong> "
            << html(c.title) << " <span class=\"meta\">(" << std::setprecision(0) << c.durationMs
            << " ms)</span></summary>\n";
        if (!c.message.empty()) {
            out << "<p>" << html(c.message) << "</p>\n";
        }
        if (!c.symptom.empty()) {
            out << "<p>symptom: " << html(c.symptom) << "</p>\n";
        }
        out << "<p class=\"meta\">" << html(c.file) << "</p>\n";
        out << "<table><tr><th>check</th><th>criterion</th><th>expected</th><th>observed</th></"
               "tr>\n";
        for (const auto& check : c.checks) {
            out << "<tr" << (check.passed ? "" : " class=\"bad\"") << "><td>"
                << (check.passed ? "✓ " : "✗ ") << html(check.what) << "</td><td>"
                << html(check.criterion) << "</td><td>" << html(check.expected) << "</td><td>"
                << html(check.observed) << "</td></tr>\n";
        }
        out << "</table>\n<ol class=\"timeline\">\n";
        for (const auto& event : c.timeline) {
            out << "<li>" << html(event) << "</li>\n";
        }
        out << "</ol></details>\n";
    }
}

}  // namespace

std::string toHtml(const RunResult& run) {
    std::ostringstream out;
    writeHeader(run, out);
    const auto exits = exitCriteriaOf(run);
    if (!exits.empty()) {
        out << "<h2>Exit criteria</h2>\n<table class=\"criteria\"><tr><th>exit "
               "criterion</th><th>verdict</th><th>criteria passed</th><th>failed</th><th>not "
               "run</th></tr>\n";
        for (const auto& e : exits) {
            out << "<tr class=\"" << html(e.verdict) << "\"><td>" << html(e.info.id)
                << "<br><span class=\"meta\">" << html(e.info.title)
                << "</span></td><td><span class=\"badge\">" << html(e.verdict) << "</span></td><td>"
                << e.passed << "</td><td>";
            for (const auto& id : e.failedRequired) {
                out << html(id) << " ";
            }
            for (const auto& id : e.failedRecommended) {
                out << html(id) << " (recommended) ";
            }
            out << "</td><td>" << e.notRun << "</td></tr>\n";
        }
        out << "</table>\n";
    }
    if (run.differential()) {
        writeDivergences(run, out);
    }
    writeCriteria(run, out);
    writeScenarios(run, out);
    out << "</body></html>\n";
    return out.str();
}

}  // namespace wblab::report
