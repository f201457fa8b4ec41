#include "agent_slot.hpp"

#include <fstream>
#include <iterator>

namespace wblab::harness {

AgentSlot::~AgentSlot() {
    if (idle_) {
        idle_->shutdown();
    }
}

Expected<std::unique_ptr<AgentSession>> AgentSlot::take(AgentConfig config) {
    if (!dir_) {
        auto created = RunDirectory::create("agent");
        if (!created) {
            return created.error();
        }
        dir_.emplace(std::move(*created));
    }
    config.stderrPath = logPath();
    if (idle_) {
        std::unique_ptr<AgentSession> agent = std::move(idle_);
        if (agent->rehandshake(config.hello)) {
            return agent;
        }
        // It went away between scenarios or refused the hello: start afresh.
        agent->shutdown();
        copyLogTo("");
    }
    logOffset_ = 0;
    return AgentSession::start(config);
}

void AgentSlot::release(std::unique_ptr<AgentSession> agent, bool reuse) {
    if (agent && reuse && agent->reusable()) {
        idle_ = std::move(agent);
    } else if (agent) {
        agent->shutdown();
    }
}

void AgentSlot::copyLogTo(const std::string& path) {
    if (!dir_) {
        return;
    }
    std::ifstream in(logPath(), std::ios::binary);
    in.seekg(static_cast<std::streamoff>(logOffset_));
    std::string part((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    logOffset_ += part.size();
    if (!path.empty()) {
        // Best effort, as when the agent wrote there itself: a missing log fails no check.
        (void)writeFileAtomically(path, part);
    }
}

}  // namespace wblab::harness
