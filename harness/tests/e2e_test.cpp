// End-to-end tests: the bundled scenarios against the real agents, through the real wblab
// command line, on real slapd fixtures.
#include <wblab/harness/runner.hpp>
#include <wblab/harness/scenario.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/process.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace wblab;
using namespace wblab::harness;

namespace {

const std::string kScenarios = std::string(WBLAB_SOURCE_DIR) + "/scenarios";
const std::string kConformance = kScenarios + "/conformance";
const std::string kReset = kConformance + "/0001_sspr_reset_synced_user.yaml";
const std::string kPolicy = kConformance + "/0002_sspr_reset_violates_min_length.yaml";

/// A report.json without durations and the start time: the only fields a rerun may change.
std::string withoutTimings(const std::string& json) {
    std::string out;
    std::istringstream in(json);
    for (std::string line; std::getline(in, line);) {
        if (line.find("\"durationMs\"") == std::string::npos &&
            line.find("\"startedAt\"") == std::string::npos) {
            out += line + "\n";
        }
    }
    return out;
}

std::vector<std::string> bundledFiles() {
    auto files = collectScenarioFiles({kScenarios});
    REQUIRE(files);
    return *files;
}

/// Every bundled scenario, matrix files expanded (one per row).
std::vector<Scenario> bundledScenarios() {
    std::vector<Scenario> out;
    for (const auto& file : bundledFiles()) {
        auto some = loadScenarios(file);
        REQUIRE(some);
        out.insert(out.end(), some->begin(), some->end());
    }
    return out;
}

Scenario load(const std::string& path) {
    auto s = loadScenario(path);
    REQUIRE(s);
    return *s;
}

RunOptions optionsFor(std::vector<std::string> agentArgv) {
    RunOptions options;
    options.agent.argv = std::move(agentArgv);
    options.agent.label = "test";
    return options;
}

std::vector<std::string> referenceAgent() {
    return {WBLAB_AGENT_PATH};
}

struct CliRun {
    int exitCode = -1;
    std::string output;
};

/// Runs the wblab command line; runs over the whole bundled suite get a deadline that grows with
/// it (a hung wblab still fails the test instead of hanging it).
CliRun runCli(const std::vector<std::string>& args,
              const std::string& dir,
              std::chrono::milliseconds deadline = std::chrono::milliseconds(300000)) {
    ProcessSpec spec;
    spec.argv = {WBLAB_CLI_PATH};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    // Fixtures of this run live inside `dir`, apart from those of tests running alongside.
    spec.env = {{"PATH", "/usr/bin:/bin"}, {"WBLAB_TMPDIR", dir}, {"TMPDIR", dir}};
    spec.stdoutPath = dir + "/cli.out";
    spec.stderrPath = dir + "/cli.err";
    auto status = runProcess(spec, deadline);
    REQUIRE(status);
    REQUIRE(status->exited);
    CliRun run;
    run.exitCode = status->code;
    run.output = readFile(dir + "/cli.out").value() + readFile(dir + "/cli.err").value();
    return run;
}

/// Processes whose command line mentions `needle` (slapd and agents started by a run).
std::vector<std::string> processesMentioning(const std::string& needle) {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::ifstream in(entry.path() / "cmdline");
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find(needle) != std::string::npos) {
            found.push_back(name + " " + cmdline);
        }
    }
    return found;
}

/// An agent command line that never answers and whose own arguments carry `dir`, and the text
/// that finds it in /proc/PID/cmdline (NUL-separated there, unlike in wblab's own command line,
/// which holds the whole --agent value in one argument).
struct MarkedAgent {
    std::string command;
    std::string cmdlineNeedle;
};

MarkedAgent markedAgent(const std::string& dir, const std::string& script) {
    return {"/bin/sh -c \"" + script + "; sleep 60\" " + dir,
            "sleep 60" + std::string(1, '\0') + dir + std::string(1, '\0')};
}

/// Starts `wblab args` with its fixtures under `dir` and returns once `agent` is running.
Process startRunUntilAgentRuns(std::vector<std::string> args,
                               const std::string& dir,
                               const MarkedAgent& agent) {
    ProcessSpec spec;
    spec.argv = {WBLAB_CLI_PATH};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.argv.push_back("--agent");
    spec.argv.push_back(agent.command);
    spec.env = {{"PATH", "/usr/bin:/bin"}, {"WBLAB_TMPDIR", dir}};
    spec.stdoutPath = dir + "/cli.out";
    spec.stderrPath = dir + "/cli.err";
    auto cli = Process::start(spec);
    REQUIRE(cli);
    auto deadline = deadlineIn(std::chrono::milliseconds(20000));
    while (processesMentioning(agent.cmdlineNeedle).empty() && Clock::now() < deadline) {
        cli->waitUntil(deadlineIn(std::chrono::milliseconds(10)));
    }
    REQUIRE_FALSE(processesMentioning(agent.cmdlineNeedle).empty());
    return std::move(*cli);
}

}  // namespace

TEST_CASE("A self-service reset of a synced user passes with the reference agent", "[e2e][slapd]") {
    auto result = runScenario(load(kReset), optionsFor(referenceAgent()));
    INFO(result.message);
    CHECK(result.verdict == report::Verdict::Pass);
    CHECK(result.checks.size() >= 6);
    for (const auto& c : result.checks) {
        INFO(c.name << ": expected " << c.expected << ", observed " << c.observed);
        CHECK(c.passed);
    }
}

TEST_CASE("A reset that violates the minimum length passes as a policy violation", "[e2e][slapd]") {
    auto result = runScenario(load(kPolicy), optionsFor(referenceAgent()));
    INFO(result.message);
    CHECK(result.verdict == report::Verdict::Pass);
}

TEST_CASE("The checks catch an agent that reports success without writing", "[e2e][slapd]") {
    auto result =
        runScenario(load(kReset), optionsFor({WBLAB_AGENT_PATH, "--bug", "success-without-write"}));
    CHECK(result.verdict == report::Verdict::Fail);
    bool newPasswordCheckFailed = false;
    bool oldPasswordCheckFailed = false;
    for (const auto& c : result.checks) {
        if (c.name == "user1: the new password of step 1 binds") {
            newPasswordCheckFailed = !c.passed;
        }
        if (c.name == "user1: the seeded password binds") {
            oldPasswordCheckFailed = !c.passed;
        }
    }
    CHECK(newPasswordCheckFailed);
    CHECK(oldPasswordCheckFailed);
}

TEST_CASE("A risk remediated by an agent that did not write fails on the directory's truth",
          "[e2e][slapd][risk]") {
    const std::string file = std::string(WBLAB_SOURCE_DIR) +
                             "/scenarios/risk/0101_leaked_credentials_secure_change.yaml";
    auto honest = runScenario(load(file), optionsFor(referenceAgent()));
    INFO(honest.message);
    CHECK(honest.verdict == report::Verdict::Pass);

    auto lying =
        runScenario(load(file), optionsFor({WBLAB_AGENT_PATH, "--bug", "success-without-write"}));
    CHECK(lying.verdict == report::Verdict::Fail);
    std::map<std::string, bool> passed;
    for (const auto& c : lying.checks) {
        passed[c.name] = c.passed;
    }
    // The cloud believed the agent, as the real service must; the directory says otherwise.
    CHECK(passed.at("step 2: risky1@testlab.example risk state"));
    CHECK_FALSE(passed.at("risky1: the new password of step 2 binds"));
    CHECK_FALSE(passed.at("risky1: the seeded password binds"));
}

TEST_CASE("An agent that cannot start fails the scenario instead of crashing the run",
          "[e2e][slapd]") {
    auto result = runScenario(load(kReset), optionsFor({"/nonexistent/agent"}));
    CHECK(report::isFailure(result.verdict));
    CHECK_THAT(result.message, Catch::Contains("agent handshake"));
}

TEST_CASE("An agent that never answers the handshake is a timeout", "[e2e][slapd]") {
    auto options = optionsFor({"/bin/sleep", "30"});
    options.handshakeTimeout = std::chrono::milliseconds(300);
    auto result = runScenario(load(kReset), options);
    CHECK(result.verdict == report::Verdict::Timeout);
}

TEST_CASE("An agent that answers garbage fails the scenario with a diagnostic", "[e2e][slapd]") {
    // Says ready properly, then answers every request with a line that is not JSON.
    const std::string script =
        "read hello; echo '{\"type\":\"ready\",\"protocol\":1,\"agent\":{\"name\":\"g\","
        "\"version\":\"0\"},\"capabilities\":[\"reset\",\"plaintext\"]}'; while read line; do echo "
        "'garbage'; done";
    auto result = runScenario(load(kReset), optionsFor({"/bin/sh", "-c", script}));
    CHECK(result.verdict == report::Verdict::Fail);
    bool outcomeSaysConnectivity = false;
    for (const auto& c : result.checks) {
        if (c.name == "step 1: outcome") {
            outcomeSaysConnectivity = c.observed == "SSPR_0030";
        }
    }
    CHECK(outcomeSaysConnectivity);
}

TEST_CASE("wblab run passes the bundled scenarios, writes junit.xml and leaves nothing behind",
          "[e2e][slapd][cli]") {
    auto dir = RunDirectory::create("cli");
    REQUIRE(dir);
    const std::string reports = dir->path() + "/reports";
    auto run = runCli({"run", kScenarios, "--report-dir", reports, "--seed", "7"}, dir->path());
    INFO(run.output);
    CHECK(run.exitCode == 0);
    CHECK_THAT(run.output, Catch::StartsWith("wblab: seed 7\n"));
    const auto n = std::to_string(bundledScenarios().size());
    CHECK_THAT(run.output, Catch::Contains(n + " scenarios: " + n + " passed, 0 failed"));
    auto junit = readFile(reports + "/junit.xml");
    REQUIRE(junit);
    CHECK_THAT(*junit, Catch::Contains("tests=\"" + n + "\" failures=\"0\" errors=\"0\""));
    CHECK_THAT(*junit, Catch::Contains("name=\"0001_sspr_reset_synced_user\""));
    auto json = readFile(reports + "/report.json");
    REQUIRE(json);
    CHECK_THAT(*json, Catch::Contains("\"seed\": 7"));
    CHECK_THAT(*json, Catch::Contains("\"failed\": false"));
    auto summary = readFile(reports + "/summary.md");
    REQUIRE(summary);
    CHECK_THAT(*summary, Catch::StartsWith("## wblab: all scenarios passed"));
    CHECK(processesMentioning(dir->path()).empty());
    int leftovers = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir->path())) {
        ++leftovers;
    }
    CHECK(leftovers == 3);  // cli.out, cli.err, reports/: no fixture directory remains
}

TEST_CASE("wblab run exits 1 and names the failed checks when the agent is wrong",
          "[e2e][slapd][cli]") {
    auto dir = RunDirectory::create("cli");
    REQUIRE(dir);
    auto run = runCli({"run",
                       kReset,
                       "--report-dir",
                       dir->path() + "/reports",
                       "--agent",
                       std::string(WBLAB_AGENT_PATH) + " --bug success-without-write"},
                      dir->path());
    CHECK(run.exitCode == 1);
    CHECK_THAT(run.output,
               Catch::Contains("user1: the new password of step 1 binds: expected "
                               "yes, observed no"));
}

TEST_CASE("wblab run exits 2 on a bad scenario and 3 when reports cannot be written",
          "[e2e][cli]") {
    auto dir = RunDirectory::create("cli");
    REQUIRE(dir);
    auto bad = runCli(
        {"run", std::string(WBLAB_SOURCE_DIR) + "/harness/tests/inputs/bad_unknown_key.yaml"},
        dir->path());
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.output, Catch::Contains("bad_unknown_key.yaml:6:7: onprem.users[0].pasword"));
    REQUIRE(writeFileAtomically(dir->path() + "/not-a-dir", "x"));
    auto unwritable =
        runCli({"run", kReset, "--report-dir", dir->path() + "/not-a-dir/reports"}, dir->path());
    CHECK(unwritable.exitCode == 3);
}

TEST_CASE("No password of a scenario reaches any artefact of a kept run", "[e2e][slapd][cli]") {
    auto dir = RunDirectory::create("cli");
    REQUIRE(dir);
    const std::string reports = dir->path() + "/reports";
    auto run = runCli({"run", kScenarios, "--report-dir", reports, "--keep"}, dir->path());
    REQUIRE(run.exitCode == 0);
    std::vector<std::string> secrets;
    for (const auto& s : bundledScenarios()) {
        auto more = s.secrets();
        secrets.insert(secrets.end(), more.begin(), more.end());
    }
    REQUIRE(secrets.size() >= 2 * bundledScenarios().size());
    // Everything the run wrote is under dir: reports, console output, kept fixture directories.
    std::vector<std::string> roots = {dir->path()};
    int keptDirectories = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir->path())) {
        keptDirectories += entry.path().filename().string().rfind("wblab-ds-", 0) == 0 ? 1 : 0;
    }
    CHECK(keptDirectories == static_cast<int>(bundledScenarios().size()));
    int filesScanned = 0;
    for (const auto& root : roots) {
        std::vector<std::string> files;
        if (std::filesystem::is_directory(root)) {
            for (const auto& f : std::filesystem::recursive_directory_iterator(root)) {
                if (f.is_regular_file()) {
                    files.push_back(f.path().string());
                }
            }
        } else {
            files.push_back(root);
        }
        for (const auto& f : files) {
            auto content = readFile(f);
            REQUIRE(content);
            ++filesScanned;
            for (const auto& secret : secrets) {
                INFO(f);
                CHECK(content->find(secret) == std::string::npos);
            }
        }
    }
    CHECK(filesScanned >= 8);
}

// The bug zoo's mutation score (every fault fails a criterion, every criterion is failed by a
// fault) is the ctest zoo.mutation_score_is_100_percent: `wblab zoo scenarios --jobs 2`.

TEST_CASE("The bash agent, written from the protocol document alone, passes the bundled suite",
          "[e2e][slapd][cli][bash-agent]") {
    auto dir = RunDirectory::create("cli");
    REQUIRE(dir);
    const std::string agent = std::string(WBLAB_SOURCE_DIR) + "/agents/examples/bash-agent";
    // bash, jq and the OpenLDAP tools per request: slow, and the suite grows. Stay under the
    // ctest TIMEOUT (900 s) so a hang still reports what ran. Storms (ids with "storm") are left
    // out: hundreds of resets at a dozen processes each measure throughput, not the protocol.
    auto run = runCli({"run",
                       kScenarios,
                       "--filter",
                       "^(?!.*storm)",
                       "--report-dir",
                       dir->path() + "/reports",
                       "--agent",
                       agent},
                      dir->path(),
                      std::chrono::milliseconds(840000));
    INFO(run.output);
    CHECK(run.exitCode == 0);
    const auto scenarios = bundledScenarios();
    const auto n =
        std::to_string(std::count_if(scenarios.begin(), scenarios.end(), [](const auto& sc) {
            return sc.id.find("storm") == std::string::npos;
        }));
    CHECK_THAT(run.output, Catch::Contains(n + " scenarios: " + n + " passed, 0 failed"));
    CHECK(processesMentioning(dir->path()).empty());
}

namespace {

/// A hostile agent: a shell script that performs the handshake (declaring plaintext, so it needs
/// no key) and then does `afterReady` with each request line in $line.
std::vector<std::string> shellAgent(const std::string& afterReady) {
    return {"/bin/sh",
            "-c",
            "read hello; echo '{\"type\":\"ready\",\"protocol\":1,\"agent\":{\"name\":\"hostile\","
            "\"version\":\"0\"},\"capabilities\":[\"reset\",\"plaintext\"]}'; " +
                afterReady};
}

/// The observed value of the named check, or "(no such check)".
std::string observed(const report::CaseResult& result, const std::string& name) {
    for (const auto& c : result.checks) {
        if (c.name == name) {
            return c.observed;
        }
    }
    return "(no such check)";
}

}  // namespace

TEST_CASE("A hostile agent is a verdict with a diagnostic, never a crash",
          "[e2e][slapd][hostile]") {
    struct Case {
        const char* what;
        std::string script;
        const char* diagnostic;
    };

    const std::string reply =
        "echo \"{\\\"type\\\":\\\"answer\\\",\\\"id\\\":\\\"$id\\\",\\\"result\\\":\\\"success\\\","
        "\\\"events\\\":[31001,31002],\\\"reason\\\":0}\"";
    const std::string readId =
        "id=$(printf '%s' \"$line\" | sed 's/.*\"id\":\"\\([^\"]*\\)\".*/\\1/'); ";
    auto c =
        GENERATE_COPY(Case{"answers an unknown id",
                           "while read line; do id=nope; " + reply + "; done",
                           "answer for unknown request id 'nope'"},
                      Case{"answers twice",
                           "while read line; do " + readId + reply + "; " + reply + "; done",
                           "a second answer for request"},
                      Case{"exits after the handshake", "exit 3", "(exit code 3)"},
                      Case{"stays silent", "while read line; do :; done", "no answer within"},
                      Case{"sends a line over 1 MiB",
                           "while read line; do head -c 1100000 /dev/zero | tr '\\0' x; echo; done",
                           "line over 1 MiB"},
                      Case{"sends garbage",
                           "while read line; do echo 'not json at all'; done",
                           "unreadable answer"});
    INFO(c.what);
    auto options = optionsFor(shellAgent(c.script));
    options.stepTimeout = std::chrono::milliseconds(500);
    // Two resets in a row: the second step shows what a duplicate answer does to the next one.
    auto scenario = load(kConformance + "/0018_replayed_request_rejected.yaml");
    auto result = runScenario(scenario, options);
    CHECK(report::isFailure(result.verdict));
    std::string diagnostics = observed(result, "step 1: agent answered per protocol") + " | " +
                              observed(result, "step 2: agent answered per protocol");
    CHECK_THAT(diagnostics, Catch::Contains(c.diagnostic));
    CHECK(observed(result, "security: passwords sealed to the agent's key") ==
          "sent in clear (the agent declared plaintext)");
}

TEST_CASE("The agent's whole process group is stopped at the end of a scenario",
          "[e2e][slapd][hostile]") {
    auto dir = RunDirectory::create("group");
    REQUIRE(dir);
    const std::string marker = dir->path() + "/grandchild-alive";
    // The agent leaves a grandchild that ignores SIGTERM and holds its stdout.
    auto options = optionsFor(
        shellAgent("(trap '' TERM; exec sleep 30 " + marker + ") & while read line; do :; done"));
    options.stepTimeout = std::chrono::milliseconds(300);
    auto result = runScenario(load(kReset), options);
    CHECK(report::isFailure(result.verdict));
    auto deadline = deadlineIn(std::chrono::milliseconds(5000));
    while (!processesMentioning(marker).empty() && Clock::now() < deadline) {
        ::usleep(5000);
    }
    CHECK(processesMentioning(marker).empty());
}

TEST_CASE("Heartbeats between answers are skipped", "[e2e][slapd][hostile]") {
    const std::string script =
        "while read line; do id=$(printf '%s' \"$line\" | sed "
        "'s/.*\"id\":\"\\([^\"]*\\)\".*/\\1/'); "
        "echo '{\"type\":\"heartbeat\",\"events\":[31019]}'; "
        "echo \"{\\\"type\\\":\\\"answer\\\",\\\"id\\\":\\\"$id\\\",\\\"result\\\":\\\"failure\\\","
        "\\\"events\\\":[31001,31003,33008],\\\"reason\\\":33008}\"; done";
    auto result = runScenario(load(kPolicy), optionsFor(shellAgent(script)));
    // The canned policy refusal is exactly what scenario 0002 expects; only the plaintext
    // security check fails.
    for (const auto& c : result.checks) {
        INFO(c.name << ": expected " << c.expected << ", observed " << c.observed);
        CHECK((c.passed || c.name == "security: passwords sealed to the agent's key"));
    }
    CHECK(observed(result, "step 1: outcome") == "policy_violation");
}

TEST_CASE("The same seed gives the same report, timings aside", "[e2e][slapd][cli]") {
    auto dir = RunDirectory::create("det");
    REQUIRE(dir);
    std::string reports[2];
    for (int i = 0; i < 2; ++i) {
        const std::string out = dir->path() + "/r" + std::to_string(i);
        // A handful of scenarios that cover every step kind keeps the test short.
        auto run = runCli({"run",
                           kReset,
                           kPolicy,
                           kConformance + "/0007_sspr_reset_minimum_age.yaml",
                           kConformance + "/0018_replayed_request_rejected.yaml",
                           kConformance + "/0022_forced_change_after_admin_reset.yaml",
                           kConformance + "/0023_expired_request_not_applied.yaml",
                           "--report-dir",
                           out,
                           "--seed",
                           "42",
                           "--jobs",
                           "2"},
                          dir->path());
        REQUIRE(run.exitCode == 0);
        reports[i] = withoutTimings(readFile(out + "/report.json").value());
    }
    CHECK(reports[0] == reports[1]);
    CHECK(reports[0].size() > 1000);
    CHECK_THAT(reports[0], Catch::Contains("0023_expired_request_not_applied"));
}

TEST_CASE("SIGINT stops every agent and slapd and still writes an interrupted report within 2 s",
          "[e2e][slapd][cli][signal]") {
    auto dir = RunDirectory::create("sig");
    REQUIRE(dir);
    const std::string reports = dir->path() + "/reports";
    // An agent that never completes the handshake and shrugs off SIGTERM.
    const auto agent = markedAgent(dir->path(), "trap '' TERM; read hello");
    auto cli = startRunUntilAgentRuns(
        {"run", kScenarios, "--report-dir", reports, "--jobs", "2"}, dir->path(), agent);
    const auto interrupted = Clock::now();
    ::kill(cli.pid(), SIGINT);
    auto status = cli.waitUntil(deadlineIn(std::chrono::milliseconds(2000)));
    REQUIRE(status);
    INFO(status->describe() << "\n" << readFile(dir->path() + "/cli.err").value());
    CHECK(Clock::now() - interrupted < std::chrono::milliseconds(2000));
    CHECK(status->exited);
    CHECK(status->code == 130);
    auto json = readFile(reports + "/report.json");
    REQUIRE(json);
    CHECK_THAT(*json, Catch::Contains("\"interrupted\": true"));
    CHECK_THAT(*json, Catch::Contains("\"message\": \"interrupted\""));
    CHECK(processesMentioning(dir->path()).empty());
    int fixtures = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir->path())) {
        fixtures += e.path().filename().string().rfind("wblab-ds-", 0) == 0 ? 1 : 0;
    }
    CHECK(fixtures == 0);
}

TEST_CASE("A baseline turns known failures into expected ones and fails on stale entries",
          "[e2e][slapd][cli][baseline]") {
    auto dir = RunDirectory::create("base");
    REQUIRE(dir);
    const std::string agent = std::string(WBLAB_AGENT_PATH) + " --bug matches-by-upn";
    auto runWith = [&](const std::string& baseline) {
        REQUIRE(writeFileAtomically(dir->path() + "/baseline.yaml", baseline));
        return runCli({"run",
                       kScenarios,
                       "--filter",
                       "^00(01|19|21)_",
                       "--agent",
                       agent,
                       "--baseline",
                       dir->path() + "/baseline.yaml",
                       "--report-dir",
                       dir->path() + "/reports"},
                      dir->path());
    };
    const std::string known =
        "agent: wblab-agent --bug matches-by-upn\n"
        "expected_failures:\n"
        "  - {scenario: 0019_cloud_upn_differs, reason: matches by UPN}\n"
        "  - {scenario: 0021_duplicate_anchor, reason: matches by UPN}\n";
    SECTION("every listed scenario fails: the run passes") {
        auto run = runWith(known);
        INFO(run.output);
        CHECK(run.exitCode == 0);
        CHECK_THAT(run.output, Catch::Contains("expected-fail   0019_cloud_upn_differs"));
        CHECK_THAT(run.output, Catch::Contains("expected-fail   0021_duplicate_anchor"));
    }
    SECTION("a listed scenario passes: unexpected pass, the run fails") {
        auto run = runWith(known + "  - {scenario: 0001_sspr_reset_synced_user, reason: old}\n");
        INFO(run.output);
        CHECK(run.exitCode == 1);
        CHECK_THAT(run.output, Catch::Contains("unexpected-pass 0001_sspr_reset_synced_user"));
    }
    SECTION("an entry that names no scenario is stale and fails the run") {
        auto run = runWith(known + "  - {scenario: 9999_gone, reason: renamed}\n");
        INFO(run.output);
        CHECK(run.exitCode == 1);
        CHECK_THAT(run.output,
                   Catch::Contains("baseline.yaml:5: stale entry: no scenario '9999_gone'"));
    }
    SECTION("a malformed baseline is an input error with its position") {
        auto run = runWith("expected_failures:\n  - {scenario: x, because: typo}\n");
        CHECK(run.exitCode == 2);
        CHECK_THAT(
            run.output,
            Catch::Contains("baseline.yaml:2:19: expected_failures[0].because: unknown key"));
    }
}

TEST_CASE("wblab lab up starts a scenario's directory for a person and stops it on Ctrl-C",
          "[e2e][slapd][cli][lab]") {
    auto dir = RunDirectory::create("lab");
    REQUIRE(dir);
    ProcessSpec spec;
    spec.argv = {WBLAB_CLI_PATH, "lab", "up", kReset};
    spec.env = {{"PATH", "/usr/bin:/bin"}, {"WBLAB_TMPDIR", dir->path()}};
    spec.stdoutPath = dir->path() + "/lab.out";
    spec.stderrPath = dir->path() + "/lab.err";
    auto lab = Process::start(spec);
    REQUIRE(lab);
    std::string output;
    auto deadline = deadlineIn(std::chrono::milliseconds(20000));
    while (output.find("Press Ctrl-C") == std::string::npos && Clock::now() < deadline) {
        lab->waitUntil(deadlineIn(std::chrono::milliseconds(10)));
        output = readFile(spec.stdoutPath).value();
    }
    INFO(output);
    REQUIRE_THAT(output, Catch::Contains("Press Ctrl-C"));
    auto field = [&](const std::string& label) {
        auto at = output.find(label);
        REQUIRE(at != std::string::npos);
        auto start = output.find_first_not_of(' ', at + label.size());
        return output.substr(start, output.find_first_of(" \n", start) - start);
    };
    const std::string url = field("  directory");
    const std::string connector = field("  connector");
    const std::string secretFile = output.substr(
        output.find("password in ") + 12,
        output.find(")\n", output.find("password in ")) - output.find("password in ") - 12);
    const std::string secret = readFile(secretFile).value();
    CHECK(output.find(secret) == std::string::npos);  // the console never shows a password
    // A person can connect with what was printed.
    ProcessSpec whoami;
    whoami.argv = {"ldapwhoami", "-x", "-H", url, "-D", connector, "-y", secretFile};
    whoami.env = {{"PATH", "/usr/bin:/bin"}};
    whoami.stdoutPath = dir->path() + "/whoami.out";
    auto connected = runProcess(whoami, std::chrono::milliseconds(10000));
    REQUIRE(connected);
    CHECK(connected->success());
    CHECK_THAT(readFile(dir->path() + "/whoami.out").value(), Catch::Contains("MSOL_wblab"));
    ::kill(lab->pid(), SIGINT);
    auto status = lab->waitUntil(deadlineIn(std::chrono::milliseconds(2000)));
    REQUIRE(status);
    CHECK(status->success());
    CHECK(processesMentioning(dir->path() + "/wblab-ds-").empty());
    CHECK_FALSE(std::filesystem::exists(secretFile));
}

TEST_CASE("Shards merged with wblab report merge equal one whole run", "[e2e][slapd][cli][merge]") {
    auto dir = RunDirectory::create("merge");
    REQUIRE(dir);
    const std::vector<std::string> common = {
        "run", kScenarios, "--filter", "^00(0[1-4]|1[5-8])_", "--seed", "9"};
    auto run = [&](std::vector<std::string> extra, const std::string& out) {
        auto args = common;
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back("--report-dir");
        args.push_back(out);
        auto result = runCli(args, dir->path());
        REQUIRE(result.exitCode == 0);
    };
    run({}, dir->path() + "/whole");
    run({"--shard", "1/2"}, dir->path() + "/s1");
    run({"--shard", "2/2"}, dir->path() + "/s2");
    auto merged = runCli({"report",
                          "merge",
                          dir->path() + "/s2/report.json",
                          dir->path() + "/s1/report.json",
                          "--report-dir",
                          dir->path() + "/m"},
                         dir->path());
    INFO(merged.output);
    REQUIRE(merged.exitCode == 0);
    CHECK(withoutTimings(readFile(dir->path() + "/m/report.json").value()) ==
          withoutTimings(readFile(dir->path() + "/whole/report.json").value()));
    CHECK(std::filesystem::exists(dir->path() + "/m/junit.xml"));
    CHECK(std::filesystem::exists(dir->path() + "/m/report.html"));
    auto mixed = runCli({"report",
                         "merge",
                         dir->path() + "/s1/report.json",
                         dir->path() + "/s1/report.json",
                         "--report-dir",
                         dir->path() + "/x"},
                        dir->path());
    CHECK(mixed.exitCode == 2);
    CHECK_THAT(mixed.output, Catch::Contains("is in more than one report"));
}

TEST_CASE("Scenarios that need an operation the agent does not declare are unsupported",
          "[e2e][slapd][cli][unsupported]") {
    auto dir = RunDirectory::create("caps");
    REQUIRE(dir);
    // The bash agent, declaring only "reset".
    auto source = readFile(std::string(WBLAB_SOURCE_DIR) + "/agents/examples/bash-agent");
    REQUIRE(source);
    const std::string all =
        R"(capabilities:["reset","change","forced_change","admin_reset","unlock_only"])";
    auto at = source->find(all);
    REQUIRE(at != std::string::npos);
    std::string resetOnly = *source;
    resetOnly.replace(at, all.size(), R"(capabilities:["reset"])");
    const std::string agent = dir->path() + "/reset-only-agent";
    REQUIRE(writeFileAtomically(agent, resetOnly));
    std::filesystem::permissions(agent, std::filesystem::perms::owner_all);
    auto run = runCli({"run",
                       kScenarios,
                       "--filter",
                       "^00(01|13|15)_",
                       "--agent",
                       agent,
                       "--report-dir",
                       dir->path() + "/reports"},
                      dir->path());
    INFO(run.output);
    CHECK(run.exitCode == 0);
    CHECK_THAT(run.output, Catch::Contains("3 scenarios: 1 passed, 0 failed, 2 unsupported"));
    CHECK_THAT(run.output,
               Catch::Contains("requires: admin_reset (the agent does not declare it)"));
    CHECK_THAT(readFile(dir->path() + "/reports/junit.xml").value(),
               Catch::Contains("<skipped message=\"requires: change"));
}

TEST_CASE("If wblab itself is killed, its slapd and agents die with it",
          "[e2e][slapd][cli][signal]") {
    auto dir = RunDirectory::create("kill");
    REQUIRE(dir);
    const auto agent = markedAgent(dir->path(), "read hello");
    auto cli = startRunUntilAgentRuns(
        {"run", kReset, "--report-dir", dir->path() + "/reports"}, dir->path(), agent);
    ::kill(cli.pid(), SIGKILL);  // no chance to clean up: the kernel must take the children
    REQUIRE(cli.waitUntil(deadlineIn(std::chrono::milliseconds(2000))));
    auto deadline = deadlineIn(std::chrono::milliseconds(5000));
    while ((!processesMentioning(agent.cmdlineNeedle).empty() ||
            !processesMentioning(dir->path() + "/wblab-ds-").empty()) &&
           Clock::now() < deadline) {
        ::usleep(5000);
    }
    CHECK(processesMentioning(agent.cmdlineNeedle).empty());
    CHECK(processesMentioning(dir->path() + "/wblab-ds-").empty());
}

TEST_CASE("A scenario that outlives its deadline stops with the verdict timeout",
          "[e2e][slapd][deadline]") {
    // Three steps, an agent that never answers, 1 s per step and 1.5 s for the scenario: however
    // long the start-up takes, the deadline passes before the third step (two steps alone take
    // 2 s), and the scenario stops there.
    auto scenario = load(kConformance + "/0018_replayed_request_rejected.yaml");
    auto options = optionsFor({WBLAB_AGENT_PATH, "--bug", "hangs"});
    options.stepTimeout = std::chrono::milliseconds(1000);
    options.scenarioTimeout = std::chrono::milliseconds(1500);
    auto result = runScenario(scenario, options);
    CHECK(result.verdict == report::Verdict::Timeout);
    CHECK_THAT(observed(result, "scenario deadline"),
               Catch::StartsWith("ran out of time before step "));
    CHECK(observed(result, "step 3: agent events") == "(no such check)");
}

TEST_CASE("An agent that declares rehandshake serves a worker's scenarios in one process",
          "[e2e][slapd][rehandshake]") {
    auto dir = RunDirectory::create("reuse");
    REQUIRE(dir);
    // Fixtures (and so the kept run directories) go inside `dir`.
    ::setenv("WBLAB_TMPDIR", dir->path().c_str(), 1);
    const std::string starts = dir->path() + "/starts";
    auto startsCounted = [&](std::vector<std::string> agentArgs) {
        std::string command = "echo started >> " + starts + "; exec";
        for (const auto& a : agentArgs) {
            command += " " + a;
        }
        return std::vector<std::string>{"/bin/sh", "-c", command};
    };
    auto countStarts = [&] {
        auto text = readFile(starts);
        std::filesystem::remove(starts);
        return text ? std::count(text->begin(), text->end(), '\n') : 0;
    };
    const std::vector<Scenario> three = {load(kReset), load(kPolicy), load(kReset)};

    SECTION("one process for three scenarios; each run directory has its own part of the log") {
        auto options = optionsFor(startsCounted(referenceAgent()));
        options.keepRunDirectories = true;
        auto run = runScenarios(three, options, nullptr);
        for (const auto& c : run.cases) {
            INFO(c.id << ": " << c.message);
            CHECK(c.verdict == report::Verdict::Pass);
        }
        CHECK(countStarts() == 1);
        // The agent logs the directory it onboarded against and each request's id; each
        // scenario's part of the log names its own directory and its own request, no other.
        std::vector<std::string> ids;
        const std::regex correlation("correlation ([0-9a-f-]{36})");
        for (const auto& c : run.cases) {
            for (const auto& line : c.timeline) {
                std::smatch m;
                if (std::regex_search(line, m, correlation)) {
                    ids.push_back(m[1]);
                }
            }
        }
        REQUIRE(ids.size() == 3);
        int kept = 0;
        for (const auto& e : std::filesystem::directory_iterator(dir->path())) {
            if (e.path().filename().string().rfind("wblab-ds-", 0) != 0) {
                continue;
            }
            ++kept;
            auto log = readFile((e.path() / "agent.stderr").string());
            REQUIRE(log);
            INFO(*log);
            CHECK_THAT(
                *log,
                Catch::Contains("onboarded against " + ldapiUrlFor((e.path() / "ldapi").string())));
            CHECK(log->find("onboarded against") == log->rfind("onboarded against"));
            // One scenario, one request: the log names exactly one request id, and it is one the
            // cloud sent in this run.
            std::set<std::string> requests;
            const std::regex request("request ([0-9a-f-]{36}):");
            for (std::sregex_iterator it(log->begin(), log->end(), request), end; it != end; ++it) {
                requests.insert((*it)[1]);
            }
            REQUIRE(requests.size() == 1);
            CHECK(std::find(ids.begin(), ids.end(), *requests.begin()) != ids.end());
        }
        CHECK(kept == 3);
    }
    SECTION("--fresh-agents starts one per scenario") {
        auto options = optionsFor(startsCounted(referenceAgent()));
        options.reuseAgents = false;
        auto run = runScenarios(three, options, nullptr);
        CHECK(run.cases.back().verdict == report::Verdict::Pass);
        CHECK(countStarts() == 3);
    }
    SECTION("an agent that missed a deadline is not given the next scenario") {
        auto options = optionsFor(startsCounted({WBLAB_AGENT_PATH, "--bug", "answers-late"}));
        options.stepTimeout = std::chrono::milliseconds(300);
        auto run = runScenarios({load(kReset), load(kReset)}, options, nullptr);
        CHECK(run.cases[0].verdict == report::Verdict::Timeout);
        CHECK(run.cases[1].verdict == report::Verdict::Timeout);
        CHECK(countStarts() == 2);
    }
    ::unsetenv("WBLAB_TMPDIR");
}
