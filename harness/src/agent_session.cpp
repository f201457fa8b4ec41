#include "agent_session.hpp"

#include <wblab/protocol/crypto.hpp>

#include <algorithm>
#include <csignal>
#include <tuple>

namespace wblab::harness {

namespace {

const std::vector<std::pair<std::string, std::string>> kAgentEnvironment = {
    {"PATH", "/usr/local/bin:/usr/bin:/bin"},
    {"LANG", "C.UTF-8"},
};

}  // namespace

AgentSession::AgentSession(Process process, AgentConfig config)
    : process_(std::move(process)), config_(std::move(config)) {}

AgentSession::~AgentSession() {
    shutdown();
}

Expected<std::unique_ptr<AgentSession>> AgentSession::start(const AgentConfig& config) {
    ProcessSpec spec;
    spec.argv = config.argv;
    spec.env = kAgentEnvironment;
    spec.stderrPath = config.stderrPath;
    spec.pipeStdin = true;
    spec.pipeStdout = true;
    auto process = Process::start(spec);
    if (!process) {
        // The program could not be started at all: NotFound tells this setup problem apart
        // from an agent that started and then failed its handshake.
        return makeError(ErrorCode::NotFound, process.error().message);
    }
    std::unique_ptr<AgentSession> session(new AgentSession(std::move(*process), config));
    if (auto ready = session->handshake(config.hello); !ready) {
        return ready.error();
    }
    return session;
}

Expected<void> AgentSession::rehandshake(const protocol::Hello& hello) {
    if (!reusable()) {
        return makeError(ErrorCode::Unavailable, "the agent cannot take another hello");
    }
    config_.hello = hello;
    answered_.clear();
    lastRequestLine_.clear();
    holdSeconds_ = 0;
    expiryShift_ = 0;
    sentPlaintext_ = false;
    diagnostics_.clear();
    auto ready = handshake(hello);
    if (!ready) {
        dead_ = true;
    }
    return ready;
}

bool AgentSession::reusable() const {
    const auto& caps = ready_.capabilities;
    return !dead_ && !outOfStep_ && std::find(caps.begin(), caps.end(), kRehandshake) != caps.end();
}

Expected<void> AgentSession::handshake(const protocol::Hello& hello) {
    const Deadline deadline = deadlineIn(config_.handshakeTimeout);
    auto sent = process_.write(protocol::encode(hello) + "\n", deadline);
    if (!sent) {
        return makeError(ErrorCode::Unavailable,
                         "the agent did not take the hello message: " + sent.error().message);
    }
    std::string line;
    while (true) {
        auto status = process_.readLine(line, deadline, protocol::kMaxLineBytes);
        if (status == Process::LineStatus::Timeout) {
            return makeError(ErrorCode::Timeout,
                             "the agent sent no ready message within " +
                                 std::to_string(config_.handshakeTimeout.count()) + " ms");
        }
        if (status == Process::LineStatus::TooLong) {
            return makeError(ErrorCode::ProtocolViolation, "the agent sent a line over 1 MiB");
        }
        if (status == Process::LineStatus::Eof) {
            auto exit = process_.waitUntil(deadlineIn(std::chrono::milliseconds(500)));
            return makeError(ErrorCode::Unavailable,
                             "the agent exited before the handshake" +
                                 (exit ? " (" + exit->describe() + ")" : std::string()));
        }
        auto message = protocol::decode(line);
        if (!message) {
            return makeError(ErrorCode::ProtocolViolation,
                             "bad handshake answer: " + message.error().message);
        }
        if (std::holds_alternative<protocol::Heartbeat>(*message)) {
            continue;
        }
        if (!std::holds_alternative<protocol::Ready>(*message)) {
            return makeError(
                ErrorCode::ProtocolViolation,
                std::string("expected a ready message, got ") + protocol::kindOf(*message));
        }
        ready_ = std::get<protocol::Ready>(*message);
        break;
    }
    const auto& caps = ready_.capabilities;
    bool plaintext = std::find(caps.begin(), caps.end(), "plaintext") != caps.end();
    // The agent chooses one of the versions the hello offered; every request of the session is
    // sealed as that version says.
    const auto& offered = hello.protocols;
    if (std::find(offered.begin(), offered.end(), ready_.protocol) == offered.end()) {
        std::string list;
        for (int v : offered) {
            list += (list.empty() ? "" : ", ") + std::to_string(v);
        }
        return makeError(ErrorCode::ProtocolViolation,
                         "the agent speaks protocol " + std::to_string(ready_.protocol) +
                             ", wblab offered " + list);
    }
    if (!plaintext && ready_.publicKeyPem.empty()) {
        return makeError(ErrorCode::ProtocolViolation,
                         "ready has no public_key and the agent does not declare 'plaintext'");
    }
    return {};
}

sim::WritebackReply AgentSession::deliver(const sim::WritebackRequest& request) {
    sim::WritebackReply reply;
    if (dead_) {
        reply.delivery = sim::WritebackReply::Delivery::Unreachable;
        reply.detail = "the agent is no longer running";
        return reply;
    }
    if (!encode(request, reply)) {
        return reply;
    }
    return exchange(lastRequestLine_, request.correlationId);
}

bool AgentSession::encode(const sim::WritebackRequest& request, sim::WritebackReply& reply) {
    using Delivery = sim::WritebackReply::Delivery;
    protocol::Request wire;
    wire.id = request.correlationId;
    auto op = protocol::operationFromString(request.operation);
    if (!op) {
        reply.delivery = Delivery::Garbled;
        reply.detail = "internal: unknown operation " + request.operation;
        return false;
    }
    wire.operation = *op;
    wire.anchor = request.anchor;
    wire.upn = request.upn;
    wire.unlock = request.unlock;
    wire.mustChange = request.mustChange;
    // The agent reads the real clock; a held message arrives as old as the hold.
    wire.issuedAt = protocol::formatUtc(request.issuedAt - holdSeconds_);
    wire.expiresAt = protocol::formatUtc(request.expiresAt - holdSeconds_ - expiryShift_);
    holdSeconds_ = 0;
    expiryShift_ = 0;
    auto sealOrPlain = [&](const std::string& secret,
                           const char* name) -> Expected<protocol::Sealed> {
        if (ready_.publicKeyPem.empty()) {
            sentPlaintext_ = true;
            return protocol::Sealed{"plain", secret, "", "", ""};
        }
        // In the envelope of the negotiated version; version 2 binds it to this request's id
        // and field.
        return protocol::seal(
            ready_.publicKeyPem, secret, ready_.protocol, protocol::sealContext(wire.id, name));
    };
    const bool sendsNew = wire.operation != protocol::Operation::UnlockOnly;
    const bool sendsOld = !request.oldPassword.empty();
    for (auto [field, secret, wanted, name] :
         {std::tuple{&wire.newPassword, &request.newPassword, sendsNew, "new_password"},
          std::tuple{&wire.oldPassword, &request.oldPassword, sendsOld, "old_password"}}) {
        if (!wanted) {
            continue;
        }
        auto sealed = sealOrPlain(*secret, name);
        if (!sealed) {
            reply.delivery = Delivery::Garbled;
            reply.detail = "cannot seal to the agent's key: " + sealed.error().message;
            return false;
        }
        *field = *sealed;
    }
    lastRequestLine_ = protocol::encode(wire);
    return true;
}

void AgentSession::crash() {
    // SIGKILL: no bye, no chance to finish anything (a power cut or an OOM kill).
    process_.signalGroup(SIGKILL);
    process_.waitUntil(deadlineIn(std::chrono::milliseconds(2000)));
    dead_ = true;
}

sim::WritebackReply AgentSession::replay(const std::string& requestLine, const std::string& id) {
    return exchange(requestLine, id);
}

sim::WritebackReply AgentSession::exchange(const std::string& requestLine, const std::string& id) {
    using Delivery = sim::WritebackReply::Delivery;
    sim::WritebackReply reply;
    if (dead_) {
        reply.delivery = Delivery::Unreachable;
        reply.detail = "the agent is no longer running";
        return reply;
    }
    const Deadline deadline = deadlineIn(config_.requestTimeout);
    if (auto sent = process_.write(requestLine + "\n", deadline); !sent) {
        dead_ = true;
        reply.delivery = Delivery::Unreachable;
        auto exit = process_.waitUntil(deadlineIn(std::chrono::milliseconds(500)));
        reply.detail = exit ? "the agent exited before the request (" + exit->describe() + ")"
                            : "cannot send the request: " + sent.error().message;
        return reply;
    }
    std::string line;
    while (true) {
        auto status = process_.readLine(line, deadline, protocol::kMaxLineBytes);
        if (status == Process::LineStatus::Timeout) {
            outOfStep_ = true;
            reply.delivery = Delivery::TimedOut;
            reply.detail =
                "no answer within " + std::to_string(config_.requestTimeout.count()) + " ms";
            return reply;
        }
        if (status == Process::LineStatus::Eof) {
            dead_ = true;
            auto exit = process_.waitUntil(deadlineIn(std::chrono::milliseconds(500)));
            reply.delivery = Delivery::Unreachable;
            reply.detail = "the agent exited without answering" +
                           (exit ? " (" + exit->describe() + ")" : std::string());
            return reply;
        }
        if (status == Process::LineStatus::TooLong) {
            dead_ = true;
            reply.delivery = Delivery::Garbled;
            reply.detail = "the agent sent a line over 1 MiB";
            return reply;
        }
        auto message = protocol::decode(line);
        if (!message) {
            reply.delivery = Delivery::Garbled;
            outOfStep_ = true;
            reply.detail = "unreadable answer: " + message.error().message;
            diagnostics_.push_back(reply.detail);
            return reply;
        }
        if (std::holds_alternative<protocol::Heartbeat>(*message)) {
            continue;
        }
        const auto* answer = std::get_if<protocol::Answer>(&*message);
        if (answer == nullptr) {
            reply.delivery = Delivery::Garbled;
            outOfStep_ = true;
            reply.detail = std::string("expected an answer, got ") + protocol::kindOf(*message);
            diagnostics_.push_back(reply.detail);
            return reply;
        }
        if (answer->id != id) {
            reply.delivery = Delivery::Garbled;
            outOfStep_ = true;
            reply.detail = answered_.count(answer->id) != 0
                               ? "a second answer for request '" + answer->id + "'"
                               : "answer for unknown request id '" + answer->id + "'";
            diagnostics_.push_back(reply.detail);
            return reply;
        }
        answered_.insert(answer->id);
        reply.delivery = Delivery::Answered;
        reply.success = answer->result == protocol::Result::Success;
        reply.events = answer->events;
        reply.reason = answer->reason;
        reply.detail = answer->detail;
        return reply;
    }
}

void AgentSession::shutdown() {
    if (process_.waitUntil(Clock::now())) {
        return;
    }
    const Deadline deadline = deadlineIn(std::chrono::milliseconds(1000));
    if (!dead_ && process_.write(protocol::encode(protocol::Shutdown{}) + "\n", deadline)) {
        process_.closeStdin();
        if (process_.waitUntil(deadline)) {
            process_.stop(std::chrono::milliseconds(100));  // stragglers in the group
            return;
        }
    }
    process_.stop(std::chrono::milliseconds(500));
}

}  // namespace wblab::harness
