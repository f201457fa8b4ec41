#pragma once
// Private to the harness: the harness side of the agent protocol (versions 1 and 2: the hello
// offers both, the agent's ready names one). Starts the agent in its own process group, performs
// the handshake, relays writeback requests with deadlines, and turns everything the agent can do
// wrong into a WritebackReply (never an exception or a crash).

#include <wblab/protocol/messages.hpp>
#include <wblab/sim/cloud.hpp>
#include <wblab/support/expected.hpp>
#include <wblab/support/log_pump.hpp>
#include <wblab/support/process.hpp>
#include <wblab/support/secrets.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wblab::harness {

struct AgentConfig {
    std::vector<std::string> argv;
    /// Where the agent's stderr of this scenario is kept (the first logCap bytes).
    std::string stderrPath;
    /// What the agent's log is searched for: the scenario's passwords and the connector's (and,
    /// for an agent kept from earlier scenarios, theirs: AgentSlot adds them).
    std::shared_ptr<const SecretScanner> logScanner;
    std::string scenarioId;  ///< whose session this is, for naming its secrets later
    std::uint64_t logCap = 4u << 20;
    protocol::Hello hello;
    /// A private directory the agent may keep state in across its restarts (its key pair), given
    /// to it as WBLAB_AGENT_STATE; empty: none (docs/agent-protocol.md).
    std::string stateDirectory;
    std::chrono::milliseconds handshakeTimeout{10000};
    std::chrono::milliseconds requestTimeout{10000};
    /// No request outlives the scenario: an exchange ends at this deadline at the latest.
    Deadline scenarioDeadline = Deadline::max();
};

/// This process's directory for its agents' state (mode 0700, removed when the process ends),
/// shared by every agent it starts, one after another or side by side; empty when it cannot be
/// made.
const std::string& agentStateDirectory();

/// The capability of an agent that can serve several scenarios in turn (protocol v1.1).
inline constexpr const char* kRehandshake = "rehandshake";

/// An answer that arrived after its request's deadline, matched to that request by its id.
struct LateAnswer {
    std::string id;
    std::chrono::milliseconds late{0};  ///< how long after the deadline it arrived
    sim::WritebackReply reply;          ///< what the agent answered (delivery Answered)
};

class AgentSession : public sim::WritebackChannel {
public:
    /// Spawns the agent and completes the handshake. Errors are NotFound (the program cannot be
    /// started), Unavailable (it exited before its ready), Timeout (no ready in time) or
    /// ProtocolViolation (a bad ready).
    static Expected<std::unique_ptr<AgentSession>> start(const AgentConfig& config);

    ~AgentSession() override;

    sim::WritebackReply deliver(const sim::WritebackRequest& request) override;

    /// The service is up while the agent process is alive and has not broken the protocol's
    /// framing; the cloud asks before any gate.
    bool serviceUp() const override { return !dead_; }

    /// How many requests may be in flight at once: the window the agent declared in its ready
    /// (protocol 2.1; 1 when it declared none).
    int window() const { return ready_.window; }

    /// Sends a request without waiting for its answer, so that up to window() are in flight;
    /// await() then takes its answer. False, with `reply` saying why, when it was not sent.
    bool post(const sim::WritebackRequest& request, sim::WritebackReply& reply);

    /// The answer to the posted request `id`, by its deadline (set when it was posted). Answers
    /// to other requests in flight that come meanwhile are kept for their own await(); late
    /// answers to overdue requests are matched to them as in deliver().
    sim::WritebackReply await(const std::string& id);

    /// Sends a request line again, byte for byte (a relay that replays a captured message).
    sim::WritebackReply replay(const std::string& requestLine, const std::string& id);

    /// Turns a request into its wire line (secrets sealed) without sending it: lastRequestLine()
    /// afterwards. False, with `reply` saying why, when it cannot be encoded.
    bool encode(const sim::WritebackRequest& request, sim::WritebackReply& reply);

    /// Kills the agent's process group at once (no shutdown, no bye).
    void crash();

    /// The last request line encoded, as it goes over the wire (secrets sealed).
    const std::string& lastRequestLine() const { return lastRequestLine_; }

    /// The relay delivers the next request `seconds` after the cloud issued it (a slow relay):
    /// the agent receives it that much older.
    /// The next request was held `seconds` by the relay; the lab clock is `clockAhead` seconds
    /// ahead of the real clock the agent reads, so its expiry goes out moved back by that much
    /// (its issue time stays the lab's, which keeps requests in order).
    void holdNextRequest(std::int64_t seconds, std::int64_t clockAhead = 0) {
        holdSeconds_ = seconds;
        expiryShift_ = clockAhead;
    }

    /// True once a password went to the agent unsealed (it declared "plaintext").
    bool sentPlaintext() const { return sentPlaintext_; }

    /// True when the agent may take the next scenario's hello instead of a shutdown: it declared
    /// the capability "rehandshake" (protocol v1.1), is running, and owes no answer and sent
    /// nothing out of step (no overdue request, garbage or stray answer that could leak into the
    /// next session).
    bool reusable() const;

    /// Starts a new session on the same process for another scenario (`config`'s hello, log and
    /// deadlines): ends the previous session's log part with everything the agent wrote before
    /// the new hello (`previousLog`, set even when the handshake then fails), sends the hello and
    /// checks the ready answer as start() does. What it logs on taking the hello belongs to the
    /// new scenario. Forgets everything of the previous session. The ready is the fence between
    /// the sessions: a line the agent sends before it (a duplicate of the previous scenario's
    /// last answer, say) goes to `unasked`, described as drainUnasked() does, and fails the
    /// handshake (the agent is out of step).
    Expected<void> rehandshake(const AgentConfig& config,
                               LogPart& previousLog,
                               std::vector<std::string>& unasked);

    /// A new session inside the same scenario (step new_session): sends `hello` and checks the
    /// ready answer; the log and deadlines stay. Forgets every request of the previous session.
    Expected<void> rehandshake(const protocol::Hello& hello);

    /// Reads what the agent sends after the last answer it owed, until `deadline`: unasked
    /// answers (a duplicate of the last one, say), described for a check; heartbeats aside.
    /// Anything found makes the agent unfit for another scenario.
    std::vector<std::string> drainUnasked(Deadline deadline);

    /// Sends shutdown, waits briefly for a clean exit, then stops the process and everything it
    /// started. The log part ends after the exit, with what the agent wrote at shutdown.
    void shutdown();

    /// The log part of this session so far (complete once the agent is gone).
    LogPart logSoFar() const;

    /// Ends the log part: after shutdown() or crash(), what the agent wrote until its end.
    LogPart finishLog();

    const protocol::Ready& ready() const { return ready_; }

    /// The protocol version the agent chose in its ready (1 or 2): passwords are sealed for it,
    /// and a scenario whose passwords do not fit it (protocol::fitsVersion) is unsupported.
    int protocolVersion() const { return ready_.protocol; }

    /// What the handshake found questionable but not fatal (an unknown capability, e.g. a
    /// misspelt "unlock" for "unlock_only"), for the report.
    const std::vector<std::string>& handshakeWarnings() const { return ready_.warnings; }

    /// Protocol problems seen so far (garbage lines, unknown ids), for the report.
    const std::vector<std::string>& diagnostics() const { return diagnostics_; }

    /// The answers that came after their deadline since the last call. A request whose deadline
    /// passed stays overdue: its answer, whenever it comes (while the session waits for a later
    /// answer or a ready), is matched to it by id and never taken for a later request's.
    std::vector<LateAnswer> takeLateAnswers() { return std::exchange(late_, {}); }

    /// Requests whose deadline passed and whose answer has not come yet.
    std::size_t overdue() const { return overdue_.size(); }

private:
    std::optional<sim::WritebackReply> withoutLine(Process::LineStatus status,
                                                   const std::string& id,
                                                   Deadline deadline);
    AgentSession(Process process, AgentConfig config);
    Deadline exchangeDeadline() const;
    sim::WritebackReply exchange(const std::string& requestLine, const std::string& id);
    /// Writes a request line; false with `reply` set when it could not.
    bool sendLine(const std::string& requestLine, sim::WritebackReply& reply);
    /// Reads until the answer to `id` (or what ends the wait) comes.
    sim::WritebackReply readAnswer(const std::string& id, Deadline deadline);
    /// A wire problem of the answer stream: recorded, and the session is out of step.
    sim::WritebackReply garbled(std::string detail);
    /// Forgets the previous session and starts one with `hello` (both rehandshakes).
    Expected<void> startSession(const protocol::Hello& hello, std::vector<std::string>* unasked);
    /// Sends `hello` and reads until `ready`; with `unasked`, the first other line before it
    /// is kept there before the handshake fails.
    Expected<void> handshake(const protocol::Hello& hello,
                             std::vector<std::string>* unasked = nullptr);
    /// True when `answer` is the late answer to an overdue request (recorded, not returned).
    bool takeIfLate(const protocol::Answer& answer);

    Process process_;
    AgentConfig config_;
    std::unique_ptr<LogPump> log_;
    std::optional<LogPart> finishedLog_;
    protocol::Ready ready_;
    std::vector<std::string> diagnostics_;
    bool dead_ = false;
    bool outOfStep_ = false;
    bool sentPlaintext_ = false;
    std::int64_t holdSeconds_ = 0;
    std::int64_t expiryShift_ = 0;
    std::string lastRequestLine_;
    std::set<std::string> answered_;
    std::map<std::string, Deadline> overdue_;   ///< id -> the deadline it missed
    std::map<std::string, Deadline> inFlight_;  ///< posted, not awaited yet: id -> its deadline
    /// Answers to requests in flight that came while another answer was awaited.
    std::map<std::string, protocol::Answer> arrived_;
    std::vector<LateAnswer> late_;
};

}  // namespace wblab::harness
