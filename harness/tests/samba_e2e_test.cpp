// The Samba AD DC flavour end to end: the bundled suite on both directories compared check by
// check, an agent fault caught on both, and an agent that writes to slapd only. Real samba
// processes (label samba): slow, so each test runs what it needs once.
#include "e2e_support.hpp"

#include <wblab/harness/suite.hpp>

using namespace wblab;
using namespace wblab::e2e;

namespace {

harness::Suite suiteOf(const std::string& filter) {
    harness::SuiteRequest request;
    request.paths = {kScenarios};
    request.selection.filter = filter;
    auto prepared = harness::prepareSuite(request);
    REQUIRE(prepared.suite);
    REQUIRE_FALSE(prepared.suite->selected.empty());
    return *prepared.suite;
}

/// The criteria whose checks failed on one flavour.
std::set<std::string> failedOn(const report::RunResult& run, const std::string& directory) {
    std::vector<report::CaseResult> mine;
    for (const auto& c : run.cases) {
        if (c.directory == directory) {
            mine.push_back(c);
        }
    }
    return failedCriteria(mine);
}

}  // namespace

TEST_CASE(
    "An agent that writes the password but skips the unlock fails wb-reset-unlocks on "
    "both directories",
    "[e2e][samba][differential]") {
    auto dir = RunDirectory::create("samba-unlock");
    REQUIRE(dir);
    auto options = optionsFor(referenceAgent("ignores-unlock"));
    options.jobs = 2;
    const auto suite = suiteOf("^(0008|0049)_");
    const auto run =
        harness::runSuiteOn(suite,
                            options,
                            {harness::DirectoryFlavour::Slapd, harness::DirectoryFlavour::Samba},
                            nullptr);
    REQUIRE(run.cases.size() == 2 * suite.selected.size());
    for (const char* directory : {"slapd", "samba"}) {
        INFO(directory);
        CHECK(failedOn(run, directory).count("wb-reset-unlocks") == 1);
    }
    // Both directories keep the account locked after a reset that did not clear lockoutTime, so
    // they agree on every check.
    for (const auto& d : report::divergencesOf(run)) {
        FAIL_CHECK(d.scenario << ": " << d.what << " differs between the directories");
    }
    CHECK(run.anyFailure());
}

TEST_CASE("The bundled suite passes on slapd and samba alike, apart from declared differences",
          "[e2e][samba][differential]") {
    auto dir = RunDirectory::create("samba-diff");
    REQUIRE(dir);
    auto run = runCli({"run",
                       kScenarios,
                       "--directory",
                       "slapd,samba",
                       "--jobs",
                       "2",
                       "--seed",
                       "13",
                       "--report-dir",
                       dir->path() + "/reports"},
                      dir->path(),
                      std::chrono::minutes(14));
    INFO(run.output());
    CHECK(run.exitCode == 0);
    CHECK_THAT(run.out, Catch::Contains("directories slapd and samba disagree on 0 check(s)"));
    // Each declared difference names its reason.
    CHECK_THAT(run.out, Catch::Contains("declared  0042_ts_password_history: verdict"));
    auto json = readFile(dir->path() + "/reports/report.json");
    REQUIRE(json);
    auto report = report::fromJson(*json);
    REQUIRE(report);
    CHECK(report->directories == std::vector<std::string>{"slapd", "samba"});
    for (const auto& d : report::divergencesOf(*report)) {
        CHECK(d.declared);
        CHECK_THAT(d.reason, Catch::Contains("samba: the samba directory differs from AD"));
    }
}

TEST_CASE("An agent that declares directory:openldap-ad only is unsupported on samba",
          "[e2e][samba][cli]") {
    auto dir = RunDirectory::create("samba-bash");
    REQUIRE(dir);
    const std::string agent = std::string(WBLAB_SOURCE_DIR) + "/agents/examples/bash-agent";
    auto run = runCli({"run",
                       kScenarios,
                       "--filter",
                       "^0001_",
                       "--directory",
                       "samba",
                       "--agent",
                       agent,
                       "--report-dir",
                       dir->path() + "/reports"},
                      dir->path());
    INFO(run.output());
    CHECK(run.exitCode == 0);
    CHECK_THAT(run.out, Catch::Contains("1 scenarios: 0 passed, 0 failed, 1 unsupported"));
    CHECK_THAT(run.out, Catch::Contains("the agent does not declare directory:samba-ad"));
}
