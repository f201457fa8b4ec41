// From evidence to a diagnosis, through the command line as a support engineer uses it: every
// troubleshooting scenario's sample evidence (examples/evidence) imports into a scenario that
// validates and reproduces the symptom under its cause, and `wblab diagnose` ranks that cause
// first. And the question the lab can answer: a correct agent cannot report success together
// with 33004.
#include "e2e_support.hpp"

#include <filesystem>
#include <iostream>
#include <regex>
#include <sstream>

using namespace wblab;
using namespace wblab::e2e;

namespace {

const std::string kSamples = std::string(WBLAB_SOURCE_DIR) + "/examples/evidence";

struct Case {
    const char* sample;
    const char* cause;  ///< what diagnose must rank first
    const char* kind;   ///< "in the scenario" or "agent fault"
};

// One per bundled troubleshooting scenario (scenarios/troubleshooting/NNNN_ts_*).
const Case kCases[] = {
    {"0040", "protected-account", "in the scenario"},
    {"0041", "connector-reset-password", "in the scenario"},
    {"0042", "password-history", "in the scenario"},
    {"0043", "minimum-age", "in the scenario"},
    {"0044", "fine-grained-policy", "in the scenario"},
    {"0045", "matches-by-upn", "agent fault"},
    {"0046", "duplicate-anchor", "in the scenario"},
    {"0047", "account-disabled", "in the scenario"},
    {"0048", "cannot-change-password", "in the scenario"},
    {"0049", "account-locked", "in the scenario"},
    {"0050", "complexity", "in the scenario"},
    {"0051", "password-never-expires", "in the scenario"},
    {"0052", "relay-delay", "in the scenario"},
    {"0053", "connector-write-lockout-time", "in the scenario"},
    {"0054", "onprem-change-keeps-risk", "in the scenario"},
    {"0055", "deleted-on-premises", "in the scenario"},
};

std::vector<std::string> sampleFiles(const std::string& sample) {
    std::vector<std::string> files;
    for (const auto& f : std::filesystem::directory_iterator(kSamples + "/" + sample)) {
        files.push_back(f.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

testkit::CliRun cli(const std::vector<std::string>& args, const std::string& dir) {
    auto run = testkit::runCommand(WBLAB_CLI_PATH, args, dir, std::chrono::minutes(10));
    REQUIRE(run);
    return *run;
}

/// Imports the sample into `dir`/iNNNN.yaml; the path.
std::string importSample(const std::string& sample, const std::string& dir) {
    std::vector<std::string> args = {"import"};
    for (const auto& f : sampleFiles(sample)) {
        args.push_back(f);
    }
    // The samples' Event Viewer CSVs were saved on a machine at UTC+01:00.
    args.insert(args.end(),
                {"--event-log-utc-offset", "+01:00", "-o", dir + "/i" + sample + ".yaml"});
    auto run = cli(args, dir);
    INFO(run.output());
    REQUIRE(run.exitCode == 0);
    CHECK_THAT(run.out, Catch::Contains("it validates"));
    return dir + "/i" + sample + ".yaml";
}

}  // namespace

TEST_CASE("Every troubleshooting sample imports, reproduces its symptom and diagnoses to its cause",
          "[import][diagnose]") {
    auto dir = RunDirectory::create("import-e2e");
    REQUIRE(dir);
    int correct = 0;
    for (const auto& c : kCases) {
        INFO(c.sample);
        const std::string scenario = importSample(c.sample, dir->path());
        // Reproduced: the draft passes with a correct agent when the cause is in the
        // configuration the evidence shows, else with the agent fault that is the cause.
        std::vector<std::string> runArgs = {
            "run", scenario, "--report-dir", dir->path() + "/r" + c.sample};
        if (std::string(c.kind) == "agent fault") {
            runArgs.insert(runArgs.end(), {"--agent", std::string("reference --bug ") + c.cause});
        }
        auto run = cli(runArgs, dir->path());
        INFO(run.output());
        CHECK(run.exitCode == 0);
        auto diagnosis = cli({"diagnose", scenario, "--jobs", "2"}, dir->path());
        INFO(diagnosis.out);
        CHECK(diagnosis.exitCode == 0);
        const std::string first = std::string(" 1. [") + c.kind + "] " + c.cause + ":";
        const bool right = diagnosis.out.find(first) != std::string::npos;
        CHECK(right);
        correct += right && run.exitCode == 0 ? 1 : 0;
    }
    std::cout << "import + diagnose: " << correct << " of " << std::size(kCases)
              << " troubleshooting cases reproduce and diagnose to their cause\n";
    CHECK(correct == static_cast<int>(std::size(kCases)));
}

TEST_CASE("A correct agent cannot report success together with 33004", "[import][diagnose]") {
    auto dir = RunDirectory::create("import-e2e");
    REQUIRE(dir);
    const std::string audit = dir->path() + "/audit.json";
    const std::string events = dir->path() + "/app.xml";
    REQUIRE(writeFileAtomically(audit, R"J({"value": [{
  "activityDisplayName": "Reset password (self-service)",
  "activityDateTime": "2026-03-02T09:00:00Z", "result": "success",
  "resultReason": "Successfully completed reset.",
  "targetResources": [{"userPrincipalName": "ana@tailspin.example"}]}]})J"));
    std::string xml;
    for (int id : {31001, 31003, 33004}) {
        xml += "<Event><System><Provider Name='PasswordResetService'/><EventID>" +
               std::to_string(id) +
               "</EventID><TimeCreated SystemTime='2026-03-02T09:00:01Z'/></System><EventData>"
               "<Data>Details: ana@tailspin.example</Data></EventData></Event>\n";
    }
    REQUIRE(writeFileAtomically(events, xml));
    auto imported = cli({"import", audit, events, "-o", dir->path() + "/odd.yaml"}, dir->path());
    INFO(imported.output());
    REQUIRE(imported.exitCode == 0);
    auto diagnosis = cli({"diagnose", dir->path() + "/odd.yaml", "--jobs", "2"}, dir->path());
    INFO(diagnosis.out);
    CHECK_THAT(diagnosis.out, Catch::Contains("does not reproduce them all"));
    // Nothing, no documented cause and no fault, shows success with 33004.
    const std::regex share(R"(reproduces (\d+) of (\d+))");
    int candidates = 0;
    for (auto it = std::sregex_iterator(diagnosis.out.begin(), diagnosis.out.end(), share);
         it != std::sregex_iterator();
         ++it, ++candidates) {
        CHECK(std::stoi((*it)[1].str()) < std::stoi((*it)[2].str()));
    }
    CHECK(candidates > 0);
    CHECK(diagnosis.out.find("Also reproduce all of it") == std::string::npos);
}

TEST_CASE("list finds the scenarios that show an event or an outcome from the evidence",
          "[list][diagnose]") {
    auto dir = RunDirectory::create("list-e2e");
    REQUIRE(dir);
    const std::string scenarios = std::string(WBLAB_SOURCE_DIR) + "/scenarios";
    auto ids = [&](const std::vector<std::string>& flags) {
        std::vector<std::string> args = {"list", scenarios};
        args.insert(args.end(), flags.begin(), flags.end());
        auto run = cli(args, dir->path());
        INFO(run.output());
        REQUIRE(run.exitCode == 0);
        std::set<std::string> out;
        std::istringstream lines(run.out);
        for (std::string line; std::getline(lines, line);) {
            out.insert(line.substr(0, line.find('\t')));
        }
        return out;
    };
    const auto with33004 = ids({"--event", "33004"});
    CHECK(with33004.count("0040_ts_former_admin_still_protected") == 1);
    CHECK(with33004.count("0041_ts_connector_without_reset_right") == 1);
    CHECK(with33004.count("0043_ts_minimum_age_second_reset") == 0);
    const auto sspr0029 = ids({"--outcome", "SSPR_0029"});
    CHECK(sspr0029.count("0033_tlg_user1_reset_fails_sspr_0029") == 1);
    CHECK(sspr0029.count("0001_sspr_reset_synced_user") == 0);
    // Both: the scenarios that show the two together, fewer than either alone.
    const auto both = ids({"--event", "33004", "--outcome", "SSPR_0029"});
    CHECK(both.count("0040_ts_former_admin_still_protected") == 1);
    for (const auto& id : both) {
        CHECK(with33004.count(id) == 1);
        CHECK(sspr0029.count(id) == 1);
    }
    auto bad = cli({"list", scenarios, "--outcome", "SSPR_9999"}, dir->path());
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Catch::Contains("unknown outcome 'SSPR_9999'"));
}
