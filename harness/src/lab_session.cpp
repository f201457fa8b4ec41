// The interactive lab's session: a ScenarioRun driven step by step (lab_session.hpp).
#include "lab_session.hpp"

#include <wblab/support/files.hpp>
#include <wblab/support/secrets.hpp>

#include <algorithm>
#include <filesystem>

namespace wblab::harness {

namespace {

bool isTenantUser(const scenario::Scenario& s, const std::string& upn) {
    return s.userSigningInAs(upn) != nullptr || s.cloudOnlyUser(upn) != nullptr;
}

/// The record's id: the record file's name without its extension, in the characters ids use.
std::string idOfRecord(const std::string& path) {
    std::string id;
    for (char c : std::filesystem::path(path).stem().string()) {
        const bool plain =
            std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
        id += plain ? c : '_';
    }
    return id.empty() ? std::string("recorded_lab_session") : id;
}

}  // namespace

LabSession::LabSession(const scenario::Scenario& scenario, const LabOptions& options)
    : scenario_(scenario),
      labOptions_(options),
      caller_(options.caller),
      sourceFile_(scenario.file) {
    if (caller_.empty()) {
        // The lab's own admin: a Global Administrator may reset every password and handle risk
        // (privileged-roles-permissions; riskyuser-dismiss), so the API can do what Graph can.
        caller_ = kLabAdmin;
        if (scenario_.cloudOnlyUser(caller_) == nullptr) {
            scenario::CloudUserSpec admin;
            admin.upn = caller_;
            admin.adminRoles = {"Global Administrator"};
            scenario_.tenant.cloudUsers.push_back(admin);
        }
    }
    options_.agent = options.agent;
    options_.directory = options.directory;
    options_.seed = options.seed;
    options_.keepRunDirectories = options.keep;
    options_.reuseAgents = false;
    options_.reuseFixtures = false;
    options_.directoryTcpListener = true;
    // A lab lives until Ctrl-C, not a scenario's five minutes.
    options_.scenarioTimeout = std::chrono::hours(24 * 365);
    // What was never played is not part of the session; neither are the end expectations,
    // which speak of the scenario's whole run.
    scenario_.expectDirectory.clear();
    scenario_.expectRisk.clear();
    scenario_.isolates.clear();
}

LabSession::~LabSession() {
    stop();
}

Expected<void> LabSession::start(std::size_t until) {
    if (!isTenantUser(scenario_, caller_)) {
        return makeError(ErrorCode::InvalidInput,
                         "--as " + caller_ + ": no such user in the scenario's tenant");
    }
    if (until > scenario_.steps.size()) {
        return makeError(ErrorCode::InvalidInput,
                         "--until " + std::to_string(until) + ": the scenario has " +
                             std::to_string(scenario_.steps.size()) + " steps");
    }
    // Every password of the scenario is a secret of this process: no output shows one.
    processRedactor().add(scenario_.secrets());
    run_ = std::make_unique<ScenarioRun>(scenario_, options_, slot_);
    if (!run_->setup()) {
        const auto& r = run_->result();
        return makeError(ErrorCode::Unavailable,
                         std::string("the scenario cannot be set up (") +
                             report::toString(r.verdict) + "): " + r.message);
    }
    for (std::size_t i = 0; i < until; ++i) {
        if (!run_->playStep(i) || run_->stepsStopped()) {
            return makeError(
                ErrorCode::Unavailable,
                "step " + std::to_string(i + 1) + " stopped the lab: " +
                    (run_->result().timeline.empty() ? std::string()
                                                     : run_->result().timeline.back()));
        }
    }
    scenario_.steps.resize(until);
    return record();
}

PlayedStep LabSession::play(scenario::Step step) {
    if (run_->stepsStopped()) {
        // An earlier step stopped the steps (a fault that failed): nothing more is played.
        PlayedStep refused;
        refused.stopped = true;
        return refused;
    }
    scenario::Scenario only;
    only.steps.push_back(step);
    processRedactor().add(only.secrets());
    const std::size_t timelineBefore = run_->result().timeline.size();
    scenario_.steps.push_back(std::move(step));
    PlayedStep played;
    played.number = scenario_.steps.size();
    run_->playStep(scenario_.steps.size() - 1);
    played.observed = run_->observed();
    played.stopped = run_->stepsStopped();
    const auto& timeline = run_->result().timeline;
    played.timeline.assign(timeline.begin() + static_cast<std::ptrdiff_t>(timelineBefore),
                           timeline.end());
    for (auto& line : played.timeline) {
        line = redact(line);
    }
    if (played.observed.graph && !played.observed.graph->generatedPassword.empty()) {
        processRedactor().add(played.observed.graph->generatedPassword);
    }
    expectObserved(scenario_.steps.back(), played.observed, cloud().auditLog());
    if (auto written = record(); !written) {
        played.recordError = written.error().describe();
    }
    return played;
}

Expected<void> LabSession::record() {
    if (labOptions_.recordPath.empty()) {
        return {};
    }
    return writeFileAtomically(
        labOptions_.recordPath,
        recordedScenario(
            scenario_, run_->cloud(), idOfRecord(labOptions_.recordPath), sourceFile_));
}

void LabSession::stop() {
    if (stopped_ || !run_) {
        return;
    }
    stopped_ = true;
    run_->teardown();
    slot_.close();
}

}  // namespace wblab::harness
