#include "agent_session.hpp"

#include <wblab/protocol/crypto.hpp>
#include <wblab/support/files.hpp>

#include <algorithm>
#include <csignal>
#include <tuple>

namespace wblab::harness {

namespace {

/// A string the agent chose, as a diagnostic shows it: printable and at most 40 characters.
std::string shown(const std::string& text) {
    std::string out = printable(text);
    if (out.size() > 40) {
        out = out.substr(0, 37) + "...";
    }
    return "'" + out + "'";
}

/// A decoder's message about the agent's line (it may quote the line): printable, short.
std::string shownMessage(const std::string& text) {
    std::string out = printable(text);
    return out.size() > 200 ? out.substr(0, 197) + "..." : out;
}

/// Stands for a line over the limit among kept lines (no line read holds a newline).
constexpr const char* kOverlongLine = "\n";

/// A line the agent sent although it owed no answer, for a check: `answered` holds the ids of
/// the session's answered requests.
std::string describeUnasked(const Expected<protocol::Message>& message,
                            const std::set<std::string>& answered) {
    const auto* answer = message ? std::get_if<protocol::Answer>(&*message) : nullptr;
    return !message            ? "an unreadable line"
           : answer == nullptr ? std::string("a ") + protocol::kindOf(*message) + " message"
           : answered.count(answer->id) != 0
               ? "a second answer for request " + shown(answer->id)
               : "an answer for unknown request id " + shown(answer->id);
}

const std::vector<std::pair<std::string, std::string>> kAgentEnvironment = {
    {"PATH", "/usr/local/bin:/usr/bin:/bin"},
    {"LANG", "C.UTF-8"},
};

}  // namespace

const std::string& agentStateDirectory() {
    static const auto directory = RunDirectory::create("agent-state");
    static const std::string path = directory ? directory->path() : std::string();
    return path;
}

AgentSession::AgentSession(Process process, AgentConfig config)
    : process_(std::move(process)), config_(std::move(config)) {
    // The agent's stderr is read as it is written: kept up to the cap, searched whole.
    log_ = std::make_unique<LogPump>(
        process_.takeStderr(), config_.stderrPath, config_.logCap, config_.logScanner);
}

AgentSession::~AgentSession() {
    shutdown();
}

Expected<std::unique_ptr<AgentSession>> AgentSession::start(const AgentConfig& config) {
    ProcessSpec spec;
    spec.argv = config.argv;
    spec.env = kAgentEnvironment;
    if (!config.stateDirectory.empty()) {
        spec.env.emplace_back("WBLAB_AGENT_STATE", config.stateDirectory);
    }
    spec.pipeStderr = true;
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

Expected<void> AgentSession::rehandshake(const AgentConfig& config,
                                         LogPart& previousLog,
                                         std::vector<std::string>& unasked) {
    if (!reusable()) {
        return makeError(ErrorCode::Unavailable, "the agent cannot take another hello");
    }
    const auto argv = config_.argv;
    config_ = config;
    config_.argv = argv;
    // Everything written before the new hello belongs to the previous scenario (what the agent
    // wrote after its last answer); what it writes on taking the hello belongs to the new one,
    // whose log is still searched for the previous scenarios' passwords.
    previousLog = log_->nextPart(config.stderrPath, config.logScanner);
    auto ready = startSession(config_.hello, &unasked);
    if (!unasked.empty()) {
        outOfStep_ = true;
    }
    return ready;
}

Expected<void> AgentSession::rehandshake(const protocol::Hello& hello) {
    return startSession(hello, nullptr);
}

Expected<void> AgentSession::startSession(const protocol::Hello& hello,
                                          std::vector<std::string>* unasked) {
    if (!reusable()) {
        return makeError(ErrorCode::Unavailable, "the agent cannot take another hello");
    }
    config_.hello = hello;
    std::set<std::string> answeredBefore;
    answeredBefore.swap(answered_);
    late_.clear();
    inFlight_.clear();
    arrived_.clear();
    lastRequestLine_.clear();
    holdSeconds_ = 0;
    expiryShift_ = 0;
    sentPlaintext_ = false;
    diagnostics_.clear();
    std::vector<std::string> lines;
    auto ready = handshake(hello, unasked != nullptr ? &lines : nullptr);
    for (const auto& line : lines) {
        unasked->push_back(line == kOverlongLine
                               ? "a line over 1 MiB"
                               : describeUnasked(protocol::decode(line), answeredBefore));
    }
    if (!ready) {
        dead_ = true;
    }
    return ready;
}

bool AgentSession::reusable() const {
    const auto& caps = ready_.capabilities;
    return !dead_ && !outOfStep_ && overdue_.empty() && inFlight_.empty() &&
           std::find(caps.begin(), caps.end(), kRehandshake) != caps.end();
}

namespace {

sim::WritebackReply replyOf(const protocol::Answer& answer) {
    sim::WritebackReply reply;
    reply.delivery = sim::WritebackReply::Delivery::Answered;
    reply.success = answer.result == protocol::Result::Success;
    reply.events = answer.events;
    reply.reason = answer.reason;
    reply.detail = answer.detail;
    return reply;
}

}  // namespace

bool AgentSession::takeIfLate(const protocol::Answer& answer) {
    auto it = overdue_.find(answer.id);
    if (it == overdue_.end()) {
        return false;
    }
    const auto late =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - it->second);
    late_.push_back(LateAnswer{answer.id, late, replyOf(answer)});
    answered_.insert(answer.id);
    overdue_.erase(it);
    return true;
}

Expected<void> AgentSession::handshake(const protocol::Hello& hello,
                                       std::vector<std::string>* unasked) {
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
            if (unasked != nullptr) {
                unasked->push_back(kOverlongLine);
            }
            return makeError(ErrorCode::ProtocolViolation, "the agent sent a line over 1 MiB");
        }
        if (status == Process::LineStatus::Interrupted) {
            return makeError(ErrorCode::Unavailable, "the run was interrupted");
        }
        if (status == Process::LineStatus::Eof) {
            auto exit = process_.waitUntil(deadlineIn(std::chrono::milliseconds(500)));
            return makeError(ErrorCode::Unavailable,
                             "the agent exited before the handshake" +
                                 (exit ? " (" + exit->describe() + ")" : std::string()));
        }
        auto message = protocol::decode(line);
        if (unasked != nullptr &&
            (!message || (!std::holds_alternative<protocol::Ready>(*message) &&
                          !std::holds_alternative<protocol::Heartbeat>(*message)))) {
            // One such line decides: the agent is out of step and will not serve the next
            // scenario, so nothing more is read (a flood of them is not kept either).
            unasked->push_back(line);
            return makeError(ErrorCode::ProtocolViolation,
                             "the agent sent a line nobody asked for before its ready");
        }
        if (!message) {
            return makeError(ErrorCode::ProtocolViolation,
                             "bad handshake answer: " + shownMessage(message.error().message));
        }
        if (std::holds_alternative<protocol::Heartbeat>(*message)) {
            continue;
        }
        if (const auto* late = std::get_if<protocol::Answer>(&*message);
            late && takeIfLate(*late)) {
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

/// The reply when no line came (timeout, interrupt, end of output, an overlong line); nullopt
/// when one did.
std::optional<sim::WritebackReply> AgentSession::withoutLine(Process::LineStatus status,
                                                             const std::string& id,
                                                             Deadline deadline) {
    using Delivery = sim::WritebackReply::Delivery;
    sim::WritebackReply reply;
    if (status == Process::LineStatus::Timeout) {
        // Its answer may still come: it will be matched to this request, not the next.
        overdue_.emplace(id, deadline);
        reply.delivery = Delivery::TimedOut;
        reply.detail =
            Clock::now() >= config_.scenarioDeadline
                ? std::string("no answer before the scenario's deadline")
                : "no answer within " + std::to_string(config_.requestTimeout.count()) + " ms";
        return reply;
    }
    if (status == Process::LineStatus::Interrupted) {
        dead_ = true;
        reply.delivery = Delivery::Unreachable;
        reply.detail = "the run was interrupted";
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
    return std::nullopt;
}

sim::WritebackReply AgentSession::exchange(const std::string& requestLine, const std::string& id) {
    sim::WritebackReply reply;
    const Deadline deadline = exchangeDeadline();
    if (!sendLine(requestLine, reply)) {
        return reply;
    }
    return readAnswer(id, deadline);
}

bool AgentSession::post(const sim::WritebackRequest& request, sim::WritebackReply& reply) {
    if (dead_) {
        reply.delivery = sim::WritebackReply::Delivery::Unreachable;
        reply.detail = "the agent is no longer running";
        return false;
    }
    if (!encode(request, reply)) {
        return false;
    }
    const Deadline deadline = exchangeDeadline();
    if (!sendLine(lastRequestLine_, reply)) {
        return false;
    }
    inFlight_[request.correlationId] = deadline;
    return true;
}

sim::WritebackReply AgentSession::await(const std::string& id) {
    auto posted = inFlight_.find(id);
    if (posted == inFlight_.end()) {
        sim::WritebackReply reply;
        reply.delivery = sim::WritebackReply::Delivery::Unreachable;
        reply.detail = "internal: request " + shown(id) + " was not posted";
        return reply;
    }
    const Deadline deadline = posted->second;
    if (auto came = arrived_.find(id); came != arrived_.end()) {
        auto reply = replyOf(came->second);
        arrived_.erase(came);
        inFlight_.erase(id);
        answered_.insert(id);
        return reply;
    }
    auto reply = readAnswer(id, deadline);
    inFlight_.erase(id);
    return reply;
}

bool AgentSession::sendLine(const std::string& requestLine, sim::WritebackReply& reply) {
    using Delivery = sim::WritebackReply::Delivery;
    if (dead_) {
        reply.delivery = Delivery::Unreachable;
        reply.detail = "the agent is no longer running";
        return false;
    }
    if (auto sent = process_.write(requestLine + "\n", exchangeDeadline()); !sent) {
        dead_ = true;
        reply.delivery = Delivery::Unreachable;
        auto exit = process_.waitUntil(deadlineIn(std::chrono::milliseconds(500)));
        reply.detail = exit ? "the agent exited before the request (" + exit->describe() + ")"
                            : "cannot send the request: " + sent.error().message;
        return false;
    }
    return true;
}

sim::WritebackReply AgentSession::garbled(std::string detail) {
    sim::WritebackReply reply;
    reply.delivery = sim::WritebackReply::Delivery::Garbled;
    outOfStep_ = true;
    reply.detail = std::move(detail);
    diagnostics_.push_back(reply.detail);
    return reply;
}

sim::WritebackReply AgentSession::readAnswer(const std::string& id, Deadline deadline) {
    std::string line;
    while (true) {
        if (dead_) {
            sim::WritebackReply reply;
            reply.delivery = sim::WritebackReply::Delivery::Unreachable;
            reply.detail = "the agent is no longer running";
            return reply;
        }
        auto status = process_.readLine(line, deadline, protocol::kMaxLineBytes);
        if (auto ended = withoutLine(status, id, deadline)) {
            return *ended;
        }
        auto message = protocol::decode(line);
        if (!message) {
            return garbled("unreadable answer: " + shownMessage(message.error().message));
        }
        if (std::holds_alternative<protocol::Heartbeat>(*message)) {
            continue;
        }
        const auto* answer = std::get_if<protocol::Answer>(&*message);
        if (answer == nullptr) {
            return garbled(std::string("expected an answer, got ") + protocol::kindOf(*message));
        }
        // An overdue request's answer comes first, even when this is a replay of that request
        // (the agent answers in order).
        if (takeIfLate(*answer)) {
            continue;
        }
        if (answer->id == id) {
            answered_.insert(answer->id);
            return replyOf(*answer);
        }
        // Within its window the agent may answer in any order: kept for the request's await().
        if (inFlight_.count(answer->id) != 0 && arrived_.count(answer->id) == 0) {
            arrived_.emplace(answer->id, *answer);
            continue;
        }
        // The agent chose these bytes: shown printable, short, and redacted with the rest.
        return garbled(answered_.count(answer->id) != 0 || arrived_.count(answer->id) != 0
                           ? "a second answer for request " + shown(answer->id)
                           : "answer for unknown request id " + shown(answer->id));
    }
}

void AgentSession::shutdown() {
    if (process_.waitUntil(Clock::now())) {
        process_.stop(std::chrono::milliseconds(0));  // whatever it left behind
        return;
    }
    // An agent that still owes answers is out of step: it gets the shutdown line, but not the
    // time to finish them (one that answers late would cost a second in every scenario).
    const bool owes = !overdue_.empty() || !inFlight_.empty() || outOfStep_;
    const Deadline deadline = deadlineIn(std::chrono::milliseconds(owes ? 50 : 1000));
    if (!dead_ && process_.write(protocol::encode(protocol::Shutdown{}) + "\n", deadline)) {
        process_.closeStdin();
        if (process_.waitUntil(deadline)) {
            process_.stop(std::chrono::milliseconds(100));  // stragglers, in the group or not
            return;
        }
    }
    process_.stop(std::chrono::milliseconds(500));
}

LogPart AgentSession::logSoFar() const {
    return finishedLog_ ? *finishedLog_ : log_->peek();
}

LogPart AgentSession::finishLog() {
    if (!finishedLog_) {
        // The process and everything it started are gone: the pipe ends at once.
        finishedLog_ = log_->finish(deadlineIn(std::chrono::milliseconds(500)));
    }
    return *finishedLog_;
}

Deadline AgentSession::exchangeDeadline() const {
    return std::min(deadlineIn(config_.requestTimeout), config_.scenarioDeadline);
}

std::vector<std::string> AgentSession::drainUnasked(Deadline deadline) {
    std::vector<std::string> unasked;
    if (dead_) {
        return unasked;
    }
    std::string line;
    while (true) {
        const auto status = process_.readLine(line, deadline, protocol::kMaxLineBytes);
        if (status != Process::LineStatus::Line) {
            if (status == Process::LineStatus::TooLong) {
                unasked.push_back("a line over 1 MiB");
            }
            break;
        }
        auto message = protocol::decode(line);
        if (message && std::holds_alternative<protocol::Heartbeat>(*message)) {
            continue;
        }
        unasked.push_back(describeUnasked(message, answered_));
    }
    if (!unasked.empty()) {
        outOfStep_ = true;
    }
    return unasked;
}

}  // namespace wblab::harness
