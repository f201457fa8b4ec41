#pragma once
// Private to the harness: the relay between the cloud and the agent, and the fault steps
// (docs/scenario-language.md, "Faults"). The FaultyRelay sits
// between the simulated cloud and the agent: it can drop, hold, duplicate or delay a request, and
// it owns the agent process, which a fault step may stop, kill or start again. Directory outages
// stop and start the fixture's slapd.

#include "agent_session.hpp"

#include <wblab/scenario/model.hpp>
#include <wblab/sim/cloud.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wblab::fixture {
class Directory;
}

namespace wblab::harness {

class FaultyRelay : public sim::WritebackChannel {
public:
    /// `config` starts any later agent (after agent_up); `agent` is the running one.
    FaultyRelay(AgentConfig config,
                std::unique_ptr<AgentSession> agent,
                fixture::Directory& directory);
    ~FaultyRelay() override;

    /// How the relay treats the next request: `stepNumber` is its 1-based step number.
    void prepare(const scenario::RelaySpec& relay, int stepNumber);

    /// The lab clock moved ahead of the real one, which the agent reads: requests go out with
    /// their expiry moved back by the lead, so that it means the same to the agent.
    void clockAdvanced(std::int64_t seconds) { clockAhead_ += seconds; }

    sim::WritebackReply deliver(const sim::WritebackRequest& request) override;

    /// The cloud sees the service down while no agent runs (agent_down, agent_crash): SSPR_0030
    /// before any gate, as for a stopped Connect service.
    bool serviceUp() const override { return agent_ && agent_->serviceUp(); }

    /// True when the last request went unanswered because of an injected fault (the lab's doing,
    /// not a protocol violation by the agent).
    bool lastFailureInjected() const { return injected_; }

    /// After a Duplicate delivery: the agent's answer to the second copy.
    const std::optional<sim::WritebackReply>& duplicateReply() const { return duplicate_; }

    /// The wire line of the last request (empty when it never reached the wire).
    const std::string& lastRequestLine() const { return lastLine_; }

    /// Applies a fault step. The text is for the timeline; an error means the lab could not do
    /// it (the directory did not come back) or a restarted agent failed its handshake.
    Expected<std::string> apply(scenario::FaultKind fault);

    /// Starts a new session with the running agent: a new hello on the same process (protocol
    /// v1.1 rehandshake), as between two scenarios. The text is for the timeline; an error means
    /// the agent owes answers or did not answer the hello.
    Expected<std::string> newSession();

    /// Delivers the request the relay held at step `stepNumber`, now.
    sim::WritebackReply release(int stepNumber);

    /// Sends an earlier request line again (replay steps).
    sim::WritebackReply replay(const std::string& line, const std::string& id);

    /// The running agent, or null while it is down.
    AgentSession* agent() { return agent_.get(); }

    /// The log parts of the agents this scenario stopped (agent_down, agent_crash, a restarted
    /// agent at the end), each complete: what the agent wrote until it was gone.
    const std::vector<LogPart>& retiredLogs() const { return retired_; }

    /// True once any agent of this scenario was sent a password in clear.
    bool sentPlaintext() const;

    bool directoryDown() const { return directoryDown_; }

    /// Brings the directory back if a fault left it down, and ends the agents: the scenario's
    /// first agent is handed back (for a worker to reuse) when no fault touched it; any other
    /// is stopped. Returns that first agent, or null.
    Expected<std::unique_ptr<AgentSession>> finish();

private:
    AgentConfig config_;
    std::unique_ptr<AgentSession> agent_;
    fixture::Directory& directory_;
    std::vector<LogPart> retired_;
    int agentsStarted_ = 1;
    bool firstAgent_ = true;        ///< agent_ is still the process the scenario began with
    bool plaintextBefore_ = false;  ///< sent in clear to an agent that is gone now
    bool directoryDown_ = false;
    scenario::RelayMode mode_ = scenario::RelayMode::Deliver;
    int stepNumber_ = 0;
    std::int64_t clockAhead_ = 0;
    bool injected_ = false;
    std::optional<sim::WritebackReply> duplicate_;
    std::string lastLine_;
    std::map<int, std::pair<std::string, std::string>> held_;  ///< step -> (line, id)
    std::string downBecause_;

    void retireAgent();
    /// A storm step's request with others in flight (storm.hpp): posted, then awaited once it
    /// is the oldest.
    sim::WritebackReply deliverInStorm(const sim::WritebackRequest& request);
};

}  // namespace wblab::harness
