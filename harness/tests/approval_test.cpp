// Approval tests of the real `wblab run` output: a fixed run (three scenarios, a fixed seed, an
// agent with one fault) through the command line, its console, junit.xml and report.json
// compared with approved files after normalising what may change between runs (timings, dates,
// paths, the version). A change to any of them is a diff to review; approve it deliberately with
//   WBLAB_UPDATE_APPROVED=1 ctest --preset dev -R approval
// and commit the files in harness/tests/approved/.
#include "e2e_support.hpp"

#include <wblab/support/version.hpp>

using namespace wblab;
using namespace wblab::e2e;

namespace {

std::string normalise(const std::string& text, const std::string& dir) {
    return testkit::normalised(text,
                               {{std::string(WBLAB_CLI_PATH), "wblab"},
                                {std::string(WBLAB_SOURCE_DIR), "<src>"},
                                {dir, "<run>"},
                                {"timestamp=\"[^\"]*\"", "timestamp=\"<time>\""},
                                {"ldapi://[^ \"]*", "ldapi://<socket>"},
                                {"started [0-9T:.Z-]+, [0-9.]+ s", "started <time>, <t> s"},
                                {"\"durationMs\": [0-9.e+-]+", "\"durationMs\": 0"},
                                {"\"stepsMs\": [0-9.e+-]+", "\"stepsMs\": 0"},
                                {"\"startedAt\": \"[^\"]*\"", "\"startedAt\": \"<time>\""},
                                {"time=\"[0-9.]+\"", "time=\"0\""},
                                {", [0-9]+\\.[0-9]+ s\\)", ", <t> s)"},
                                {std::string(kVersion), "<version>"}});
}

}  // namespace

TEST_CASE("The console, junit.xml and report.json of a real run match the approved files",
          "[e2e][slapd][cli][approval]") {
    auto dir = RunDirectory::create("approval");
    REQUIRE(dir);
    const std::string reports = dir->path() + "/reports";
    auto run = runCli({"run",
                       kReset,
                       kPolicy,
                       kConformance + "/0013_admin_reset_must_change.yaml",
                       "--agent",
                       "reference --bug ignores-must-change",
                       "--seed",
                       "20261130",
                       "--jobs",
                       "1",
                       "--report-dir",
                       reports},
                      dir->path());
    REQUIRE(run.exitCode == 1);
    const std::pair<std::string, std::string> outputs[] = {
        {"console.txt", run.out},
        {"junit.xml", readFile(reports + "/junit.xml").value()},
        {"report.json", readFile(reports + "/report.json").value()},
    };
    for (const auto& [name, text] : outputs) {
        INFO(name);
        CHECK(testkit::compareWithApproved(
                  WBLAB_APPROVED_DIR, name, normalise(text, dir->path()), WBLAB_ACTUAL_DIR) == "");
    }
}

TEST_CASE("The approval comparison notices a one-character change", "[e2e][approval]") {
    const std::string text = "line one\nline two\n";
    CHECK(testkit::approvalDifference(text, text).empty());
    CHECK_THAT(testkit::approvalDifference(text, "line one\nline twO\n"),
               Catch::StartsWith("first difference at line 2"));
    CHECK_THAT(testkit::approvalDifference(text, text.substr(0, text.size() - 1)),
               Catch::Contains("final newline"));
}
