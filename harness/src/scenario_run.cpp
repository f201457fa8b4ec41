// One scenario's run: setup, steps, end checks, teardown, and the verdict (scenario_run.hpp).
#include "scenario_run.hpp"

#include "agent_log.hpp"
#include "mapping.hpp"
#include "storm.hpp"

#include <wblab/protocol/crypto.hpp>
#include <wblab/scenario/catalog.hpp>
#include <wblab/support/seed.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

namespace wblab::harness {

using report::Verdict;

std::string listOf(const std::vector<int>& values) {
    std::ostringstream out;
    out << "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        out << (i ? ", " : "") << values[i];
    }
    out << "]";
    return out.str();
}

std::vector<sim::DirectoryObject> FixtureDirectorySource::readUsers() {
    std::vector<sim::DirectoryObject> out;
    auto users = probe_.listUsers();
    if (!users) {
        error = users.error().message;
        return out;
    }
    out.reserve(users->size());
    for (auto& u : *users) {
        out.push_back({std::move(u.anchor),
                       std::move(u.upn),
                       std::move(u.samAccountName),
                       !u.disabled,
                       std::move(u.passwordHash)});
    }
    return out;
}

sim::WritebackReply RacingChannel::deliver(const sim::WritebackRequest& request) {
    if (whileInFlight) {
        auto event = std::move(whileInFlight);
        whileInFlight = nullptr;
        event();
    }
    return inner_.deliver(request);
}

ScenarioRun::ScenarioRun(const scenario::Scenario& s,
                         const RunOptions& options,
                         AgentSlot& slot,
                         FixturePool* fixtures)
    : s_(s),
      options_(options),
      slot_(slot),
      fixtures_(fixtures != nullptr ? *fixtures : ownFixtures_),
      started_(Clock::now()),
      deadline_(started_ + (s.timeoutSeconds > 0
                                ? std::chrono::milliseconds(s.timeoutSeconds * 1000)
                                : options.scenarioTimeout)) {
    result_.id = s.id;
    result_.title = s.title;
    result_.symptom = s.symptom;
    result_.file = s.file;
    result_.criteria = s.criteria;
    // The scenario's own seed: the same whichever worker runs it and whatever runs beside it.
    result_.seed = deriveSeed(options.seed, s.id);
    result_.startedAt = utcNowWithMillis();
    result_.directory = toString(options.directory);
}

ScenarioRun::~ScenarioRun() = default;

report::CaseResult ScenarioRun::run() {
    if (setup()) {
        const auto stepsStarted = Clock::now();
        runSteps();
        result_.stepsMs =
            std::chrono::duration<double, std::milli>(Clock::now() - stepsStarted).count();
        endChecks();
    }
    teardown();
    settleVerdict();
    result_.durationMs = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    redactResult(result_);
    return std::move(result_);
}

bool ScenarioRun::outOfTime(const std::string& when) {
    if (outOfTime_) {
        return true;
    }
    if (Clock::now() < deadline_) {
        return false;
    }
    outOfTime_ = true;
    result_.message = "ran out of time " + when + " (the scenario's deadline)";
    timeline("lab: " + result_.message);
    return true;
}

void ScenarioRun::check(const std::string& criterion,
                        std::string what,
                        std::string expected,
                        std::string observed,
                        bool passed,
                        bool made) {
    result_.checks.push_back(report::CheckOutcome{
        criterion, std::move(what), std::move(expected), std::move(observed), passed, made});
}

void ScenarioRun::awaitLateAnswer(const std::string& id, const std::string& step) {
    if (!id.empty() && !result_.checks.empty()) {
        awaited_[id] = AwaitedAnswer{step, result_.checks.size() - 1};
    }
}

void ScenarioRun::collectLateAnswers() {
    AgentSession* agent = relay_ ? relay_->agent() : nullptr;
    if (agent == nullptr) {
        return;
    }
    for (auto& late : agent->takeLateAnswers()) {
        const auto& r = late.reply;
        const std::string answer = std::string(r.success ? "success" : "failure") + " events " +
                                   listOf(r.events) +
                                   (r.reason != 0 ? " reason " + std::to_string(r.reason) : "");
        const std::string howLate = std::to_string(late.late.count()) + " ms after its deadline";
        auto it = awaited_.find(late.id);
        timeline("agent: late answer to the request of " +
                 (it != awaited_.end() ? it->second.step : std::string("an earlier step")) +
                 " (correlation " + late.id + "), " + howLate + ": " + answer);
        if (it != awaited_.end()) {
            result_.checks[it->second.check].observed = "answered " + howLate + " (" + answer + ")";
            awaited_.erase(it);
        }
    }
}

void ScenarioRun::labProblem(const std::string& what) {
    labProblems_.push_back(what);
    timeline("lab: " + what);
}

std::string ScenarioRun::dnOfCloudUser(const std::string& upn) const {
    const auto* user = s_.userSigningInAs(upn);
    return user == nullptr ? std::string() : fixture_->userDn(user->sam);
}

namespace {

/// Why the scenario's passwords cannot reach an agent of this protocol version, or empty: a v1
/// agent carries 190 bytes a password, a v2 agent the cloud's 256 characters.
std::string passwordTooLongFor(const scenario::Scenario& s, int version) {
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        if (!scenario::sendsRequest(s.steps[i].action)) {
            continue;
        }
        const bool fits = std::visit(
            [&](const auto& a) {
                bool ok = true;
                if constexpr (requires { a.newPassword; }) {
                    ok = ok && protocol::fitsVersion(a.newPassword, version);
                }
                if constexpr (requires { a.oldPassword; }) {
                    ok = ok && protocol::fitsVersion(a.oldPassword, version);
                }
                return ok;
            },
            s.steps[i].action);
        if (!fits) {
            return "a password of step " + std::to_string(i + 1) + " does not fit agent protocol " +
                   std::to_string(version) +
                   " (190 bytes at most); the agent does not speak protocol 2";
        }
    }
    return std::string();
}

/// Renames a kept run directory (wblab-ds-XXXXXX, wblab-samba-XXXXXX) after its scenario
/// (wblab-<id>-XXXXXX), so
/// that a person finds it among the others; the old name when the rename fails.
std::string nameAfterScenario(const std::string& path, const std::string& id) {
    std::string name;
    for (char c : id) {
        const bool plain = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' ||
                           c == '-' || c == '.' || c == '=';
        name += plain ? c : '_';
    }
    name = name.substr(0, 96);
    const std::filesystem::path from(path);
    const std::string old = from.filename().string();
    const std::string suffix = old.substr(old.rfind('-') + 1);  // mkdtemp's XXXXXX
    const auto to = from.parent_path() / ("wblab-" + name + "-" + suffix);
    std::error_code ec;
    std::filesystem::rename(from, to, ec);
    return ec ? path : to.string();
}

}  // namespace

bool ScenarioRun::startDirectory() {
    // A scenario that relies on an AD behaviour this flavour lacks would blame the agent for the
    // directory: it is unsupported here, and the directory is not even started.
    const auto flavour = flavourOf(options_.directory);
    std::string lacking;
    for (auto need : s_.directoryNeeds) {
        const auto behaviour = adBehaviourOf(need);
        if (!fixture::behavesAsAd(flavour, behaviour)) {
            lacking += (lacking.empty() ? "" : "; ") + std::string(fixture::describe(behaviour)) +
                       " (" + scenario::toString(need) + ")";
        }
    }
    if (!lacking.empty()) {
        decided_ = Verdict::Unsupported;
        result_.message = std::string("the ") + fixture::toString(flavour) +
                          " directory differs from AD in what this scenario relies on: " + lacking +
                          " (docs/fixture.md)";
        return false;
    }
    fixture::FixtureOptions fxOptions = fixtureOptionsOf(s_.onprem, options_.keepRunDirectories);
    fxOptions.tcpListener = options_.directoryTcpListener;
    auto fx = fixtures_.take(
        flavourOf(options_.directory), directorySeedOf(s_), fxOptions, options_.reuseFixtures);
    if (!fx) {
        decided_ = Verdict::Unresolved;
        result_.message = "directory fixture: " + fx.error().message;
        return false;
    }
    fixture_ = std::move(fx->directory);
    probe_ = fixture_->probe();
    agentLog_ = fixture_->runDirectory() + "/agent.stderr";
    // Not whether the directory was reused: reports do not depend on which worker ran what.
    timeline(std::string("directory: ") + fixture_->flavourName() + " ready with " +
             std::to_string(s_.onprem.users.size()) + " users" +
             (s_.onprem.tlsCertificate != scenario::TlsCertificate::Trusted
                  ? std::string(", its ldaps certificate ") +
                        scenario::toString(s_.onprem.tlsCertificate)
                  : std::string()));
    return true;
}

void ScenarioRun::releaseAgent(std::unique_ptr<AgentSession> agent) {
    slot_.release(std::move(agent), options_.reuseAgents);
}

/// The agent for this scenario, after its handshake; false when the scenario cannot go on.
bool ScenarioRun::takeAgent(AgentConfig& config) {
    config.argv = options_.agent.argv;
    config.stderrPath = agentLog_;
    config.scenarioId = s_.id;
    config.logCap = options_.agentLogCap;
    config.logScanner =
        std::make_shared<SecretScanner>(labelledSecrets(s_, fixture_->connectorPassword()));
    config.handshakeTimeout = options_.handshakeTimeout;
    config.requestTimeout = options_.stepTimeout;
    config.scenarioDeadline = deadline_;
    // --fresh-agents: nothing kept from an earlier agent, not even its key pair.
    config.stateDirectory = options_.reuseAgents ? agentStateDirectory() : std::string();
    config.hello.directoryUrl = s_.onprem.tls ? fixture_->tlsUrl() : fixture_->url();
    config.hello.tlsCaFile = fixture_->caFile();
    config.hello.baseDn = fixture_->baseDn();
    config.hello.anchorAttribute = fixture_->anchorAttribute();
    config.hello.flavour = fixture_->handshakeFlavour();
    config.hello.connectorDn = fixture_->connectorDn();
    config.hello.connectorPassword = fixture_->connectorPassword();
    auto agent = slot_.take(config);
    if (!agent) {
        releaseAgent(nullptr);
        const auto& e = agent.error();
        if (e.code == ErrorCode::NotFound || e.code == ErrorCode::Io) {
            // The program could not be started at all, or the lab could not give it a place to
            // log: the lab's setup, not the agent's doing.
            decided_ = Verdict::Unresolved;
            result_.message = "the agent could not be started: " + e.message;
            return false;
        }
        check(scenario::criteria::kAnswersInTime,
              "the agent completes the handshake",
              "a ready message within " + std::to_string(options_.handshakeTimeout.count()) + " ms",
              e.message,
              false);
        decided_ = e.code == ErrorCode::Timeout ? Verdict::Timeout : Verdict::Fail;
        result_.message = "agent handshake: " + e.message;
        return false;
    }
    // A scenario that needs an operation the agent does not declare is unsupported, not
    // failed: the agent said up front it does not do that.
    const auto& caps = (*agent)->ready().capabilities;
    std::string missing;
    for (auto need : s_.requires_) {
        if (std::find(caps.begin(), caps.end(), scenario::toString(need)) == caps.end()) {
            missing += (missing.empty() ? "" : ", ") + std::string(scenario::toString(need));
        }
    }
    if (!missing.empty()) {
        releaseAgent(std::move(*agent));
        decided_ = Verdict::Unsupported;
        result_.message = "requires: " + missing + " (the agent does not declare it)";
        return false;
    }
    if (!protocol::writesToFlavour(caps, fixture_->handshakeFlavour())) {
        releaseAgent(std::move(*agent));
        decided_ = Verdict::Unsupported;
        result_.message = std::string("the agent does not declare directory:") +
                          fixture_->handshakeFlavour() + " (it writes to other directories only)";
        return false;
    }
    if (auto unfit = passwordTooLongFor(s_, (*agent)->protocolVersion()); !unfit.empty()) {
        releaseAgent(std::move(*agent));
        decided_ = Verdict::Unsupported;
        result_.message = unfit;
        return false;
    }
    const auto& ready = (*agent)->ready();
    timeline("agent: ready (" + ready.agentName + " " + ready.agentVersion + ", protocol " +
             std::to_string(ready.protocol) + ", onboarding events " + listOf(ready.events) + ")");
    for (const auto& warning : (*agent)->handshakeWarnings()) {
        result_.warnings.push_back("handshake: " + warning);
        timeline("agent: handshake warning: " + warning);
    }
    // Every request goes through the relay, which also carries out the scenario's faults.
    relay_ = std::make_unique<FaultyRelay>(config, std::move(*agent), *fixture_);
    return true;
}

void ScenarioRun::buildTenant() {
    // The lab clock starts at the real time: the agent and slapd read the real clock, and a
    // request's expiry must mean the same to both sides.
    clock_.emplace(std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count());
    cloud_ = std::make_unique<sim::Cloud>(tenantSettingsOf(s_.tenant), *clock_);
    cloud_->setIdSeed(result_.seed);
    if (!options_.labMutation.empty()) {
        // Validated by the zoo, which alone sets it.
        cloud_->setMutation(
            sim::labMutationFromString(options_.labMutation).value_or(sim::LabMutation::None));
    }
    for (auto& user : cloudUsersOf(s_)) {
        cloud_->addUser(std::move(user));
    }
    directory_ = std::make_unique<FixtureDirectorySource>(*probe_);
    cloud_->setPasswordVerifier(fixture::storedPasswordMatches);
    cloud_->initialSync(*directory_);
    channel_ = std::make_unique<RacingChannel>(*relay_);
}

bool ScenarioRun::setup() {
    if (!startDirectory()) {
        return false;
    }
    AgentConfig config;
    if (!takeAgent(config)) {
        return false;
    }
    buildTenant();
    return true;
}

void ScenarioRun::runSteps() {
    for (std::size_t i = 0; i < s_.steps.size() && !stopped_; ++i) {
        // A storm goes in flight several requests at a time when the agent declared a window.
        const int window = relay_->agent() != nullptr ? relay_->agent()->window() : 1;
        const std::size_t end = window > 1 ? stormEnd(s_, i) : i + 1;
        if (end > i + 1) {
            if (outOfTime("before step " + std::to_string(i + 1))) {
                return;
            }
            runStormSteps(*this, i, end, window);
            i = end - 1;
        } else if (!playStep(i)) {
            return;  // out of time before the step
        }
    }
    outOfTime("during step " + std::to_string(s_.steps.size()));
}

bool ScenarioRun::playStep(std::size_t index) {
    if (outOfTime("before step " + std::to_string(index + 1))) {
        return false;
    }
    observed_ = StepObservation{};
    runStep(*this, index, s_.steps[index]);
    return true;
}

/// After the last answer the agent owes, anything more it sends is a protocol violation (a
/// duplicate of the last answer, say) and a verdict, not something the next scenario reads. It
/// is given 20 ms; an agent kept for the next scenario, until its ready to the next hello
/// (AgentSlot::expectDrain), so that this worker waits for nothing.
void ScenarioRun::drainAgent() {
    auto* agent = relay_->agent();
    if (agent == nullptr) {
        return;
    }
    const Deadline windowEnd = std::min(deadlineIn(std::chrono::milliseconds(20)), deadline_);
    const bool kept = options_.reuseAgents && agent->reusable();
    const auto unasked = agent->drainUnasked(kept ? Clock::now() : windowEnd);
    if (unasked.empty()) {
        if (kept) {
            slot_.expectDrain(windowEnd);
        }
        return;
    }
    timeline("agent: after its last answer: " + describeUnasked(unasked));
    result_.checks.push_back(unaskedCheck(unasked));
}

void ScenarioRun::endChecks() {
    collectLateAnswers();
    const bool sentPlaintext = relay_->sentPlaintext();
    drainAgent();
    auto finished = relay_->finish();
    std::vector<LogPart> logs = relay_->retiredLogs();
    // A scenario whose agent lived through it unharmed may lend it to the next one.
    releaseAgent(finished ? std::move(*finished) : nullptr);
    relay_.reset();
    if (!finished) {
        labProblem("the directory did not come back for the end checks: " +
                   finished.error().message);
        return;
    }
    if (auto first = slot_.releasedLog()) {
        if (!first->complete) {
            // Kept for the next scenario: the rest of this scenario's log comes later.
            slot_.expectSettlement(logs);
        }
        logs.push_back(*first);
    }
    checkSecurity(*this, sentPlaintext, logs);
    checkDirectoryExpectations(*this);
    // The risk state the lab ends with, for people reading the report.
    for (const auto& upn : cloud_->riskyUsers()) {
        const auto risky = cloud_->riskOf(upn);
        timeline("risk: " + upn + " ends " + sim::toString(risky.state) + " / " +
                 sim::toString(risky.detail) + " / level " + sim::toString(risky.level));
    }
    for (const auto& e : s_.expectRisk) {
        checkRiskExpectation(*this, "", e);
    }
}

void ScenarioRun::teardown() {
    if (relay_) {
        // Steps ended early: the agent is not lent to anyone.
        if (auto first = relay_->finish(); first && *first) {
            slot_.release(std::move(*first), false);
        }
        relay_.reset();
    }
    if (fixture_) {
        std::vector<std::string> secrets = s_.secrets();
        secrets.push_back(fixture_->connectorPassword());
        secrets.push_back(fixture_->adminPassword());
        result_.agentStderr = redactedTail(agentLog_, secrets);
        probe_.reset();
        if (!options_.keepRunDirectories) {
            fixtures_.giveBack(std::move(fixture_));  // the next scenario reseeds it
            return;
        }
        fixture_->keepRunDirectory();
        fixture_->stop();
        result_.keptDirectory = nameAfterScenario(fixture_->runDirectory(), s_.id);
    }
}

void ScenarioRun::settleVerdict() {
    if (decided_) {
        result_.verdict = *decided_;
        return;
    }
    int failed = 0;
    std::string first;
    for (const auto& c : result_.checks) {
        if (!c.passed && failed++ == 0) {
            first = "[" + c.criterion + "] " + c.what + ": expected " + c.expected + ", observed " +
                    c.observed;
        }
    }
    if (outOfTime_) {
        result_.verdict = Verdict::Timeout;
        if (failed > 0) {
            result_.message += "; " + std::to_string(failed) + " check(s) failed; first: " + first;
        }
    } else if (failed > 0) {
        result_.verdict = agentTimedOut_ ? Verdict::Timeout : Verdict::Fail;
        result_.message = std::to_string(failed) + " check(s) failed; first: " + first;
    } else if (!labProblems_.empty()) {
        result_.verdict = Verdict::Unresolved;
        result_.message = labProblems_.front();
    } else {
        result_.verdict = Verdict::Pass;
    }
}

}  // namespace wblab::harness
