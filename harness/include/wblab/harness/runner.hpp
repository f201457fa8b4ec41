#pragma once
// File: runner.hpp
//
// Runs scenarios: for each one a fresh slapd fixture, the agent under test as a child process
// speaking agent protocol v1 (kept for the worker's next scenario when it can take another
// hello, v1.1), the simulated cloud, the steps, and the checks, each naming the criterion it is
// evidence for. A misbehaving agent is a verdict, not a crash.
//
//   RunOptions options{.agent = *resolveAgent("reference", argv0)};
//   report::RunResult run = runScenarios(scenarios, options, &std::cout);

#include <wblab/harness/progress.hpp>
#include <wblab/report/run_result.hpp>
#include <wblab/scenario/model.hpp>
#include <wblab/support/expected.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace wblab::harness {

struct AgentCommand {
    std::vector<std::string> argv;
    std::string label;  ///< how reports name the agent
};

/// "reference" means the wblab-agent installed beside `selfPath`; anything else is a command line
/// split on spaces (double quotes group words).
Expected<AgentCommand> resolveAgent(const std::string& spec, const std::string& selfPath);

/// The on-premises directory a run uses: slapd made to behave as AD (fast, the default), or a
/// Samba AD DC (an executable Active Directory; docs/fixture.md).
enum class DirectoryFlavour { Slapd, Samba };

const char* toString(DirectoryFlavour flavour);
std::optional<DirectoryFlavour> directoryFlavourFromString(const std::string& name);

struct RunOptions {
    AgentCommand agent;
    DirectoryFlavour directory = DirectoryFlavour::Slapd;
    /// A deliberate error of the cloud model by name (`wblab zoo`'s lab half; empty: none).
    std::string labMutation;
    std::uint64_t seed = 0;
    bool keepRunDirectories = false;
    /// Scenarios run at once, each with its own fixture.
    std::size_t jobs = 1;
    /// An agent that declares "rehandshake" (protocol v1.1) serves its worker's scenarios in
    /// turn, with a new hello for each; false starts it afresh for every scenario.
    bool reuseAgents = true;
    /// A worker keeps its directory and reseeds it for each scenario (fixture_pool.hpp) when
    /// the scenario's seed allows; false starts a fresh directory for every scenario.
    bool reuseFixtures = true;
    /// The directory also listens on plain ldap://127.0.0.1:<free port> for a person's tools
    /// (the interactive lab).
    bool directoryTcpListener = false;
    std::chrono::milliseconds handshakeTimeout{10000};
    std::chrono::milliseconds stepTimeout{10000};
    /// A scenario that runs longer stops with the verdict timeout: a running exchange with the
    /// agent ends at the deadline, the steps and end checks stop; a scenario's own `timeout:`
    /// takes precedence.
    std::chrono::milliseconds scenarioTimeout{300000};
    /// Stop taking scenarios once this many have failed (0: never); the scenarios already
    /// running finish, the rest are listed in RunResult::notRun. Failures are counted before
    /// a baseline turns any into expected ones.
    std::size_t maxFailures = 0;
    /// How much of the agent's stderr is kept per scenario; the rest is counted and searched
    /// for passwords, not kept (the report says so).
    std::uint64_t agentLogCap = 4u << 20;
    /// How runScenarios shows progress (progress.hpp), and the terminal's width for Live.
    ProgressStyle progressStyle = ProgressStyle::Lines;
    std::size_t progressWidth = 100;
};

/// Runs one scenario with an agent of its own.
report::CaseResult runScenario(const scenario::Scenario& scenario, const RunOptions& options);

/// Runs every scenario, `options.jobs` at a time; the result keeps the scenarios' order. Shows
/// progress on `progress` when set, in options.progressStyle.
report::RunResult runScenarios(const std::vector<scenario::Scenario>& scenarios,
                               const RunOptions& options,
                               std::ostream* progress);

}  // namespace wblab::harness
