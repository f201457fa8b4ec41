// Playing one step of a scenario: a visitor with one member per kind of step (no default), and
// the checks each step earns (step expectations, the agent's timeliness, the second copy of a
// duplicated request, the cloud agreeing with the directory).
#include "mapping.hpp"
#include "scenario_run.hpp"
#include "storm.hpp"

#include <wblab/scenario/catalog.hpp>

#include <algorithm>

namespace wblab::harness {

namespace {

using scenario::criteria::kAnswersInTime;
using scenario::criteria::kConvergence;
using scenario::criteria::kReplayRejected;
using Delivery = sim::WritebackReply::Delivery;

bool answered(const sim::OperationResult& op) {
    return op.writebackAttempted && op.reply.delivery == Delivery::Answered;
}

/// Why an expectation about the agent's answer could not be checked.
std::string noAnswer(const sim::OperationResult& op) {
    return op.writebackAttempted
               ? "could not be made: no answer from the agent (" + op.reply.detail + ")"
               : "could not be made: no request reached the agent";
}

/// What the directory looked like before a cloud operation, to judge the cloud's outcome by.
struct Snapshot {
    std::string dn;  ///< empty: no on-premises account to compare
    std::string stamp;
    bool observed = false;
};

class StepRunner {
public:
    StepRunner(ScenarioRun& run, std::size_t index, const scenario::Step& step)
        : run_(run),
          index_(index),
          step_(step),
          label_("step " + std::to_string(index + 1)),
          prefix_(label_ + ": ") {}

    void operator()(const scenario::SsprReset& a);

    void operator()(const scenario::SsprChange& a) {
        operation("sspr_change", a.user, a.newPassword, [&](sim::WritebackChannel& ch) {
            return cloud().selfServiceChange(a.user, a.oldPassword, a.newPassword, ch);
        });
    }

    void operator()(const scenario::ForcedChange& a) {
        operation("forced_change", a.user, a.newPassword, [&](sim::WritebackChannel& ch) {
            return cloud().forcedChange(a.user, a.oldPassword, a.newPassword, ch);
        });
    }

    void operator()(const scenario::AdminReset& a) {
        operation("admin_reset" + std::string(a.mustChange ? " (must change)" : "") +
                      (a.by.empty() ? "" : " by " + a.by),
                  a.user,
                  a.newPassword,
                  [&](sim::WritebackChannel& ch) {
                      return a.by.empty()
                                 ? cloud().adminReset(a.user, a.newPassword, a.mustChange, ch)
                                 : cloud().adminResetBy(
                                       a.by, a.user, a.newPassword, a.mustChange, ch);
                  });
    }

    void operator()(const scenario::Unlock& a) {
        operation("unlock", a.user, std::string(), [&](sim::WritebackChannel& ch) {
            return cloud().unlockOnly(a.user, ch);
        });
    }

    void operator()(const scenario::GraphReset& a) {
        operation(
            "graph_reset by " + a.caller, a.user, a.newPassword, [&](sim::WritebackChannel& ch) {
                return graphReset(a, ch);
            });
    }

    void operator()(const scenario::SignIn& a) {
        operation("sign_in", a.user, a.newPassword, [&](sim::WritebackChannel& ch) {
            return signIn(a, ch);
        });
    }

    void operator()(const scenario::Replay& a);
    void operator()(const scenario::Release& a);
    void operator()(const scenario::Advance& a);
    void operator()(const scenario::Fault& a);
    void operator()(const scenario::NewSession& a);
    void operator()(const scenario::UnsupportedReset& a);
    void operator()(const scenario::Sync& a);
    void operator()(const scenario::OnPremChange& a);
    void operator()(const scenario::OnPremDisable& a);
    void operator()(const scenario::OnPremDelete& a);
    void operator()(const scenario::RiskDetection& a);
    void operator()(const scenario::LeakedCredentials& a);
    void operator()(const scenario::DismissRisk& a);
    void operator()(const scenario::ConfirmCompromised& a);
    void operator()(const scenario::Register& a);
    void operator()(const scenario::TenantChange& a);

private:
    sim::Cloud& cloud() { return run_.cloud(); }

    template <typename Perform>
    void operation(const std::string& what,
                   const std::string& user,
                   const std::string& newPassword,
                   Perform perform);
    sim::OperationResult graphReset(const scenario::GraphReset& a, sim::WritebackChannel& ch);
    sim::OperationResult signIn(const scenario::SignIn& a, sim::WritebackChannel& ch);
    void prepareRelay();
    void describeReply(const sim::OperationResult& op);
    void checkExpectations(const sim::OperationResult& op);
    void checkAgentAnswer(const sim::OperationResult& op);
    void checkInTime(const sim::OperationResult& op);
    void checkDuplicate();
    Snapshot snapshot(const std::string& user);
    void checkConvergence(const Snapshot& before,
                          const sim::OperationResult& op,
                          const std::string& newPassword);
    void checkRisk();
    void agentOnlyStep(const std::string& what, sim::OperationResult op);
    /// Moves the lab clock (cloud and directory) and runs the sync cycles that fall due; false
    /// (and the steps stop) when the directory's clock would not move.
    bool advanceLab(std::int64_t seconds, const std::string& why);

    ScenarioRun& run_;
    std::size_t index_;
    const scenario::Step& step_;
    std::string label_;
    std::string prefix_;
};

template <typename Perform>
void StepRunner::operation(const std::string& what,
                           const std::string& user,
                           const std::string& newPassword,
                           Perform perform) {
    prepareRelay();
    const Snapshot before = snapshot(user);
    sim::OperationResult op = perform(run_.channel());
    run_.observed().operation = op;
    // In a storm with several requests in flight, steps finish in their order.
    parkStormFlight();
    run_.timeline("cloud: " + label_ + " " + what + " " + user + ", correlation " +
                  op.correlationId);
    run_.sent().push_back(
        {op.writebackAttempted ? run_.relay().lastRequestLine() : std::string(), op.correlationId});
    describeReply(op);
    run_.channel().whileInFlight = nullptr;
    const bool signInWithoutChange =
        std::holds_alternative<scenario::SignIn>(step_.action) && !op.writebackAttempted;
    if (!signInWithoutChange) {
        run_.timeline(std::string("cloud: user sees ") + sim::toString(op.outcome));
        checkConvergence(before, op, newPassword);
    }
    checkExpectations(op);
    checkDuplicate();
    checkRisk();
}

void StepRunner::prepareRelay() {
    run_.relay().prepare(step_.relay, static_cast<int>(index_ + 1));
    switch (step_.relay.mode) {
        case scenario::RelayMode::Drop:
            run_.timeline("relay: " + label_ + " drops the request");
            break;
        case scenario::RelayMode::Duplicate:
            run_.timeline("relay: " + label_ + " delivers the request twice");
            break;
        case scenario::RelayMode::Hold:
            run_.timeline("relay: " + label_ + " holds the request until released");
            break;
        case scenario::RelayMode::Deliver:
            break;
    }
    if (step_.relay.delaySeconds > 0) {
        run_.timeline("relay: " + label_ + " holds the request for " +
                      std::to_string(step_.relay.delaySeconds) + " s");
    }
    if (!step_.during) {
        return;
    }
    const auto user = std::visit(
        [](const auto& a) -> std::string {
            if constexpr (requires { a.user; }) {
                return a.user;
            } else {
                return std::string();
            }
        },
        step_.action);
    const auto during = *step_.during;
    run_.channel().whileInFlight = [this, user, during] {
        if (during.kind == scenario::During::Kind::ConfirmCompromised) {
            cloud().confirmUserCompromised(user);
            run_.timeline("cloud: while the request is in flight, an admin confirms " + user +
                          " compromised");
        } else {
            cloud().raiseDetection(user, during.detection.type, during.detection.level);
            run_.timeline(std::string("cloud: while the request is in flight, ") +
                          sim::toString(during.detection.type) + " is detected for " + user);
        }
    };
}

sim::OperationResult StepRunner::graphReset(const scenario::GraphReset& a,
                                            sim::WritebackChannel& ch) {
    auto response = cloud().graphResetPassword(a.caller, a.user, a.newPassword);
    run_.observed().graph = response;
    run_.timeline("cloud: " + label_ + " Graph resetPassword by " + a.caller + " -> HTTP " +
                  std::to_string(response.httpStatus) +
                  (response.error.empty() ? "" : " " + response.error));
    const auto& e = step_.expect;
    if (e.httpStatus) {
        run_.check(e.httpStatus->criterion,
                   prefix_ + "HTTP status",
                   std::to_string(e.httpStatus->value),
                   std::to_string(response.httpStatus),
                   response.httpStatus == e.httpStatus->value);
    }
    sim::OperationResult op;
    op.correlationId = response.operationId;
    op.outcome = sim::Outcome::Refused;
    std::string status = "no operation (HTTP " + std::to_string(response.httpStatus) + ")";
    if (response.httpStatus == 202) {
        // Poll the Location until the operation is terminal, as a client would.
        auto state = sim::OperationStatus::NotStarted;
        for (int poll = 0; poll < 5; ++poll) {
            state = cloud().pollOperation(response.operationId, ch);
            run_.timeline("cloud: GET " + response.location + " -> " + sim::toString(state));
            if (state == sim::OperationStatus::Succeeded || state == sim::OperationStatus::Failed) {
                break;
            }
        }
        if (const auto* done = cloud().operationResult(response.operationId)) {
            op = *done;
        }
        status = sim::toString(state);
        run_.observed().graphStatus = state;
    }
    if (e.operation) {
        run_.check(e.operation->criterion,
                   prefix_ + "operation status",
                   sim::toString(e.operation->value),
                   status,
                   status == sim::toString(e.operation->value));
    }
    return op;
}

sim::OperationResult StepRunner::signIn(const scenario::SignIn& a, sim::WritebackChannel& ch) {
    std::optional<sim::Detection> detection;
    if (a.detection) {
        detection = sim::Detection{a.detection->type, a.detection->level};
    }
    auto result = cloud().signIn(a.user, a.password, a.newPassword, detection, ch);
    run_.timeline("cloud: " + label_ + " sign-in of " + a.user + " ends " +
                  sim::toString(result.outcome) + (result.mfaPerformed ? " (after MFA)" : "") +
                  (result.reportOnlyMatched ? " (a report-only policy would have applied)" : ""));
    if (const auto& e = step_.expect.signIn) {
        run_.check(e->criterion,
                   prefix_ + "sign-in",
                   sim::toString(e->value),
                   sim::toString(result.outcome),
                   e->value == result.outcome);
    }
    sim::OperationResult op;
    op.correlationId = result.correlationId;
    op.writebackAttempted = result.writebackAttempted;
    op.reply = result.reply;
    op.outcome = result.changeOutcome.value_or(sim::Outcome::Success);
    return op;
}

void StepRunner::describeReply(const sim::OperationResult& op) {
    if (!op.writebackAttempted) {
        return;
    }
    const auto& r = op.reply;
    if (r.delivery == Delivery::Answered) {
        run_.timeline(std::string("agent: ") + (r.success ? "success" : "failure") + " events " +
                      listOf(r.events) + (r.reason ? " reason " + std::to_string(r.reason) : ""));
    } else {
        run_.timeline("agent: " + r.detail);
    }
    checkInTime(op);
}

/// Every request the agent receives must be answered within its deadline, in the protocol's
/// form. A request the lab kept from the agent (a fault) earns no check.
void StepRunner::checkInTime(const sim::OperationResult& op) {
    if (run_.relay().lastFailureInjected()) {
        return;
    }
    const bool inTime = op.reply.delivery == Delivery::Answered;
    run_.check(kAnswersInTime,
               prefix_ + "the agent answers within its deadline",
               "an answer within " + std::to_string(run_.options().stepTimeout.count()) + " ms",
               inTime ? "answered" : op.reply.detail,
               inTime);
    if (op.reply.delivery == Delivery::TimedOut) {
        run_.agentTimedOut();
        run_.awaitLateAnswer(op.correlationId, label_);
    }
}

void StepRunner::checkExpectations(const sim::OperationResult& op) {
    const auto& e = step_.expect;
    if (e.outcome) {
        run_.check(e.outcome->criterion,
                   prefix_ + "outcome",
                   sim::toString(e.outcome->value),
                   sim::toString(op.outcome),
                   e.outcome->value == op.outcome);
    }
    if (e.requestSent) {
        auto said = [](bool sent) { return sent ? "a request sent" : "no request sent"; };
        run_.check(e.requestSent->criterion,
                   prefix_ + "writeback request",
                   said(e.requestSent->value),
                   said(op.writebackAttempted),
                   e.requestSent->value == op.writebackAttempted);
    }
    checkAgentAnswer(op);
    if (!e.audit) {
        return;
    }
    const auto& want = e.audit->value;
    const sim::AuditEntry* found = nullptr;
    for (const auto& entry : cloud().auditLog()) {
        if (entry.correlationId == op.correlationId && entry.activity == want.activity) {
            found = &entry;
        }
    }
    const std::string expected =
        "'" + want.activity + "'" +
        (want.success ? std::string(" with result ") + (*want.success ? "success" : "failure")
                      : std::string());
    if (found == nullptr) {
        run_.check(e.audit->criterion, prefix_ + "audit", expected, "no such audit entry", false);
        return;
    }
    const bool ok = !want.success || (*want.success ? "success" : "failure") == found->result;
    run_.check(e.audit->criterion,
               prefix_ + "audit",
               expected,
               "'" + found->activity + "' with result " + found->result +
                   (found->reason.empty() ? "" : " (" + found->reason + ")"),
               ok);
}

/// The agent's own words: the events it logged and its reason. A step that sent no request
/// has an agent that logged nothing: `events: []` holds for it, any expected id does not.
void StepRunner::checkAgentAnswer(const sim::OperationResult& op) {
    const auto& e = step_.expect;
    // A request that reached the agent and got no answer leaves nothing to compare.
    const bool made = answered(op) || !op.writebackAttempted;
    static const std::vector<int> kNone;
    const std::vector<int>* logged =
        answered(op) ? &op.reply.events : (op.writebackAttempted ? nullptr : &kNone);
    const std::string observed = answered(op) ? listOf(op.reply.events)
                                 : logged     ? "[] (no request reached the agent)"
                                              : noAnswer(op);
    auto has = [&](int id) {
        return std::find(logged->begin(), logged->end(), id) != logged->end();
    };
    if (e.events) {
        run_.check(e.events->criterion,
                   prefix_ + "agent events",
                   listOf(e.events->value),
                   observed,
                   logged != nullptr && *logged == e.events->value,
                   made);
    }
    if (e.eventsInclude) {
        const auto& want = e.eventsInclude->value;
        run_.check(e.eventsInclude->criterion,
                   prefix_ + "agent events include",
                   "each of " + listOf(want),
                   observed,
                   logged != nullptr && std::all_of(want.begin(), want.end(), has),
                   made);
    }
    if (e.eventsExclude) {
        const auto& unwanted = e.eventsExclude->value;
        run_.check(e.eventsExclude->criterion,
                   prefix_ + "agent events exclude",
                   "none of " + listOf(unwanted),
                   observed,
                   logged != nullptr && std::none_of(unwanted.begin(), unwanted.end(), has),
                   made);
    }
    if (e.reason) {
        run_.check(e.reason->criterion,
                   prefix_ + "reason",
                   std::to_string(e.reason->value),
                   answered(op) ? std::to_string(op.reply.reason) : noAnswer(op),
                   answered(op) && op.reply.reason == e.reason->value,
                   made);
    }
}

/// A request delivered twice must be applied once: the second copy is a replay (32003).
void StepRunner::checkDuplicate() {
    const auto& second = run_.relay().duplicateReply();
    if (!second) {
        return;
    }
    const bool ok = second->delivery == Delivery::Answered;
    const std::string observed =
        !ok ? second->detail
            : std::string(second->success ? "success" : "failure") +
                  (second->reason != 0 ? " reason " + std::to_string(second->reason) : "");
    run_.timeline("agent: second copy: " + observed);
    run_.check(kReplayRejected,
               prefix_ + "second copy not applied",
               "failure reason 32003",
               observed,
               ok && !second->success && second->reason == 32003);
}

Snapshot StepRunner::snapshot(const std::string& user) {
    Snapshot s;
    s.dn = run_.dnOfCloudUser(user);
    if (s.dn.empty() || run_.relay().directoryDown()) {
        s.dn.clear();
        return s;
    }
    auto stamp = run_.probe().passwordStamp(s.dn);
    s.observed = static_cast<bool>(stamp);
    s.stamp = stamp ? *stamp : std::string();
    return s;
}

/// The cloud's outcome must match the directory: a success left the new password there (or,
/// for an unlock, an unlocked account); anything else changed no password.
void StepRunner::checkConvergence(const Snapshot& before,
                                  const sim::OperationResult& op,
                                  const std::string& newPassword) {
    if (before.dn.empty() || run_.relay().directoryDown()) {
        return;  // a cloud-only user, or nothing to observe while the directory is down
    }
    const bool success = op.outcome == sim::Outcome::Success ||
                         op.outcome == sim::Outcome::OnPremisesSuccessCloudFailure;
    const std::string what = prefix_ + "the directory agrees with the outcome";
    if (std::holds_alternative<scenario::Unlock>(step_.action) && success) {
        auto locked = run_.probe().isLocked(before.dn);
        run_.check(kConvergence,
                   what,
                   "unlocked",
                   locked ? (*locked ? "still locked" : "unlocked")
                          : "could not observe: " + locked.error().message,
                   locked && !*locked);
        return;
    }
    if (std::holds_alternative<scenario::Unlock>(step_.action)) {
        return;
    }
    auto after = run_.probe().passwordStamp(before.dn);
    if (!before.observed || !after) {
        run_.check(kConvergence,
                   what,
                   success ? "the new password set" : "no password changed",
                   "could not observe the directory",
                   false);
        return;
    }
    const bool changed = *after != before.stamp;
    if (!success) {
        run_.check(kConvergence,
                   what,
                   "no password changed (" + std::string(sim::toString(op.outcome)) + ")",
                   changed ? "the password was changed" : "no password changed",
                   !changed);
        return;
    }
    const auto current = newPassword.empty() ? Expected<bool>(changed)
                                             : run_.probe().passwordIs(before.dn, newPassword);
    const bool set = changed && current && *current;
    run_.check(
        kConvergence,
        what,
        "the new password set (" + std::string(sim::toString(op.outcome)) + ")",
        set ? "the new password set" : (changed ? "another password set" : "no password changed"),
        set);
}

void StepRunner::checkRisk() {
    if (step_.expect.risk) {
        checkRiskExpectation(run_, prefix_, *step_.expect.risk);
    }
}

/// Steps that talk to the agent without the cloud listening: replays and releases.
void StepRunner::agentOnlyStep(const std::string& what, sim::OperationResult op) {
    run_.timeline("relay: " + label_ + " " + what);
    describeReply(op);
    checkAgentAnswer(op);
}

void StepRunner::operator()(const scenario::Replay& a) {
    const auto original = run_.sent()[static_cast<std::size_t>(a.step - 1)];
    sim::OperationResult op;
    op.correlationId = original.id;
    op.writebackAttempted = !original.line.empty();
    if (op.writebackAttempted) {
        op.reply = run_.relay().replay(original.line, original.id);
    }
    agentOnlyStep("sends the request of step " + std::to_string(a.step) + " again", op);
}

void StepRunner::operator()(const scenario::Release& a) {
    sim::OperationResult op;
    op.correlationId = run_.sent()[static_cast<std::size_t>(a.step - 1)].id;
    op.writebackAttempted = true;
    op.reply = run_.relay().release(a.step);
    agentOnlyStep("delivers the request held at step " + std::to_string(a.step), op);
}

bool StepRunner::advanceLab(std::int64_t seconds, const std::string& why) {
    run_.clock().advance(seconds);
    run_.relay().clockAdvanced(seconds);
    if (auto advanced = run_.directory().advanceClock(seconds); !advanced) {
        run_.labProblem(label_ +
                        ": the directory's clock did not move: " + advanced.error().message);
        run_.stopSteps();
        return false;
    }
    run_.timeline("lab: " + label_ + " " + why + "clock advanced by " + std::to_string(seconds) +
                  " s");
    auto cycles = cloud().runDueCycles(run_.directorySource());
    if (cycles.hashCycles + cycles.objectCycles > 0) {
        run_.timeline("sync: " + std::to_string(cycles.hashCycles) + " hash cycle(s), " +
                      std::to_string(cycles.objectCycles) + " object cycle(s), " +
                      std::to_string(cycles.passwordsSynced) + " password(s) synced");
    }
    return true;
}

void StepRunner::operator()(const scenario::SsprReset& a) {
    std::optional<sim::SsprSession> session;
    if (a.timing) {
        // The session starts now; the user takes their time, and the lab's clock with them.
        session = sim::SsprSession{run_.clock().now(), a.timing->codeEnteredAfterSeconds};
        const std::string code = a.timing->codeEnteredAfterSeconds >= 0
                                     ? "enters the one-time code after " +
                                           std::to_string(a.timing->codeEnteredAfterSeconds) +
                                           " s, "
                                     : std::string();
        if (!advanceLab(a.timing->submittedAfterSeconds,
                        "in the SSPR portal " + a.user + " " + code + "submits: ")) {
            return;
        }
    }
    operation("sspr_reset" + std::string(a.unlock ? " (with unlock)" : ""),
              a.user,
              a.newPassword,
              [&](sim::WritebackChannel& ch) {
                  return cloud().selfServiceReset(a.user, a.newPassword, a.unlock, ch, session);
              });
}

void StepRunner::operator()(const scenario::Advance& a) {
    if (advanceLab(a.seconds, "")) {
        checkRisk();
    }
}

void StepRunner::operator()(const scenario::Fault& a) {
    auto done = run_.relay().apply(a.kind);
    if (done) {
        run_.timeline("lab: " + label_ + " " + toString(a.kind) + ": " + *done);
        return;
    }
    run_.stopSteps();
    if (a.kind == scenario::FaultKind::AgentUp) {
        // The agent was started again and did not complete its handshake: its doing.
        run_.check(kAnswersInTime,
                   prefix_ + "the restarted agent completes the handshake",
                   "a ready message",
                   done.error().message,
                   false);
        return;
    }
    run_.labProblem(label_ + " " + toString(a.kind) + " failed: " + done.error().message);
}

/// A new hello to the running agent, as between two scenarios: whatever it remembers of the
/// session before must not decide the requests after (wb-clean-session, through the steps'
/// own expectations).
void StepRunner::operator()(const scenario::NewSession& a) {
    auto done = run_.relay().newSession();
    if (!done) {
        run_.stopSteps();
        run_.check(kAnswersInTime,
                   prefix_ + "the agent takes a new session",
                   "every earlier request answered, then a ready message",
                   done.error().message,
                   false);
        return;
    }
    if (a.restartRequestIds) {
        cloud().restartIds();
    }
    run_.timeline(
        "lab: " + label_ + " new session: " + *done +
        (a.restartRequestIds ? "; the cloud numbers its requests from the start again" : ""));
}

void StepRunner::operator()(const scenario::UnsupportedReset& a) {
    auto op = cloud().unsupportedReset(a.path, a.user, a.newPassword);
    run_.observed().operation = op;
    run_.timeline("cloud: " + label_ + " reset of " + a.user + " through " + sim::toString(a.path) +
                  ": " + sim::toString(op.outcome) + " (no writeback request)");
    checkExpectations(op);
    checkRisk();
}

void StepRunner::operator()(const scenario::Sync& a) {
    auto& source = run_.directorySource();
    const sim::SyncReport report =
        a.kind == scenario::SyncKind::Objects  ? cloud().syncObjects(source)
        : a.kind == scenario::SyncKind::Hashes ? cloud().syncPasswordHashes(source)
                                               : cloud().syncAll(source);
    run_.timeline("sync: " + label_ + " " + toString(a.kind) +
                  " cycle: " + std::to_string(report.usersAdded) + " added, " +
                  std::to_string(report.usersDisabled) + " disabled, " +
                  std::to_string(report.usersDeleted) + " deleted, " +
                  std::to_string(report.passwordsSynced) + " password(s) synced");
    if (!source.error.empty()) {
        run_.labProblem(label_ + ": the sync engine could not read the directory: " + source.error);
        source.error.clear();
    }
    checkRisk();
}

void StepRunner::operator()(const scenario::OnPremChange& a) {
    auto rc = run_.probe().changeOwnPassword(
        run_.directory().userDn(a.sam), a.oldPassword, a.newPassword);
    const std::string observed =
        rc ? (*rc == 0 ? "accepted" : "refused with LDAP result " + std::to_string(*rc))
           : "could not run: " + rc.error().message;
    run_.timeline("directory: " + label_ + " " + a.sam +
                  " changes the password on-premises: " + observed);
    if (!rc || *rc != 0) {
        run_.labProblem(label_ + ": the user's own change on-premises was not accepted (" +
                        observed + ")");
    }
    checkRisk();
}

void StepRunner::operator()(const scenario::OnPremDisable& a) {
    auto done = run_.probe().setDisabled(run_.directory().userDn(a.sam), true);
    run_.timeline("directory: " + label_ + " an admin disables " + a.sam);
    if (!done) {
        run_.labProblem(label_ + ": could not disable " + a.sam + ": " + done.error().message);
    }
    checkRisk();
}

void StepRunner::operator()(const scenario::OnPremDelete& a) {
    auto done = run_.probe().deleteUser(run_.directory().userDn(a.sam));
    run_.timeline("directory: " + label_ + " an admin deletes " + a.sam);
    if (!done) {
        run_.labProblem(label_ + ": could not delete " + a.sam + ": " + done.error().message);
    }
    checkRisk();
}

void StepRunner::operator()(const scenario::RiskDetection& a) {
    cloud().raiseDetection(a.user, a.detection.type, a.detection.level);
    run_.timeline("risk: " + label_ + " " + sim::toString(a.detection.type) + " (" +
                  sim::toString(a.detection.level) + ") for " + a.user);
    checkRisk();
}

void StepRunner::operator()(const scenario::LeakedCredentials& a) {
    const int matches = cloud().detectLeakedCredentials(a.passwords);
    run_.timeline("risk: " + label_ + " leaked credentials matched " + std::to_string(matches) +
                  " user(s)");
    if (const auto& e = step_.expect.leakedMatches) {
        run_.check(e->criterion,
                   prefix_ + "leaked-credential matches",
                   std::to_string(e->value),
                   std::to_string(matches),
                   matches == e->value);
    }
    checkRisk();
}

void StepRunner::operator()(const scenario::DismissRisk& a) {
    // "Administrators can't dismiss risk for users who were deleted from the directory."
    const bool dismissed = cloud().dismissUserRisk(a.user);
    run_.observed().dismissed = dismissed;
    run_.timeline("risk: " + label_ + " an admin dismisses " + a.user + "'s risk" +
                  (dismissed ? std::string() : ": refused (the user is not in the directory)"));
    if (const auto& e = step_.expect.dismissed) {
        auto said = [](bool done) { return done ? "dismissed" : "refused"; };
        run_.check(e->criterion,
                   prefix_ + "risk dismissal",
                   said(e->value),
                   said(dismissed),
                   e->value == dismissed);
    }
    checkRisk();
}

void StepRunner::operator()(const scenario::ConfirmCompromised& a) {
    cloud().confirmUserCompromised(a.user);
    run_.timeline("risk: " + label_ + " an admin confirms " + a.user + " compromised");
    checkRisk();
}

void StepRunner::operator()(const scenario::TenantChange& a) {
    cloud().updateSettings(tenantSettingsOf(a.tenant));
    std::string changed;
    for (const auto& c : a.changed) {
        changed += (changed.empty() ? "" : ", ") + c;
    }
    run_.timeline("cloud: " + label_ + " an admin changes the tenant: " + changed);
}

void StepRunner::operator()(const scenario::Register& a) {
    cloud().registerMethods(a.user, a.methods);
    run_.timeline("cloud: " + label_ + " " + a.user + " registers " +
                  std::to_string(a.methods.size()) + " method(s)");
    checkRisk();
}

}  // namespace

void runStep(ScenarioRun& run, std::size_t index, const scenario::Step& step) {
    // Replays find a step's request by its number: every step leaves an entry, empty or not.
    const std::size_t sentBefore = run.sent().size();
    std::visit(StepRunner(run, index, step), step.action);
    if (run.sent().size() == sentBefore) {
        run.sent().emplace_back();
    }
    // Answers that came late during this step (the agent answered an earlier request while
    // this step waited) go to their own requests.
    run.collectLateAnswers();
}

}  // namespace wblab::harness
