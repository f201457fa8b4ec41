#include <wblab/report/run_result.hpp>
#include <wblab/support/secrets.hpp>

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
    return false;
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
        out << std::left << std::setw(16) << toString(c.verdict) << terminalSafe(c.id);
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
    printExitCriteria(run, out);
    out << "\n"
        << run.cases.size() << " scenarios: " << passed << " passed, " << failed << " failed";
    if (counts[Verdict::Unsupported] > 0) {
        out << ", " << counts[Verdict::Unsupported] << " unsupported";
    }
    out << " (seed " << run.seed << ", agent " << terminalSafe(run.agent) << ", "
        << seconds(run.durationMs) << " s)\n";
}

}  // namespace wblab::report
