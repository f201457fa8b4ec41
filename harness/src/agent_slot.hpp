#pragma once
// Private to the harness: a worker's agent, kept from one scenario to the next when it can take
// another hello (protocol v1.1, capability "rehandshake"): that saves a process start and a key
// pair per scenario. The agent's log is cut into one part per scenario: a part ends when the
// next scenario's hello is sent, or when the agent has exited, so that what the agent writes
// after a scenario's last answer, at the next hello or at shutdown belongs to that scenario.
// The security check on a part that was still open when the scenario's checks were made is
// settled when the part ends (settleLater).

#include "agent_session.hpp"

#include <wblab/report/run_result.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wblab::harness {

class AgentSlot {
public:
    AgentSlot() = default;
    AgentSlot(const AgentSlot&) = delete;
    AgentSlot& operator=(const AgentSlot&) = delete;
    ~AgentSlot();

    /// The agent for a scenario: the idle one after a new handshake (which ends the previous
    /// scenario's log part and settles its check), else a fresh process.
    Expected<std::unique_ptr<AgentSession>> take(const AgentConfig& config);

    /// Keeps the agent for the next scenario if it can serve one, else shuts it down.
    void release(std::unique_ptr<AgentSession> agent, bool reuse);

    /// The log part of the agent last released: complete when it was shut down, so far when
    /// it is kept for the next scenario; nullopt when no agent was released.
    std::optional<LogPart> releasedLog() const;

    /// The check on the released agent's log was made on an open part: when the part ends, the
    /// scenario's check is made again on the whole part plus `otherParts` (its other agents').
    void expectSettlement(std::vector<LogPart> otherParts);

    /// The kept agent's window for unasked lines after its last answer (ScenarioRun) ends at
    /// `until`, or at the next take()'s hello, whichever comes later: what the agent sends
    /// before its ready to that hello, or before `until` at close(), fails the scenario
    /// (amendUnasked) and retires the agent. The owner must name the result with settleLater().
    void expectDrain(Deadline until);

    /// Where the scenario's result now lives, to settle (no-op when nothing is pending).
    void settleLater(report::CaseResult& result);

    /// Shuts an idle agent down and settles what is pending.
    void close();

private:
    void settle(const LogPart& part);
    void drainIdle();
    /// Fails the scenario whose window it was with what the kept agent sent in it.
    void recordUnasked(const std::vector<std::string>& unasked);

    std::unique_ptr<AgentSession> idle_;
    /// The secrets of the scenarios the idle agent served, named with their scenario, in
    /// generations (addGeneration()): a kept agent that logs an earlier scenario's password
    /// later is caught too.
    std::vector<std::shared_ptr<const SecretScanner>> served_;
    std::optional<LogPart> released_;  ///< the part of an agent shut down at release
    bool awaiting_ = false;            ///< expectSettlement() called, part still open
    std::vector<LogPart> otherParts_;
    report::CaseResult* target_ = nullptr;
    std::optional<LogPart> early_;        ///< the part ended before settleLater() named the result
    std::optional<Deadline> drainUntil_;  ///< expectDrain(), not yet waited out
    report::CaseResult* drainTarget_ = nullptr;  ///< whose window it is
    std::vector<std::string> drainedEarly_;      ///< found before settleLater() named it
};

/// The check "no password in the agent's log" over every part of a scenario's agent logs, and
/// a warning for each part that was cut at its cap.
report::CheckOutcome neverLoggedCheck(const std::vector<LogPart>& parts);
std::vector<std::string> truncationWarnings(const std::vector<LogPart>& parts);

/// Makes `result`'s never-logged check again over `parts` and settles its verdict: a pass that
/// now has a failed check fails.
void amendNeverLogged(report::CaseResult& result, const std::vector<LogPart>& parts);

/// A passed scenario with this failed check fails, its message naming the check.
void failIfPassed(report::CaseResult& result, const report::CheckOutcome& check);

/// The check on what the agent sent after its last answer, unasked ("nothing" passes).
report::CheckOutcome unaskedCheck(const std::vector<std::string>& unasked);
std::string describeUnasked(const std::vector<std::string>& unasked);

/// Adds the failed unasked check (and its timeline line) to a scenario already finished.
void amendUnasked(report::CaseResult& result, const std::vector<std::string>& unasked);

}  // namespace wblab::harness
