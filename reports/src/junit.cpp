// junit.xml: one <testsuite> per criterion, one <testcase> per scenario that has checks of it
// (or declares it), so that a failure is filed under the criterion whose checks failed and the
// JUnit view agrees with report.json's earned verdicts.
#include <wblab/report/run_result.hpp>

#include <iomanip>
#include <map>
#include <sstream>

namespace wblab::report {

namespace {

std::string seconds(double ms) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(3) << ms / 1000.0;
    return out.str();
}

/// One scenario as a test of one criterion.
struct TestCase {
    const CaseResult* scenario = nullptr;
    std::string name;  ///< caseLabel: the id, and the flavour in a differential run
    std::vector<const CheckOutcome*> checks;  ///< its checks of this criterion

    bool anyFailed() const {
        for (const auto* c : checks) {
            if (!c->passed) {
                return true;
            }
        }
        return false;
    }
};

enum class Status { Pass, Failure, Error, Skipped, ExpectedFailure };

Status statusOf(const TestCase& t) {
    const Verdict v = t.scenario->verdict;
    if (v == Verdict::Unsupported) {
        return Status::Skipped;
    }
    if (v == Verdict::XPass) {
        return Status::Failure;
    }
    if (t.anyFailed()) {
        return v == Verdict::XFail ? Status::ExpectedFailure : Status::Failure;
    }
    return v == Verdict::Unresolved ? Status::Error : Status::Pass;
}

/// criterion -> its test cases, in run order. A scenario without checks (unsupported,
/// unresolved before its first check) is filed under the criteria it declares.
std::map<std::string, std::vector<TestCase>> testCasesByCriterion(const RunResult& run) {
    std::map<std::string, std::vector<TestCase>> suites;
    for (const auto& c : run.cases) {
        std::map<std::string, TestCase> mine;
        for (const auto& check : c.checks) {
            auto& t = mine[check.criterion];
            t.scenario = &c;
            t.checks.push_back(&check);
        }
        if (mine.empty()) {
            for (const auto& id : c.criteria) {
                mine[id].scenario = &c;
            }
            if (mine.empty()) {
                mine["uncategorised"].scenario = &c;
            }
        }
        for (auto& [criterion, t] : mine) {
            t.name = caseLabel(run, c);
            suites[criterion].push_back(std::move(t));
        }
    }
    return suites;
}

/// The failure's one line: this criterion's first failed check (the scenario's message when the
/// failure is the scenario's as a whole, such as an unexpected pass).
std::string failureMessage(const TestCase& t) {
    int failed = 0;
    std::string first;
    for (const auto* check : t.checks) {
        if (!check->passed && failed++ == 0) {
            first = check->what + ": expected " + check->expected + ", observed " + check->observed;
        }
    }
    if (failed == 0) {
        return t.scenario->message;
    }
    return std::to_string(failed) + " check(s) of this criterion failed; first: " + first;
}

std::string failureBody(const TestCase& t) {
    std::ostringstream out;
    if (!t.scenario->message.empty()) {
        out << t.scenario->message << "\n";
    }
    for (const auto* check : t.checks) {
        if (!check->passed) {
            out << "- " << check->what << ": expected " << check->expected << ", observed "
                << check->observed << "\n";
        }
    }
    return out.str();
}

void writeTestCase(const TestCase& t, const std::string& classname, std::ostream& out) {
    const CaseResult& c = *t.scenario;
    out << "    <testcase classname=\"" << xmlEscape(classname) << "\" name=\"" << xmlEscape(t.name)
        << "\" file=\"" << xmlEscape(c.file) << "\" time=\"" << seconds(c.durationMs) << "\"";
    const Status status = statusOf(t);
    if (status == Status::Pass) {
        out << "/>\n";
        return;
    }
    out << ">\n";
    switch (status) {
        case Status::Error:
            out << "      <error type=\"unresolved\" message=\"" << xmlEscape(c.message) << "\">"
                << xmlEscape(failureBody(t)) << "</error>\n";
            break;
        case Status::Skipped:
            out << "      <skipped message=\"" << xmlEscape(c.message) << "\"/>\n";
            break;
        case Status::ExpectedFailure:
            out << "      <system-out>" << xmlEscape("expected failure: " + failureBody(t))
                << "</system-out>\n";
            break;
        case Status::Failure:
        case Status::Pass:
            out << "      <failure type=\"" << toString(c.verdict) << "\" message=\""
                << xmlEscape(failureMessage(t)) << "\">" << xmlEscape(failureBody(t))
                << "</failure>\n";
            break;
    }
    out << "    </testcase>\n";
}

struct Counts {
    int tests = 0;
    int failures = 0;
    int errors = 0;
    int skipped = 0;
    double ms = 0;

    void add(const TestCase& t) {
        ++tests;
        ms += t.scenario->durationMs;
        switch (statusOf(t)) {
            case Status::Failure:
                ++failures;
                break;
            case Status::Error:
                ++errors;
                break;
            case Status::Skipped:
                ++skipped;
                break;
            default:
                break;
        }
    }

    void add(const Divergence& d) {
        ++tests;
        ++(d.declared ? skipped : failures);
    }

    std::string attributes() const {
        return "tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
               "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) +
               "\"";
    }
};

void writeProperties(const RunResult& run, const CriterionInfo* info, std::ostream& out) {
    out << "    <properties>\n";
    out << "      <property name=\"seed\" value=\"" << run.seed << "\"/>\n";
    out << "      <property name=\"agent\" value=\"" << xmlEscape(run.agent) << "\"/>\n";
    out << "      <property name=\"wblab.version\" value=\"" << xmlEscape(run.toolVersion)
        << "\"/>\n";
    if (info != nullptr) {
        out << "      <property name=\"criterion.title\" value=\"" << xmlEscape(info->title)
            << "\"/>\n";
        out << "      <property name=\"criterion.level\" value=\"" << xmlEscape(info->level)
            << "\"/>\n";
        out << "      <property name=\"exit-criterion\" value=\"" << xmlEscape(info->exitCriterion)
            << "\"/>\n";
    }
    out << "    </properties>\n";
}

std::string sidesText(const Divergence& d) {
    std::string text;
    for (const auto& side : d.sides) {
        text += side.directory + ": " + (side.check.empty() ? side.verdict : side.check) +
                (side.observed.empty() ? "" : " (" + side.observed + ")") + "\n";
    }
    return text;
}

/// A differential run's divergences as one suite: an undeclared one fails, a declared one is
/// skipped with its reason, so CI shows both and fails on the first kind only.
void writeDivergences(const std::vector<Divergence>& divergences,
                      const Counts& counts,
                      std::ostream& out) {
    out << "  <testsuite name=\"directory-divergences\" " << counts.attributes()
        << " time=\"0.000\">\n";
    for (const auto& d : divergences) {
        out << "    <testcase classname=\"directory-divergences" << (d.criterion.empty() ? "" : ".")
            << xmlEscape(d.criterion) << "\" name=\"" << xmlEscape(d.scenario + ": " + d.what)
            << "\" time=\"0.000\">\n";
        if (d.declared) {
            out << "      <skipped message=\"declared: " << xmlEscape(d.reason) << "\"/>\n";
        } else {
            out << "      <failure type=\"divergence\" message=\"the directories disagree\">"
                << xmlEscape(sidesText(d)) << "</failure>\n";
        }
        out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
}

}  // namespace

std::string toJUnitXml(const RunResult& run) {
    const auto suites = testCasesByCriterion(run);
    std::map<std::string, CriterionInfo> infos;
    for (const auto& info : run.catalog) {
        infos[info.id] = info;
    }
    Counts total;
    for (const auto& [id, cases] : suites) {
        for (const auto& t : cases) {
            total.add(t);
        }
    }
    const auto divergences = divergencesOf(run);
    Counts divergenceCounts;
    for (const auto& d : divergences) {
        divergenceCounts.add(d);
        total.add(d);
    }
    std::ostringstream out;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<testsuites name=\"wblab\" " << total.attributes() << " time=\""
        << seconds(run.durationMs) << "\">\n";
    for (const auto& [suite, cases] : suites) {
        Counts counts;
        for (const auto& t : cases) {
            counts.add(t);
        }
        const auto info = infos.find(suite);
        // classname "exit.criterion": CI views that split classnames on dots group by both.
        const std::string classname =
            info == infos.end() ? suite : info->second.exitCriterion + "." + suite;
        out << "  <testsuite name=\"" << xmlEscape(suite) << "\" " << counts.attributes()
            << " time=\"" << seconds(counts.ms) << "\">\n";
        writeProperties(run, info == infos.end() ? nullptr : &info->second, out);
        for (const auto& t : cases) {
            writeTestCase(t, classname, out);
        }
        out << "  </testsuite>\n";
    }
    if (run.differential()) {
        writeDivergences(divergences, divergenceCounts, out);
    }
    out << "</testsuites>\n";
    return out.str();
}

}  // namespace wblab::report
