#include <wblab/report/run_result.hpp>

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

void printScenarios(const RunResult& run, std::ostream& out) {
    for (const auto& c : run.cases) {
        out << std::left << std::setw(16) << toString(c.verdict) << terminalSafe(caseLabel(run, c));
        if (c.verdict != Verdict::Pass && !c.message.empty()) {
            out << "  — " << terminalSafe(c.message);
        }
        out << "\n";
        for (const auto& warning : c.warnings) {
            out << "    warning: " << terminalSafe(warning) << "\n";
        }
        if (!isFailure(c.verdict)) {
            continue;
        }
        for (const auto& check : c.checks) {
            if (!check.passed) {
                out << "    [" << terminalSafe(check.criterion) << "] " << terminalSafe(check.what)
                    << ": expected " << terminalSafe(check.expected) << ", observed "
                    << terminalSafe(check.observed) << "\n";
            }
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
    printExitCriteria(run, out);
    if (run.differential()) {
        printDivergences(run, out);
    }
    out << "\n"
        << run.cases.size() << " scenarios: " << passed << " passed, " << failed << " failed";
    if (counts[Verdict::Unsupported] > 0) {
        out << ", " << counts[Verdict::Unsupported] << " unsupported";
    }
    out << " (seed " << run.seed << ", agent " << terminalSafe(run.agent) << ", "
        << seconds(run.durationMs) << " s)\n";
}

}  // namespace wblab::report
