#include <wblab/report/run_result.hpp>
#include <wblab/support/secrets.hpp>

#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>

namespace wblab::report {

const char* toString(Verdict verdict) {
    switch (verdict) {
        case Verdict::Pass:
            return "pass";
        case Verdict::Fail:
            return "fail";
        case Verdict::XFail:
            return "expected-fail";
        case Verdict::XPass:
            return "unexpected-pass";
        case Verdict::Timeout:
            return "timeout";
        case Verdict::Unresolved:
            return "unresolved";
        case Verdict::Unsupported:
            return "unsupported";
    }
    return "unknown";
}

const std::vector<Verdict>& allVerdicts() {
    static const std::vector<Verdict> all = {Verdict::Pass,
                                             Verdict::Fail,
                                             Verdict::XFail,
                                             Verdict::XPass,
                                             Verdict::Timeout,
                                             Verdict::Unresolved,
                                             Verdict::Unsupported};
    return all;
}

bool isFailure(Verdict verdict) {
    switch (verdict) {
        case Verdict::Pass:
        case Verdict::XFail:
        case Verdict::Unsupported:
            return false;
        default:
            return true;
    }
}

bool RunResult::anyFailure() const {
    if (!baselineProblems.empty()) {
        return true;
    }
    for (const auto& c : cases) {
        if (isFailure(c.verdict)) {
            return true;
        }
    }
    return anyUndeclaredDivergence(divergencesOf(*this));
}

std::string xmlEscape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                // XML 1.0 allows only tab, newline and carriage return below 0x20.
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                    break;
                }
                if (c == 0x7F) {
                    break;
                }
                out += static_cast<char>(c);
        }
    }
    return out;
}

namespace {

/// Text from agents reaches the terminal: control characters (escape sequences that could
/// recolour, move the cursor or retitle the window) become '?'.
std::string terminalSafe(std::string text) {
    for (char& c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            c = '?';
        }
    }
    return text;
}

}  // namespace

namespace {

std::string seconds(double ms) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(3) << ms / 1000.0;
    return out.str();
}

void printScenarioLine(const RunResult& run, const CaseResult& c, std::ostream& out) {
    out << std::left << std::setw(16) << toString(c.verdict) << terminalSafe(caseLabel(run, c));
    if (c.verdict != Verdict::Pass && !c.message.empty()) {
        out << "  — " << terminalSafe(c.message);
    }
    out << "\n";
    for (const auto& warning : c.warnings) {
        out << "    warning: " << terminalSafe(warning) << "\n";
    }
}

/// Failures first, each with its failed checks, the end of the agent's stderr when the lab
/// could not judge it, its kept directory and a command that runs it again; then every other
/// scenario on one line.
void printScenarios(const RunResult& run, std::ostream& out) {
    bool anyFailure = false;
    for (const auto& c : run.cases) {
        if (!isFailure(c.verdict)) {
            continue;
        }
        anyFailure = true;
        printScenarioLine(run, c, out);
        if (!c.symptom.empty()) {
            out << "    symptom: " << terminalSafe(c.symptom) << "\n";
        }
        for (const auto& check : c.checks) {
            if (!check.passed) {
                out << "    [" << terminalSafe(check.criterion) << "] " << terminalSafe(check.what)
                    << ": expected " << terminalSafe(check.expected) << ", observed "
                    << terminalSafe(check.observed) << "\n";
            }
        }
        if (c.verdict == Verdict::Unresolved && !c.agentStderr.empty()) {
            out << "    agent stderr (last lines):\n";
            std::istringstream lines(c.agentStderr);
            for (std::string line; std::getline(lines, line);) {
                out << "      " << terminalSafe(line) << "\n";
            }
        }
        if (!c.keptDirectory.empty()) {
            out << "    kept: " << terminalSafe(c.keptDirectory) << "\n";
        }
        if (!c.rerun.empty()) {
            out << "    rerun: " << terminalSafe(c.rerun) << "\n";
        }
    }
    if (anyFailure) {
        out << "\n";
    }
    for (const auto& c : run.cases) {
        if (!isFailure(c.verdict)) {
            printScenarioLine(run, c, out);
        }
    }
    bool anyKept = false;
    for (const auto& c : run.cases) {
        if (!isFailure(c.verdict) && !c.keptDirectory.empty()) {
            out << (anyKept ? "" : "\nkept run directories:\n") << "  "
                << terminalSafe(caseLabel(run, c)) << "  " << terminalSafe(c.keptDirectory) << "\n";
            anyKept = true;
        }
    }
}

/// The roll-up: each exit criterion, and the criteria that fail it with the scenarios whose
/// checks failed them.
void printExitCriteria(const RunResult& run, std::ostream& out) {
    const auto exits = exitCriteriaOf(run);
    if (exits.empty()) {
        return;
    }
    std::map<std::string, std::string> failedIn;
    for (const auto& c : criteriaOf(run)) {
        std::string list;
        for (const auto& id : c.failedScenarios) {
            list += (list.empty() ? "" : ", ") + id;
        }
        failedIn[c.id] = list;
    }
    out << "\nexit criteria:\n";
    for (const auto& e : exits) {
        out << "  " << std::left << std::setw(9) << e.verdict << std::setw(28) << e.info.id << " "
            << e.passed << " of " << e.criteria.size() << " criteria pass";
        if (e.notRun > 0) {
            out << ", " << e.notRun << " not run";
        }
        out << "\n";
        for (const auto& id : e.failedRequired) {
            out << "           failed: " << id << " (checks failed in "
                << terminalSafe(failedIn[id]) << ")\n";
        }
        for (const auto& id : e.failedRecommended) {
            out << "           failed (recommended): " << id << " (checks failed in "
                << terminalSafe(failedIn[id]) << ")\n";
        }
    }
}

/// A differential run: each divergence, undeclared first, one line per flavour.
void printDivergences(const RunResult& run, std::ostream& out) {
    const auto divergences = divergencesOf(run);
    const auto declared = std::count_if(
        divergences.begin(), divergences.end(), [](const auto& d) { return d.declared; });
    out << "\ndirectories " << terminalSafe(run.directories.front());
    for (std::size_t i = 1; i < run.directories.size(); ++i) {
        out << " and " << terminalSafe(run.directories[i]);
    }
    if (divergences.empty()) {
        out << " agree on every check\n";
        return;
    }
    out << " disagree on " << divergences.size() - declared << " check(s)";
    if (declared > 0) {
        out << " (and " << declared << " declared difference(s))";
    }
    out << ":\n";
    for (bool wantDeclared : {false, true}) {
        for (const auto& d : divergences) {
            if (d.declared != wantDeclared) {
                continue;
            }
            out << "  " << (d.declared ? "declared  " : "DIVERGES  ") << terminalSafe(d.scenario)
                << ": " << terminalSafe(d.what)
                << (d.criterion.empty() ? "" : " [" + terminalSafe(d.criterion) + "]") << "\n";
            for (const auto& side : d.sides) {
                out << "            " << terminalSafe(side.directory) << ": "
                    << terminalSafe(side.check.empty() ? side.verdict : side.check)
                    << (side.observed.empty() ? "" : " (" + terminalSafe(side.observed) + ")")
                    << "\n";
            }
        }
    }
}

}  // namespace

void redactCase(CaseResult& result) {
    auto safe = [](std::string& text) { text = redact(printable(text)); };
    for (auto* field : {&result.id, &result.title, &result.file, &result.message}) {
        safe(*field);
    }
    for (auto& c : result.checks) {
        for (auto* field : {&c.criterion, &c.what, &c.expected, &c.observed}) {
            safe(*field);
        }
    }
    for (auto& line : result.timeline) {
        safe(line);
    }
    for (auto& w : result.warnings) {
        safe(w);
    }
}

void redactRun(RunResult& run) {
    run.agent = redact(printable(run.agent));
    for (auto& problem : run.baselineProblems) {
        problem = redact(printable(problem));
    }
    for (auto& c : run.cases) {
        redactCase(c);
    }
}

void printSummary(const RunResult& run, std::ostream& out) {
    printScenarios(run, out);
    std::map<Verdict, int> counts;
    for (const auto& c : run.cases) {
        ++counts[c.verdict];
    }
    int passed = counts[Verdict::Pass] + counts[Verdict::XFail];
    int failed = 0;
    for (const auto& [verdict, n] : counts) {
        if (isFailure(verdict)) {
            failed += n;
        }
    }
    for (const auto& problem : run.baselineProblems) {
        out << "baseline: " << terminalSafe(problem) << "\n";
    }
    if (!run.notRun.empty()) {
        out << "stopped after " << run.maxFailures << " failure"
            << (run.maxFailures == 1 ? "" : "s") << " (--max-failures): " << run.notRun.size()
            << " scenario" << (run.notRun.size() == 1 ? "" : "s") << " not run\n";
    }
    printExitCriteria(run, out);
    if (run.differential()) {
        printDivergences(run, out);
    }
    out << "\n"
        << run.cases.size() << " scenarios: " << passed << " passed, " << failed << " failed";
    if (counts[Verdict::Unsupported] > 0) {
        out << ", " << counts[Verdict::Unsupported] << " unsupported";
    }
    if (!run.notRun.empty()) {
        out << ", " << run.notRun.size() << " not run";
    }
    out << " (seed " << run.seed << ", agent " << terminalSafe(run.agent) << ", "
        << seconds(run.durationMs) << " s)\n";
    if (failed > 0) {
        out << "the failures are listed first above, each with a command that runs it again\n";
    }
}

}  // namespace wblab::report
