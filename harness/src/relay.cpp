#include "relay.hpp"

#include "storm.hpp"

#include <wblab/fixture/directory.hpp>

namespace wblab::harness {

namespace {

sim::WritebackReply unanswered(sim::WritebackReply::Delivery delivery, std::string why) {
    sim::WritebackReply reply;
    reply.delivery = delivery;
    reply.detail = std::move(why);
    return reply;
}

}  // namespace

FaultyRelay::FaultyRelay(AgentConfig config,
                         std::unique_ptr<AgentSession> agent,
                         fixture::Directory& directory)
    : config_(std::move(config)), agent_(std::move(agent)), directory_(directory) {}

FaultyRelay::~FaultyRelay() {
    retireAgent();
}

void FaultyRelay::prepare(const scenario::RelaySpec& relay, int stepNumber) {
    mode_ = relay.mode;
    stepNumber_ = stepNumber;
    injected_ = false;
    duplicate_.reset();
    lastLine_.clear();
    if (agent_) {
        agent_->holdNextRequest(relay.delaySeconds, clockAhead_);
    }
}

sim::WritebackReply FaultyRelay::deliver(const sim::WritebackRequest& request) {
    using Delivery = sim::WritebackReply::Delivery;
    const auto mode = std::exchange(mode_, scenario::RelayMode::Deliver);
    if (mode == scenario::RelayMode::Drop) {
        injected_ = true;
        return unanswered(Delivery::TimedOut, "the relay dropped the request (fault)");
    }
    if (!agent_) {
        injected_ = true;
        return unanswered(Delivery::Unreachable, "no agent is running (" + downBecause_ + ")");
    }
    if (mode == scenario::RelayMode::Hold) {
        sim::WritebackReply failed;
        if (!agent_->encode(request, failed)) {
            return failed;
        }
        held_[stepNumber_] = {agent_->lastRequestLine(), request.correlationId};
        lastLine_ = agent_->lastRequestLine();
        injected_ = true;
        return unanswered(Delivery::TimedOut, "the relay held the request (fault)");
    }
    if (mode == scenario::RelayMode::Deliver && inStormFlight()) {
        return deliverInStorm(request);
    }
    auto reply = agent_->deliver(request);
    lastLine_ = agent_->lastRequestLine();
    if (mode == scenario::RelayMode::Duplicate && reply.delivery == Delivery::Answered) {
        // The cloud sees the first answer; the second copy's answer only goes to the report.
        duplicate_ = agent_->replay(lastLine_, request.correlationId);
    }
    return reply;
}

sim::WritebackReply FaultyRelay::deliverInStorm(const sim::WritebackRequest& request) {
    sim::WritebackReply reply;
    const bool posted = agent_->post(request, reply);
    // Other steps post theirs while this one is in flight: this step's line, kept.
    const std::string line = agent_->lastRequestLine();
    if (posted) {
        parkPostedStormFlight();
        reply = agent_->await(request.correlationId);
    }
    lastLine_ = line;
    return reply;
}

sim::WritebackReply FaultyRelay::release(int stepNumber) {
    auto it = held_.find(stepNumber);
    if (it == held_.end()) {
        return unanswered(sim::WritebackReply::Delivery::Unreachable,
                          "the relay holds no request of step " + std::to_string(stepNumber));
    }
    auto [line, id] = it->second;
    held_.erase(it);
    return replay(line, id);
}

sim::WritebackReply FaultyRelay::replay(const std::string& line, const std::string& id) {
    injected_ = false;
    if (!agent_) {
        injected_ = true;
        return unanswered(sim::WritebackReply::Delivery::Unreachable,
                          "no agent is running (" + downBecause_ + ")");
    }
    return agent_->replay(line, id);
}

void FaultyRelay::retireAgent() {
    if (agent_) {
        plaintextBefore_ = plaintextBefore_ || agent_->sentPlaintext();
        agent_->shutdown();
        retired_.push_back(agent_->finishLog());
        agent_.reset();
    }
}

bool FaultyRelay::sentPlaintext() const {
    return plaintextBefore_ || (agent_ && agent_->sentPlaintext());
}

Expected<std::string> FaultyRelay::apply(scenario::FaultKind fault) {
    switch (fault) {
        case scenario::FaultKind::AgentDown:
            firstAgent_ = false;
            retireAgent();
            downBecause_ = "stopped by agent_down";
            return std::string("the agent is stopped (shutdown, bye)");
        case scenario::FaultKind::AgentCrash:
            firstAgent_ = false;
            if (agent_) {
                agent_->crash();
            }
            retireAgent();
            downBecause_ = "killed by agent_crash";
            return std::string("the agent is killed (SIGKILL, no bye)");
        case scenario::FaultKind::AgentUp: {
            AgentConfig next = config_;
            next.stderrPath = config_.stderrPath + "." + std::to_string(++agentsStarted_);
            auto started = AgentSession::start(next);
            if (!started) {
                return makeError(started.error().code,
                                 "the agent did not start again: " + started.error().message);
            }
            agent_ = std::move(*started);
            downBecause_.clear();
            return "a new agent process is up (" + agent_->ready().agentName + ", handshake done)";
        }
        case scenario::FaultKind::DirectoryDown:
            directory_.stopServer();
            directoryDown_ = true;
            return std::string("the directory is stopped (down)");
        case scenario::FaultKind::DirectoryUp:
            if (auto up = directory_.startServer(); !up) {
                return makeError(up.error().code,
                                 "the directory did not come back: " + up.error().message);
            }
            directoryDown_ = false;
            return std::string("the directory runs again on the same data");
    }
    return std::string();
}

Expected<std::string> FaultyRelay::newSession() {
    if (!agent_) {
        return makeError(ErrorCode::Unavailable, "no agent is running (" + downBecause_ + ")");
    }
    if (agent_->overdue() > 0) {
        // Its late answers would land in the new session, perhaps on a recycled id.
        return makeError(
            ErrorCode::Unavailable,
            "the agent still owes " + std::to_string(agent_->overdue()) + " answer(s) from before");
    }
    // The new session starts its own record; what went in clear before still counts.
    plaintextBefore_ = plaintextBefore_ || agent_->sentPlaintext();
    WBLAB_TRY(agent_->rehandshake(config_.hello), "the agent did not take the new hello");
    return "a new hello to the same agent process: ready (protocol " +
           std::to_string(agent_->protocolVersion()) + ")";
}

Expected<std::unique_ptr<AgentSession>> FaultyRelay::finish() {
    std::unique_ptr<AgentSession> first;
    if (firstAgent_ && agent_) {
        plaintextBefore_ = plaintextBefore_ || agent_->sentPlaintext();
        first = std::move(agent_);
    }
    retireAgent();
    if (directoryDown_) {
        // The directory checks need it; the scenario's faults are over.
        if (auto up = directory_.startServer(); !up) {
            if (first) {
                first->shutdown();
            }
            return up.error();
        }
        directoryDown_ = false;
    }
    return first;
}

}  // namespace wblab::harness
