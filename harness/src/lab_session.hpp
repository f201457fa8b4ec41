#pragma once
// Private to the harness: the interactive lab's session (lab.hpp). A ScenarioRun driven step by
// step: its setup, the scenario's first steps, then one step per request made through the lab's
// HTTP API (lab_http.cpp), each played by the same step runner as a scenario's steps. The steps
// played, with what each observed as its expectations, make the recorded scenario
// (lab_record.cpp). Not thread-safe: the HTTP server serialises requests.
//
//   LabSession lab(scenario, options, "");
//   WBLAB_TRY(lab.start(2), "");
//   auto played = lab.play(scenario::Step{scenario::Advance{3600}});

#include "agent_slot.hpp"
#include "scenario_run.hpp"

#include <wblab/harness/lab.hpp>
#include <wblab/scenario/model.hpp>
#include <wblab/sim/cloud.hpp>

#include <memory>
#include <string>
#include <vector>

namespace wblab::harness {

/// The admin the lab adds to a tenant when no caller is named.
inline constexpr const char* kLabAdmin = "lab-admin@testlab.onmicrosoft.com";

/// One step played through the API: its number (1-based, counting the scenario's own), what it
/// observed, and the lines it added to the timeline.
struct PlayedStep {
    std::size_t number = 0;  ///< 0: not played (the steps had stopped)
    StepObservation observed;
    std::vector<std::string> timeline;
    bool stopped = false;     ///< the step stopped the lab's steps (a fault that failed)
    std::string recordError;  ///< the record could not be written (empty: written, or none)
};

class LabSession {
public:
    LabSession(const scenario::Scenario& scenario, const LabOptions& options);
    LabSession(const LabSession&) = delete;
    LabSession& operator=(const LabSession&) = delete;
    ~LabSession();

    /// Setup, then the scenario's first `until` steps; an error when the scenario cannot be set
    /// up or `until` exceeds its steps.
    Expected<void> start(std::size_t until);

    /// Plays `step` after the others; its expectations become what it observed. Once a step
    /// stopped the steps, nothing is played: number 0, stopped.
    PlayedStep play(scenario::Step step);

    /// The sign-in name the API's token stands for.
    const std::string& caller() const { return caller_; }

    /// The scenario as played so far (setup, the steps played, their expectations).
    const scenario::Scenario& scenario() const { return scenario_; }

    sim::Cloud& cloud() { return run_->cloud(); }

    sim::VirtualClock& clock() { return run_->clock(); }

    fixture::Directory& directory() { return run_->directory(); }

    const report::CaseResult& result() const { return run_->result(); }

    /// Writes the session as a scenario to the record path (lab_record.cpp); nothing without one.
    Expected<void> record();

    /// Hands the agent back and stops the directory (also done by the destructor).
    void stop();

private:
    scenario::Scenario scenario_;
    LabOptions labOptions_;
    RunOptions options_;
    std::string caller_;
    std::string sourceFile_;
    AgentSlot slot_;
    std::unique_ptr<ScenarioRun> run_;
    bool stopped_ = false;
};

/// Fills the step's expectations with what it observed (lab_record.cpp), each attributed to
/// the criterion it is evidence for.
void expectObserved(scenario::Step& step,
                    const StepObservation& observed,
                    const std::vector<sim::AuditEntry>& audit);

/// The session as a scenario file: the lab's scenario with its passwords replaced by
/// placeholders that behave as they did (lab_record.cpp).
std::string recordedScenario(const scenario::Scenario& played,
                             const sim::Cloud& cloud,
                             const std::string& id,
                             const std::string& sourceFile);

}  // namespace wblab::harness
