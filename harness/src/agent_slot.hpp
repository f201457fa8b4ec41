#pragma once
// Private to the harness: a worker's agent, kept from one scenario to the next when it can take
// another hello (protocol v1.1, capability "rehandshake"): that saves a process start and a key
// pair per scenario. Its log lives in the worker's directory; each scenario gets the part
// written during it.

#include "agent_session.hpp"

#include <wblab/support/files.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace wblab::harness {

class AgentSlot {
public:
    AgentSlot() = default;
    AgentSlot(const AgentSlot&) = delete;
    AgentSlot& operator=(const AgentSlot&) = delete;
    ~AgentSlot();

    /// The agent for a scenario: the idle one after a new handshake, else a fresh process. Its
    /// stderr goes to the worker's log whatever `config.stderrPath` says.
    Expected<std::unique_ptr<AgentSession>> take(AgentConfig config);

    /// Keeps the agent for the next scenario if it can serve one, else shuts it down.
    void release(std::unique_ptr<AgentSession> agent, bool reuse);

    /// Writes what the agent logged since the last call to `path` (dropped when empty).
    void copyLogTo(const std::string& path);

private:
    std::string logPath() const { return dir_->path() + "/agent.stderr"; }

    std::optional<RunDirectory> dir_;
    std::unique_ptr<AgentSession> idle_;
    std::uintmax_t logOffset_ = 0;
};

}  // namespace wblab::harness
