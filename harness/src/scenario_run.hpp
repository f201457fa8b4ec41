#pragma once
// Private to the harness: one scenario's run, in phases. setup() starts the directory, takes the
// agent and builds the tenant; runSteps() plays the steps (step_runner.cpp); endChecks() makes the
// checks that every scenario gets and its end expectations (end_checks.cpp); teardown() hands
// the agent back and stops the directory. Every check names the criterion it is evidence for.
//
//   AgentSlot slot;
//   report::CaseResult result = ScenarioRun(scenario, options, slot).run();

#include "agent_slot.hpp"
#include "fixture_pool.hpp"
#include "relay.hpp"

#include <wblab/fixture/directory.hpp>
#include <wblab/harness/runner.hpp>
#include <wblab/report/run_result.hpp>
#include <wblab/scenario/model.hpp>
#include <wblab/sim/cloud.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wblab::harness {

/// The directory as the cloud's sync engine reads it: the fixture's users over LDAP.
class FixtureDirectorySource : public sim::DirectorySource {
public:
    explicit FixtureDirectorySource(const fixture::Probe& probe) : probe_(probe) {}

    std::vector<sim::DirectoryObject> readUsers() override;

    std::string error;  ///< the last read's failure, if any

private:
    const fixture::Probe& probe_;
};

/// Passes requests through to the relay, and lets another event land while one is in flight
/// (a scenario's `during:`).
class RacingChannel : public sim::WritebackChannel {
public:
    explicit RacingChannel(sim::WritebackChannel& inner) : inner_(inner) {}

    sim::WritebackReply deliver(const sim::WritebackRequest& request) override;

    bool serviceUp() const override { return inner_.serviceUp(); }

    std::function<void()> whileInFlight;

private:
    sim::WritebackChannel& inner_;
};

/// What a step sent over the wire (for replay steps).
struct SentRequest {
    std::string line;
    std::string id;
};

/// What the last step observed beyond its checks: what the lab (lab_session.hpp) answers a
/// caller and records as the step's expectations. Reset at the start of every step.
struct StepObservation {
    std::optional<sim::OperationResult> operation;    ///< a cloud operation's result
    std::optional<sim::GraphResponse> graph;          ///< graph_reset: the POST's answer
    std::optional<sim::OperationStatus> graphStatus;  ///< graph_reset: the polled end state
    std::optional<bool> dismissed;                    ///< dismiss_risk
};

class ScenarioRun {
public:
    /// `fixtures`: the worker's directory pool (fixture_pool.hpp); without one the scenario
    /// has a directory of its own, stopped at its end.
    ScenarioRun(const scenario::Scenario& s,
                const RunOptions& options,
                AgentSlot& slot,
                FixturePool* fixtures = nullptr);
    ScenarioRun(const ScenarioRun&) = delete;
    ScenarioRun& operator=(const ScenarioRun&) = delete;
    ~ScenarioRun();

    /// All four phases; the result carries the verdict, the checks and the timeline.
    report::CaseResult run();

    // ---- Step by step (the interactive lab, lab_session.hpp) ----------------------------

    /// Starts the directory, takes the agent and builds the tenant; false when the scenario
    /// cannot go on (result().verdict and message say why).
    bool setup();
    /// Plays step `index` (0-based) of the scenario; false when the run was out of time
    /// before it (the step was not played).
    bool playStep(std::size_t index);

    /// True once a step stopped the steps (a fault that failed, a clock that would not move).
    bool stepsStopped() const { return stopped_; }

    /// Hands the agent back and stops the directory.
    void teardown();

    const report::CaseResult& result() const { return result_; }

    StepObservation& observed() { return observed_; }

    // ---- Used by the steps and the end checks ------------------------------------------

    const scenario::Scenario& scenario() const { return s_; }

    const RunOptions& options() const { return options_; }

    sim::Cloud& cloud() { return *cloud_; }

    sim::VirtualClock& clock() { return *clock_; }

    FaultyRelay& relay() { return *relay_; }

    RacingChannel& channel() { return *channel_; }

    FixtureDirectorySource& directorySource() { return *directory_; }

    fixture::Directory& directory() { return *fixture_; }

    const fixture::Probe& probe() const { return *probe_; }

    std::vector<SentRequest>& sent() { return sent_; }

    /// Records one check.
    void check(const std::string& criterion,
               std::string what,
               std::string expected,
               std::string observed,
               bool passed,
               bool made = true);

    void timeline(std::string event) { result_.timeline.push_back(std::move(event)); }

    /// Something a reader should know that is no check's verdict.
    void warn(std::string warning) { result_.warnings.push_back(std::move(warning)); }

    /// The lab could not do what the scenario says (not the agent's doing): unresolved unless
    /// some check failed.
    void labProblem(const std::string& what);

    /// The agent missed a request's deadline: a failed scenario is a timeout.
    void agentTimedOut() { agentTimedOut_ = true; }

    /// The agent missed the deadline of request `id` (at `step`, "step 3"), and the in-time check
    /// just recorded says so: if the answer comes later, that check says how late.
    void awaitLateAnswer(const std::string& id, const std::string& step);

    /// Takes the answers that came after their deadline (the agent session matched them to their
    /// requests by id): each goes into the timeline, and into its request's in-time check.
    void collectLateAnswers();

    /// Stops the steps after the current one.
    void stopSteps() { stopped_ = true; }

    /// The DN of the on-premises user who signs in as `upn`, or empty (a cloud-only user).
    std::string dnOfCloudUser(const std::string& upn) const;

    /// When the scenario must be over (its `timeout:` or --scenario-timeout): a running
    /// exchange with the agent ends there too.
    Deadline deadline() const { return deadline_; }

    /// True once the deadline passed; the scenario ends with the verdict timeout.
    bool outOfTime(const std::string& when);

private:
    bool startDirectory();
    bool takeAgent(AgentConfig& config);
    void buildTenant();
    void runSteps();
    void endChecks();
    void drainAgent();
    void settleVerdict();
    void releaseAgent(std::unique_ptr<AgentSession> agent);

    const scenario::Scenario& s_;
    const RunOptions& options_;
    AgentSlot& slot_;
    FixturePool ownFixtures_;
    FixturePool& fixtures_;
    Clock::time_point started_;
    Deadline deadline_;
    report::CaseResult result_;
    std::string agentLog_;
    std::unique_ptr<fixture::Directory> fixture_;
    std::unique_ptr<fixture::Probe> probe_;
    std::unique_ptr<FaultyRelay> relay_;
    std::optional<sim::VirtualClock> clock_;
    std::unique_ptr<sim::Cloud> cloud_;
    std::unique_ptr<FixtureDirectorySource> directory_;
    std::unique_ptr<RacingChannel> channel_;
    std::vector<SentRequest> sent_;
    StepObservation observed_;

    struct AwaitedAnswer {
        std::string step;
        std::size_t check = 0;  ///< index in result_.checks of the request's in-time check
    };

    std::map<std::string, AwaitedAnswer> awaited_;  ///< request id -> where it was missed
    std::vector<std::string> labProblems_;
    std::optional<report::Verdict> decided_;  ///< a verdict setup already reached
    bool agentTimedOut_ = false;
    bool outOfTime_ = false;
    bool stopped_ = false;
};

/// Plays one step (step_runner.cpp); `index` is 0-based.
void runStep(ScenarioRun& run, std::size_t index, const scenario::Step& step);

/// The checks every scenario gets and its end expectations (end_checks.cpp). `logs` are the
/// parts of every agent log of the scenario, searched whole as they were written.
void checkSecurity(ScenarioRun& run, bool sentPlaintext, const std::vector<LogPart>& logs);

/// Every secret of a scenario, each named by its role ("the new password of step 2"), and the
/// connector's password: what the agent's log is searched for.
std::vector<Secret> labelledSecrets(const scenario::Scenario& s,
                                    const std::string& connectorPassword);

/// Every string of a result made safe for any output: each secret the process knows, in any
/// form, redacted (secrets.hpp), and control characters escaped.
void redactResult(report::CaseResult& result);
void checkDirectoryExpectations(ScenarioRun& run);
void checkRiskExpectation(ScenarioRun& run,
                          const std::string& prefix,
                          const scenario::RiskExpect& e);

/// "[a, b]" for event lists in checks and the timeline.
std::string listOf(const std::vector<int>& values);

}  // namespace wblab::harness
