#include <wblab/report/run_result.hpp>

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

std::string seconds(double ms) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(3) << ms / 1000.0;
    return out.str();
}

std::string failureText(const CaseResult& c) {
    std::ostringstream out;
    out << c.message << "\n";
    for (const auto& check : c.checks) {
        if (!check.passed) {
            out << "- " << check.name << ": expected " << check.expected << ", observed "
                << check.observed << "\n";
        }
    }
    return out.str();
}

}  // namespace

std::string toJUnitXml(const RunResult& run) {
    std::map<std::string, std::vector<const CaseResult*>> suites;
    for (const auto& c : run.cases) {
        suites[c.criteria.empty() ? std::string("uncategorised") : c.criteria.front()].push_back(
            &c);
    }
    std::map<std::string, CriterionInfo> infos;
    for (const auto& info : run.catalog) {
        infos[info.id] = info;
    }
    int total = 0;
    int failures = 0;
    int errors = 0;
    int skipped = 0;
    for (const auto& c : run.cases) {
        ++total;
        if (c.verdict == Verdict::Unresolved) {
            ++errors;
        } else if (isFailure(c.verdict)) {
            ++failures;
        } else if (c.verdict == Verdict::Unsupported) {
            ++skipped;
        }
    }
    std::ostringstream out;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<testsuites name=\"wblab\" tests=\"" << total << "\" failures=\"" << failures
        << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\""
        << seconds(run.durationMs) << "\">\n";
    for (const auto& [suite, cases] : suites) {
        int sf = 0;
        int se = 0;
        int ss = 0;
        double ms = 0;
        for (const auto* c : cases) {
            ms += c->durationMs;
            if (c->verdict == Verdict::Unresolved) {
                ++se;
            } else if (isFailure(c->verdict)) {
                ++sf;
            } else if (c->verdict == Verdict::Unsupported) {
                ++ss;
            }
        }
        const auto info = infos.find(suite);
        // classname "exit.criterion": CI views that split classnames on dots group by both.
        const std::string classname =
            info == infos.end() ? suite : info->second.exitCriterion + "." + suite;
        out << "  <testsuite name=\"" << xmlEscape(suite) << "\" tests=\"" << cases.size()
            << "\" failures=\"" << sf << "\" errors=\"" << se << "\" skipped=\"" << ss
            << "\" time=\"" << seconds(ms) << "\">\n";
        out << "    <properties>\n";
        out << "      <property name=\"seed\" value=\"" << run.seed << "\"/>\n";
        out << "      <property name=\"agent\" value=\"" << xmlEscape(run.agent) << "\"/>\n";
        out << "      <property name=\"wblab.version\" value=\"" << xmlEscape(run.toolVersion)
            << "\"/>\n";
        if (info != infos.end()) {
            out << "      <property name=\"criterion.title\" value=\""
                << xmlEscape(info->second.title) << "\"/>\n";
            out << "      <property name=\"criterion.level\" value=\""
                << xmlEscape(info->second.level) << "\"/>\n";
            out << "      <property name=\"exit-criterion\" value=\""
                << xmlEscape(info->second.exitCriterion) << "\"/>\n";
        }
        out << "    </properties>\n";
        for (const auto* c : cases) {
            out << "    <testcase classname=\"" << xmlEscape(classname) << "\" name=\""
                << xmlEscape(c->id) << "\" file=\"" << xmlEscape(c->file) << "\" time=\""
                << seconds(c->durationMs) << "\"";
            const bool plain = c->verdict == Verdict::Pass;
            if (plain) {
                out << "/>\n";
                continue;
            }
            out << ">\n";
            if (c->verdict == Verdict::Unresolved) {
                out << "      <error type=\"unresolved\" message=\"" << xmlEscape(c->message)
                    << "\">" << xmlEscape(failureText(*c)) << "</error>\n";
            } else if (c->verdict == Verdict::Unsupported) {
                out << "      <skipped message=\"" << xmlEscape(c->message) << "\"/>\n";
            } else if (c->verdict == Verdict::XFail) {
                out << "      <system-out>" << xmlEscape("expected failure: " + c->message)
                    << "</system-out>\n";
            } else {
                out << "      <failure type=\"" << toString(c->verdict) << "\" message=\""
                    << xmlEscape(c->message) << "\">" << xmlEscape(failureText(*c))
                    << "</failure>\n";
            }
            out << "    </testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
    return out.str();
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

void printSummary(const RunResult& run, std::ostream& out) {
    std::map<Verdict, int> counts;
    for (const auto& c : run.cases) {
        ++counts[c.verdict];
        out << std::left << std::setw(16) << toString(c.verdict) << terminalSafe(c.id);
        if (c.verdict != Verdict::Pass && !c.message.empty()) {
            out << "  — " << terminalSafe(c.message);
        }
        out << "\n";
        if (isFailure(c.verdict)) {
            for (const auto& check : c.checks) {
                if (!check.passed) {
                    out << "    " << terminalSafe(check.name) << ": expected "
                        << terminalSafe(check.expected) << ", observed "
                        << terminalSafe(check.observed) << "\n";
                }
            }
        }
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
    // The roll-up: each exit criterion, and the criteria that fail it.
    const auto exits = exitCriteriaOf(run);
    if (!exits.empty()) {
        out << "\nexit criteria:\n";
    }
    for (const auto& e : exits) {
        out << "  " << std::left << std::setw(9) << e.verdict << std::setw(28) << e.info.id << " "
            << e.passed << " of " << e.criteria.size() << " criteria pass";
        if (e.notRun > 0) {
            out << ", " << e.notRun << " not run";
        }
        out << "\n";
        for (const auto& id : e.failedRequired) {
            out << "           failed: " << id << "\n";
        }
        for (const auto& id : e.failedRecommended) {
            out << "           failed (recommended): " << id << "\n";
        }
    }
    out << "\n"
        << run.cases.size() << " scenarios: " << passed << " passed, " << failed << " failed";
    if (counts[Verdict::Unsupported] > 0) {
        out << ", " << counts[Verdict::Unsupported] << " unsupported";
    }
    out << " (seed " << run.seed << ", agent " << run.agent << ", " << seconds(run.durationMs)
        << " s)\n";
}

}  // namespace wblab::report
