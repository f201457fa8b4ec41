// The wblab command line as a CI pipeline uses it: selection (exact ids, excluded tags, the
// last run's failures, stopping after N failures), shards that agree on their seed and merge
// into the whole run, a preflight that turns a broken setup into one clear error, and what a
// failure shows (the agent's stderr, redacted; a rerun command).
#include "e2e_support.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

using namespace wblab;
using namespace wblab::e2e;

namespace {

std::string reportOf(const std::string& dir) {
    auto json = readFile(dir + "/report.json");
    REQUIRE(json);
    return *json;
}

/// The scenario ids of a report.json, in its order.
std::vector<std::string> idsIn(const std::string& reportJson) {
    std::vector<std::string> ids;
    std::istringstream lines(reportJson);
    bool inScenarios = false;
    for (std::string line; std::getline(lines, line);) {
        inScenarios = inScenarios || line == "  \"scenarios\": [";  // the top-level list
        // Each scenario object opens with its id, indented six spaces.
        const std::string key = "      \"id\": \"";
        if (inScenarios && line.rfind(key, 0) == 0) {
            ids.push_back(line.substr(key.size(), line.rfind('"') - key.size()));
        }
    }
    return ids;
}

/// A report.json without what may differ between a whole run and its merged shards: timings,
/// start times and the shard itself.
std::string comparable(const std::string& json) {
    std::string out;
    std::istringstream in(json);
    for (std::string line; std::getline(in, line);) {
        const bool volatileField = line.find("\"durationMs\"") != std::string::npos ||
                                   line.find("\"stepsMs\"") != std::string::npos ||
                                   line.find("\"startedAt\"") != std::string::npos ||
                                   line.find("\"agentStderr\"") != std::string::npos;
        if (!volatileField) {
            out += line + "\n";
        }
    }
    return out;
}

const std::string kLyingAgent = std::string(WBLAB_AGENT_PATH) + " --bug success-without-write";

}  // namespace

TEST_CASE("List options take one value each and leave the scenario paths alone",
          "[e2e][cli][selection]") {
    auto dir = RunDirectory::create("sel");
    REQUIRE(dir);
    auto listed = runCli({"list",
                          "--tags",
                          "unlock,change",
                          "--exclude-tags",
                          "matrix",
                          "--tags",
                          "smoke",
                          kScenarios},
                         dir->path());
    INFO(listed.output());
    REQUIRE(listed.exitCode == 0);
    CHECK_THAT(listed.out, Catch::Contains("0001_sspr_reset_synced_user\t"));
    CHECK_THAT(listed.out, !Catch::Contains("_matrix"));
    const std::string row =
        "0301_min_length_matrix[min_length=13,outcome=success,new=binds,old=rejects]";
    auto byId =
        runCli({"list", "--id", row + ",0003_sspr_reset_protected_admin", kScenarios}, dir->path());
    REQUIRE(byId.exitCode == 0);
    CHECK(byId.out.substr(0, byId.out.find('\t')) == "0003_sspr_reset_protected_admin");
    CHECK(std::count(byId.out.begin(), byId.out.end(), '\n') == 2);
    CHECK_THAT(byId.out, Catch::Contains(row + "\t"));
    auto typo = runCli({"list", "--id", "0001_sspr_reset_synced_usr", kScenarios}, dir->path());
    CHECK(typo.exitCode == 2);
    CHECK_THAT(typo.err, Catch::Contains("no scenario has the id '0001_sspr_reset_synced_usr'"));
    // run too: the path after --tags is a path, not a tag.
    auto run = runCli({"run", "--tags", "tls", kScenarios, "--report-dir", dir->path() + "/r"},
                      dir->path());
    INFO(run.output());
    CHECK(run.exitCode == 0);
    CHECK(idsIn(reportOf(dir->path() + "/r")) ==
          std::vector<std::string>{"0006_sspr_reset_over_ldaps"});
}

TEST_CASE("Stopping at the first failure (-x) leaves the rest unrun and says so",
          "[e2e][slapd][cli][selection]") {
    auto dir = RunDirectory::create("exitfirst");
    REQUIRE(dir);
    const std::string reports = dir->path() + "/r";
    auto run = runCli({"run",
                       kScenarios,
                       "--tags",
                       "smoke",
                       "--agent",
                       kLyingAgent,
                       "-x",
                       "--jobs",
                       "1",
                       "--report-dir",
                       reports},
                      dir->path());
    INFO(run.output());
    CHECK(run.exitCode == 1);
    const auto json = reportOf(reports);
    CHECK(idsIn(json) == std::vector<std::string>{"0001_sspr_reset_synced_user"});
    CHECK_THAT(json, Catch::Contains("\"maxFailures\": 1"));
    CHECK_THAT(json, Catch::Contains("\"0002_sspr_reset_violates_min_length\""));  // not run
    CHECK_THAT(run.out,
               Catch::Contains("stopped after 1 failure (--max-failures): 4 scenarios not run"));
}

TEST_CASE("Running the last failures again takes exactly those and their seed",
          "[e2e][slapd][cli][selection]") {
    auto dir = RunDirectory::create("lastfailed");
    REQUIRE(dir);
    const std::string first = dir->path() + "/first";
    auto before = runCli({"run",
                          kScenarios,
                          "--filter",
                          "^00(01|02|13)_",
                          "--agent",
                          "reference --bug ignores-must-change",
                          "--report-dir",
                          first},
                         dir->path());
    INFO(before.output());
    REQUIRE(before.exitCode == 1);
    const std::string seedLine = before.out.substr(0, before.out.find('\n'));
    const std::string seed =
        seedLine.substr(std::string("wblab: seed ").size(), seedLine.find(' ', 12) - 12);
    auto again = runCli({"run",
                         kScenarios,
                         "--last-failed",
                         first + "/report.json",
                         "--agent",
                         "reference --bug ignores-must-change",
                         "--report-dir",
                         dir->path() + "/again"},
                        dir->path());
    INFO(again.output());
    CHECK(again.exitCode == 1);
    CHECK_THAT(again.out, Catch::StartsWith("wblab: seed " + seed + " (from --last-failed"));
    CHECK(idsIn(reportOf(dir->path() + "/again")) ==
          std::vector<std::string>{"0013_admin_reset_must_change"});
    auto fixed = runCli({"run",
                         kScenarios,
                         "--last-failed",
                         first + "/report.json",
                         "--report-dir",
                         dir->path() + "/fixed"},
                        dir->path());
    CHECK(fixed.exitCode == 0);
    auto nothing = runCli({"run",
                           kScenarios,
                           "--last-failed",
                           dir->path() + "/fixed/report.json",
                           "--report-dir",
                           dir->path() + "/nothing"},
                          dir->path());
    CHECK(nothing.exitCode == 0);
    CHECK_THAT(nothing.err, Catch::Contains("nothing to run again"));
}

TEST_CASE("Four shards of one CI run agree on the seed and merge into the whole run's report",
          "[e2e][slapd][cli][merge]") {
    auto dir = RunDirectory::create("shards");
    REQUIRE(dir);
    // Storms aside, the whole bundled suite: matrix rows land in different shards.
    const std::vector<std::string> suite = {"run", kScenarios, "--exclude-tags", "storm"};
    auto run = [&](std::vector<std::string> extra,
                   const std::string& out,
                   const testkit::CommandSetting& setting) {
        auto args = suite;
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"--report-dir", dir->path() + "/" + out, "--jobs", "2"});
        auto result = runCli(args, dir->path(), std::chrono::minutes(5), setting);
        INFO(result.output());
        REQUIRE(result.exitCode == 0);
        return result;
    };
    // The whole run reads the pipeline's id from GitHub's variable; the shards are told it.
    auto whole = run({}, "whole", {{{"GITHUB_RUN_ID", "424242"}}, ""});
    CHECK_THAT(whole.out, Catch::StartsWith("wblab: seed "));
    CHECK_THAT(whole.out, Catch::Contains("(from GITHUB_RUN_ID 424242;"));
    std::vector<std::string> merge = {"report", "merge"};
    for (int k = 4; k >= 1; --k) {
        const std::string shard = std::to_string(k) + "/4";
        run({"--shard", shard, "--run-id", "424242"}, "s" + std::to_string(k), {});
        merge.push_back(dir->path() + "/s" + std::to_string(k) + "/report.json");
    }
    merge.insert(merge.end(), {"--report-dir", dir->path() + "/merged"});
    auto merged = runCli(merge, dir->path());
    INFO(merged.output());
    REQUIRE(merged.exitCode == 0);
    const auto wholeJson = reportOf(dir->path() + "/whole");
    CHECK(idsIn(reportOf(dir->path() + "/merged")).size() == idsIn(wholeJson).size());
    CHECK(comparable(reportOf(dir->path() + "/merged")) == comparable(wholeJson));

    // A shard with its own seed: the merge names the field and the reports.
    run({"--shard", "2/4", "--seed", "5"}, "odd", {});
    auto mixed = runCli({"report",
                         "merge",
                         dir->path() + "/s1/report.json",
                         dir->path() + "/odd/report.json",
                         "--report-dir",
                         dir->path() + "/x"},
                        dir->path());
    CHECK(mixed.exitCode == 2);
    CHECK_THAT(mixed.err, Catch::Contains("seed differs: " + dir->path() + "/s1/report.json has "));
    CHECK_THAT(mixed.err, Catch::Contains("run id differs"));
    CHECK_THAT(mixed.err, Catch::Contains("--run-id"));
    // Three of four shards: merged, but the run is incomplete and says so.
    auto partial = runCli({"report",
                           "merge",
                           dir->path() + "/s1/report.json",
                           dir->path() + "/s2/report.json",
                           dir->path() + "/s4/report.json",
                           "--report-dir",
                           dir->path() + "/p"},
                          dir->path());
    CHECK(partial.exitCode == 1);
    CHECK_THAT(partial.err, Catch::Contains("shard 3/4 is missing"));
}

TEST_CASE("A setup that cannot work is one clear error before any scenario (exit 2)",
          "[e2e][slapd][cli][preflight]") {
    auto dir = RunDirectory::create("preflight");
    REQUIRE(dir);
    const std::string reports = dir->path() + "/r";
    auto runWith = [&](std::vector<std::string> extra, const testkit::CommandSetting& setting) {
        std::vector<std::string> args = {"run", kReset, "--report-dir", reports};
        args.insert(args.end(), extra.begin(), extra.end());
        auto result = runCli(args, dir->path(), std::chrono::minutes(2), setting);
        INFO(result.output());
        CHECK(result.exitCode == 2);
        CHECK_FALSE(std::filesystem::exists(reports + "/report.json"));
        // One message, on stderr: no scenario ran, none is blamed.
        CHECK(std::count(result.err.begin(), result.err.end(), '\n') >= 1);
        CHECK_THAT(result.err, Catch::StartsWith("wblab: cannot run: "));
        CHECK_THAT(result.out, !Catch::Contains("fail "));
        return result.err;
    };
    CHECK_THAT(runWith({"--agent", "/nonexistent/agent"}, {}),
               Catch::Contains("the agent '/nonexistent/agent' cannot be started"));
    CHECK_THAT(runWith({"--agent", "reference --bug nosuch"}, {}),
               Catch::Contains("the agent has no fault 'nosuch' (its --list-bugs lists: "
                               "success-without-write"));
    // An agent that dies at start-up: its last words are part of the message.
    CHECK_THAT(runWith({"--agent", std::string(WBLAB_AGENT_PATH) + " --protocol 3"}, {}),
               Catch::Contains("did not complete its handshake") &&
                   Catch::Contains("its stderr ends with:") &&
                   Catch::Contains("--protocol takes 1 or 2, not '3'"));
    REQUIRE(writeFileAtomically(dir->path() + "/a-file", "x"));
    CHECK_THAT(runWith({}, {{{"WBLAB_TMPDIR", dir->path() + "/a-file"}}, ""}),
               Catch::Contains("the temporary directory " + dir->path() +
                               "/a-file is not usable (set WBLAB_TMPDIR"));
    CHECK_THAT(runWith({}, {{{"WBLAB_MODULE_DIR", dir->path()}}, ""}),
               Catch::Contains("the slapd directory does not start: slapd module missing: " +
                               dir->path() + "/wblab_ad_complexity.so"));
    // A relative temporary directory works (taken from the working directory).
    std::filesystem::create_directories(dir->path() + "/rel");
    auto relative = runCli({"run", kReset, "--report-dir", reports, "--keep"},
                           dir->path(),
                           std::chrono::minutes(2),
                           {{{"WBLAB_TMPDIR", "rel"}}, dir->path()});
    INFO(relative.output());
    CHECK(relative.exitCode == 0);
    CHECK(testkit::entriesStartingWith(dir->path() + "/rel", "wblab-0001_").size() == 1);
}

TEST_CASE("A failure shows the end of the agent's stderr with every secret redacted",
          "[e2e][slapd][cli][redaction]") {
    auto dir = RunDirectory::create("stderr");
    REQUIRE(dir);
    const std::string reports = dir->path() + "/r";
    auto run = runCli({"run",
                       kReset,
                       "--agent",
                       "reference --bug logs-password",
                       "--seed",
                       "3",
                       "--report-dir",
                       reports},
                      dir->path());
    INFO(run.output());
    CHECK(run.exitCode == 1);
    const auto json = reportOf(reports);
    const auto junit = readFile(reports + "/junit.xml").value();
    CHECK_THAT(json, Catch::Contains("\"agentStderr\": \"") && Catch::Contains("[redacted]"));
    CHECK_THAT(junit, Catch::Contains("agent stderr (last lines):"));
    for (const auto& secret : load(kReset).secrets()) {
        CHECK(json.find(secret) == std::string::npos);
        CHECK(junit.find(secret) == std::string::npos);
        CHECK(run.out.find(secret) == std::string::npos);
    }
    // The rerun command, pasted, runs the same scenario with the same seed and agent.
    const std::string marker = "    rerun: ";
    const auto at = run.out.find(marker);
    REQUIRE(at != std::string::npos);
    const std::string rerun =
        run.out.substr(at + marker.size(), run.out.find('\n', at) - at - marker.size());
    CHECK_THAT(rerun,
               Catch::Contains(" run --seed 3 --agent 'reference --bug logs-password' --id "
                               "0001_sspr_reset_synced_user " +
                               kReset));
    auto again = testkit::runCommand(
        "/bin/sh", {"-c", rerun + " --report-dir " + dir->path() + "/again"}, dir->path());
    REQUIRE(again);
    CHECK(again->exitCode == 1);
    CHECK(idsIn(reportOf(dir->path() + "/again")) ==
          std::vector<std::string>{"0001_sspr_reset_synced_user"});
}
