#include "agent_session.hpp"
#include "fault_steps.hpp"

#include <wblab/fixture/directory.hpp>
#include <wblab/harness/progress.hpp>
#include <wblab/harness/runner.hpp>
#include <wblab/protocol/crypto.hpp>
#include <wblab/sim/cloud.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/seed.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

namespace wblab::harness {

namespace {

using report::CaseResult;
using report::CheckOutcome;
using report::Verdict;

constexpr const char* kToolVersion = "0.1.0";

std::string listOf(const std::vector<int>& values) {
    std::ostringstream out;
    out << "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        out << (i ? ", " : "") << values[i];
    }
    out << "]";
    return out.str();
}

std::string yesNo(bool b) {
    return b ? "yes" : "no";
}

fixture::DomainPolicy policyFrom(const PolicySpec& p) {
    fixture::DomainPolicy policy;
    policy.minPwdLength = p.minLength;
    policy.pwdHistoryLength = p.history;
    policy.minPwdAgeSeconds = p.minAgeSeconds;
    policy.maxPwdAgeSeconds = p.maxAgeSeconds;
    policy.complexity = p.complexity;
    policy.lockoutThreshold = p.lockoutThreshold;
    policy.lockoutDurationSeconds = p.lockoutDurationSeconds;
    policy.lockoutObservationWindowSeconds = p.lockoutWindowSeconds;
    return policy;
}

fixture::DirectorySeed seedFrom(const Scenario& s) {
    fixture::DirectorySeed seed;
    seed.baseDn = s.onprem.baseDn;
    seed.policy = policyFrom(s.onprem.policy);
    for (const auto& pso : s.onprem.fineGrainedPolicies) {
        seed.fineGrainedPolicies.push_back({pso.name, policyFrom(pso.policy), pso.users});
    }
    const auto& c = s.onprem.connector;
    seed.connector = {c.resetPassword, c.writeLockoutTime, c.writePwdLastSet, c.unexpirePassword};
    for (const auto& u : s.onprem.users) {
        fixture::DirectoryUser user;
        user.samAccountName = u.sam;
        user.upn = u.upn;
        user.displayName = u.displayName;
        user.anchor = u.anchor;
        user.password = u.password;
        user.locked = u.locked;
        user.mustChange = u.mustChange;
        user.disabled = u.disabled;
        user.passwordNeverExpires = u.passwordNeverExpires;
        user.protectedAccount = u.protectedAccount;
        user.cannotChangePassword = u.cannotChangePassword;
        user.passwordAgeSeconds = u.passwordAgeSeconds;
        seed.users.push_back(std::move(user));
    }
    return seed;
}

/// Method names the loader has already checked, as the cloud model's methods.
std::vector<sim::Method> methodsFrom(const std::vector<std::string>& names) {
    std::vector<sim::Method> methods;
    for (const auto& name : names) {
        methods.push_back(*sim::methodFromString(name));
    }
    return methods;
}

sim::TenantSettings tenantFrom(const TenantSpec& t) {
    sim::TenantSettings settings;
    settings.sspr = t.sspr == "none"       ? sim::SsprScope::None
                    : t.sspr == "selected" ? sim::SsprScope::Selected
                                           : sim::SsprScope::All;
    settings.writebackEnabled = t.writeback;
    settings.unlockWithoutReset = t.unlockWithoutReset;
    settings.ssprGroup = t.ssprGroup;
    settings.groupMembers = t.groups;
    settings.methodsRequired = t.methodsRequired;
    settings.methodsAllowed = methodsFrom(t.methods);
    settings.bannedPasswords = t.bannedPasswords;
    settings.ssprPolicyDefined = t.ssprPolicyDefined;
    settings.registrationRequired = t.registrationRequired;
    settings.federatedAdminResetWritesBack = t.federatedAdminResetWritesBack;
    settings.passwordHashSync = t.passwordHashSync;
    settings.enforceCloudPasswordPolicyForSyncedUsers = t.enforceCloudPasswordPolicy;
    auto policyOf = [](const RiskPolicySpec& spec) {
        sim::RiskPolicy policy;
        policy.enabled = spec.enabled;
        policy.reportOnly = spec.reportOnly;
        policy.threshold = *sim::riskLevelFromString(spec.threshold);
        policy.grant = spec.grant == "block" ? sim::RiskGrant::Block
                       : spec.grant == "mfa" ? sim::RiskGrant::Mfa
                                             : sim::RiskGrant::PasswordChange;
        policy.includeGroups = spec.includeGroups;
        policy.excludeGroups = spec.excludeGroups;
        return policy;
    };
    const auto& ip = t.identityProtection;
    settings.identityProtection.userRisk = policyOf(ip.userRiskPolicy);
    settings.identityProtection.signInRisk = policyOf(ip.signInRiskPolicy);
    settings.identityProtection.onPremisesChangeResetsRisk = ip.onPremisesChangeResetsRisk;
    settings.identityProtection.p2 = ip.p2;
    return settings;
}

sim::CloudUser cloudUserFrom(const CloudSideSpec& spec) {
    sim::CloudUser user;
    user.groups = spec.groups;
    user.methods = methodsFrom(spec.methods);
    user.adminRoles = spec.adminRoles;
    user.licensed = spec.licensed;
    return user;
}

/// The directory as the cloud's sync engine reads it: the fixture's users over LDAP.
class FixtureDirectorySource : public sim::DirectorySource {
public:
    explicit FixtureDirectorySource(const fixture::DirectoryProbe& probe) : probe_(probe) {}

    std::vector<sim::DirectoryObject> readUsers() override {
        std::vector<sim::DirectoryObject> out;
        auto users = probe_.listUsers();
        if (!users) {
            error = users.error().message;
            return out;
        }
        for (auto& u : *users) {
            out.push_back({u.anchor, u.upn, u.samAccountName, !u.disabled, u.passwordHash});
        }
        return out;
    }

    std::string error;  ///< the last read's failure, if any

private:
    const fixture::DirectoryProbe& probe_;
};

/// Passes requests through to the agent, and lets another event land while one is in flight
/// (a scenario's `during:`).
class RacingChannel : public sim::WritebackChannel {
public:
    explicit RacingChannel(sim::WritebackChannel& inner) : inner_(inner) {}

    sim::WritebackReply deliver(const sim::WritebackRequest& request) override {
        if (whileInFlight) {
            auto event = std::move(whileInFlight);
            whileInFlight = nullptr;
            event();
        }
        return inner_.deliver(request);
    }

    bool serviceUp() const override { return inner_.serviceUp(); }

    std::function<void()> whileInFlight;

private:
    sim::WritebackChannel& inner_;
};

/// Position of a password among the scenario's passwords, so reports can name it without
/// printing it.
std::string credentialLabel(const Scenario& s, const std::string& sam, const std::string& pw) {
    for (const auto& u : s.onprem.users) {
        if (u.sam == sam && u.password == pw) {
            return "the seeded password";
        }
    }
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        if (s.steps[i].newPassword == pw) {
            return "the new password of step " + std::to_string(i + 1);
        }
    }
    return "a password";
}

void add(
    CaseResult& result, std::string name, bool passed, std::string expected, std::string observed) {
    result.checks.push_back(
        CheckOutcome{std::move(name), passed, std::move(expected), std::move(observed)});
}

void checkStep(CaseResult& result,
               std::size_t index,
               const Step& step,
               const sim::OperationResult& op,
               const sim::Cloud& cloud,
               bool faultInjected = false) {
    const std::string prefix = "step " + std::to_string(index + 1) + ": ";
    const auto& e = step.expect;
    if (op.writebackAttempted && op.reply.delivery != sim::WritebackReply::Delivery::Answered &&
        !faultInjected) {
        // A misbehaving agent is a verdict: name what it did.
        add(result,
            prefix + "agent answered per protocol",
            false,
            "an answer within the deadline",
            op.reply.detail);
    }
    if (e.outcome) {
        std::string observed = sim::toString(op.outcome);
        add(result, prefix + "outcome", observed == *e.outcome, *e.outcome, observed);
    }
    if (e.events) {
        bool observedAny =
            op.writebackAttempted && op.reply.delivery == sim::WritebackReply::Delivery::Answered;
        std::string observed = observedAny ? listOf(op.reply.events) : "no answer from the agent";
        add(result,
            prefix + "agent events",
            observedAny && op.reply.events == *e.events,
            listOf(*e.events),
            observed);
    }
    if (e.reason) {
        bool answered =
            op.writebackAttempted && op.reply.delivery == sim::WritebackReply::Delivery::Answered;
        add(result,
            prefix + "reason",
            answered && op.reply.reason == *e.reason,
            std::to_string(*e.reason),
            answered ? std::to_string(op.reply.reason) : "no answer from the agent");
    }
    if (e.audit) {
        const sim::AuditEntry* found = nullptr;
        for (const auto& entry : cloud.auditLog()) {
            if (entry.correlationId == op.correlationId && entry.activity == e.audit->activity) {
                found = &entry;
            }
        }
        std::string expected = "'" + e.audit->activity + "'" +
                               (e.audit->result ? " with result " + *e.audit->result : "");
        if (found == nullptr) {
            add(result, prefix + "audit", false, expected, "no such audit entry");
        } else {
            bool ok = !e.audit->result || *e.audit->result == found->result;
            add(result,
                prefix + "audit",
                ok,
                expected,
                "'" + found->activity + "' with result " + found->result +
                    (found->reason.empty() ? "" : " (" + found->reason + ")"));
        }
    }
}

void checkDirectory(CaseResult& result,
                    const Scenario& s,
                    const fixture::SlapdFixture& fx,
                    const fixture::DirectoryProbe& probe) {
    for (const auto& d : s.expectDirectory) {
        const std::string dn = fx.userDn(d.user);
        auto record = [&](const std::string& what, const Expected<bool>& observed, bool want) {
            const std::string name = d.user + ": " + what;
            const std::string seen =
                observed ? yesNo(*observed) : "could not observe: " + observed.error().message;
            add(result, name, observed && *observed == want, yesNo(want), seen);
            result.timeline.push_back("directory: " + name + ": " + seen);
        };
        for (const auto& pw : d.binds) {
            record(credentialLabel(s, d.user, pw) + " binds", probe.passwordWorks(dn, pw), true);
        }
        for (const auto& pw : d.rejects) {
            record(credentialLabel(s, d.user, pw) + " binds", probe.passwordWorks(dn, pw), false);
        }
        if (d.locked) {
            record("locked", probe.isLocked(dn), *d.locked);
        }
        if (d.mustChange) {
            record("must change password", probe.mustChangePassword(dn), *d.mustChange);
        }
    }
}

void describeReply(CaseResult& result, const sim::OperationResult& op, bool& timedOut) {
    if (!op.writebackAttempted) {
        return;
    }
    const auto& r = op.reply;
    if (r.delivery == sim::WritebackReply::Delivery::Answered) {
        result.timeline.push_back(std::string("agent: ") + (r.success ? "success" : "failure") +
                                  " events " + listOf(r.events) +
                                  (r.reason ? " reason " + std::to_string(r.reason) : ""));
    } else {
        result.timeline.push_back("agent: " + r.detail);
        timedOut = timedOut || r.delivery == sim::WritebackReply::Delivery::TimedOut;
    }
}

/// Checks every scenario gets, whatever it expects: passwords travel sealed, and the agent's log
/// holds none of them (DESIGN.md §4, §9).
void checkSecurity(CaseResult& result,
                   const Scenario& s,
                   bool sentPlaintext,
                   const std::vector<std::string>& agentLogs) {
    add(result,
        "security: passwords sealed to the agent's key",
        !sentPlaintext,
        "sealed",
        sentPlaintext ? "sent in clear (the agent declared plaintext)" : "sealed");
    int leaked = 0;
    for (const auto& agentLog : agentLogs) {
        auto log = readFile(agentLog);
        if (log) {
            for (const auto& secret : s.secrets()) {
                leaked += log->find(secret) != std::string::npos ? 1 : 0;
            }
        }
    }
    add(result,
        "security: no password in the agent's log",
        leaked == 0,
        "none",
        leaked == 0 ? "none" : std::to_string(leaked) + " password(s) found in agent.stderr");
}

void checkRisk(CaseResult& result,
               const std::string& prefix,
               const RiskExpect& e,
               const sim::Cloud& cloud) {
    const auto risky = cloud.riskOf(e.user);
    const std::string name = prefix + e.user + " risk";
    auto compare = [&](const char* field, const std::optional<std::string>& want, const char* got) {
        if (want) {
            add(result, name + " " + field, *want == got, *want, got);
        }
    };
    compare("level", e.level, sim::toString(risky.level));
    compare("state", e.state, sim::toString(risky.state));
    compare("detail", e.detail, sim::toString(risky.detail));
}

/// Steps that never reach the agent: sync cycles, on-premises actions, risk events and the
/// admin paths that do not write back.
void runLabStep(CaseResult& result,
                std::size_t index,
                const Step& step,
                sim::Cloud& cloud,
                FixtureDirectorySource& directory,
                const fixture::DirectoryProbe& probe,
                const fixture::SlapdFixture& fx) {
    const std::string label = "step " + std::to_string(index + 1);
    switch (step.kind) {
        case Step::Kind::UnsupportedReset: {
            auto path = *sim::unsupportedPathFromString(step.path);
            auto op = cloud.unsupportedReset(path, step.user, step.newPassword);
            result.timeline.push_back("cloud: " + label + " reset of " + step.user + " through " +
                                      step.path + ": " + sim::toString(op.outcome) +
                                      " (no writeback request)");
            checkStep(result, index, step, op, cloud);
            break;
        }
        case Step::Kind::Sync: {
            const sim::SyncReport report = step.syncKind == "objects" ? cloud.syncObjects(directory)
                                           : step.syncKind == "hashes"
                                               ? cloud.syncPasswordHashes(directory)
                                               : cloud.syncAll(directory);
            result.timeline.push_back("sync: " + label + " " + step.syncKind +
                                      " cycle: " + std::to_string(report.usersAdded) + " added, " +
                                      std::to_string(report.usersDisabled) + " disabled, " +
                                      std::to_string(report.usersDeleted) + " deleted, " +
                                      std::to_string(report.passwordsSynced) +
                                      " password(s) synced");
            break;
        }
        case Step::Kind::OnPremChange: {
            auto rc =
                probe.changeOwnPassword(fx.userDn(step.user), step.oldPassword, step.newPassword);
            const std::string observed =
                rc ? (*rc == 0 ? "accepted" : "refused with LDAP result " + std::to_string(*rc))
                   : "could not run: " + rc.error().message;
            result.timeline.push_back("directory: " + label + " " + step.user +
                                      " changes the password on-premises: " + observed);
            add(result,
                label + ": on-premises change accepted",
                rc && *rc == 0,
                "accepted",
                observed);
            break;
        }
        case Step::Kind::OnPremDelete: {
            auto done = probe.deleteUser(fx.userDn(step.user));
            result.timeline.push_back("directory: " + label + " an admin deletes " + step.user);
            add(result,
                label + ": account deleted on-premises",
                bool(done),
                "deleted",
                done ? "deleted" : done.error().message);
            break;
        }
        case Step::Kind::OnPremDisable: {
            auto done = probe.setDisabled(fx.userDn(step.user), true);
            result.timeline.push_back("directory: " + label + " an admin disables " + step.user);
            add(result,
                label + ": account disabled on-premises",
                bool(done),
                "disabled",
                done ? "disabled" : done.error().message);
            break;
        }
        case Step::Kind::RiskDetection:
            cloud.raiseDetection(step.user,
                                 *sim::detectionTypeFromString(step.detectionType),
                                 *sim::riskLevelFromString(step.detectionLevel));
            result.timeline.push_back("risk: " + label + " " + step.detectionType + " (" +
                                      step.detectionLevel + ") for " + step.user);
            break;
        case Step::Kind::LeakedCredentials: {
            int matches = cloud.detectLeakedCredentials(step.leakedPasswords);
            result.timeline.push_back("risk: " + label + " leaked credentials matched " +
                                      std::to_string(matches) + " user(s)");
            if (step.expect.leakedMatches) {
                add(result,
                    label + ": leaked-credential matches",
                    matches == *step.expect.leakedMatches,
                    std::to_string(*step.expect.leakedMatches),
                    std::to_string(matches));
            }
            break;
        }
        case Step::Kind::DismissRisk:
            cloud.dismissUserRisk(step.user);
            result.timeline.push_back("risk: " + label + " an admin dismisses " + step.user +
                                      "'s risk");
            break;
        case Step::Kind::Register:
            cloud.registerMethods(step.user, methodsFrom(step.methods));
            result.timeline.push_back("cloud: " + label + " " + step.user + " registers " +
                                      std::to_string(step.methods.size()) + " method(s)");
            break;
        case Step::Kind::ConfirmCompromised:
            cloud.confirmUserCompromised(step.user);
            result.timeline.push_back("risk: " + label + " an admin confirms " + step.user +
                                      " compromised");
            break;
        default:
            break;
    }
    if (!directory.error.empty()) {
        add(result, label + ": directory readable by sync", false, "readable", directory.error);
        directory.error.clear();
    }
    if (step.expect.risk) {
        checkRisk(result, label + ": ", *step.expect.risk, cloud);
    }
}

void describeRelay(CaseResult& result, const std::string& label, Step::Relay relay) {
    switch (relay) {
        case Step::Relay::Drop:
            result.timeline.push_back("relay: " + label + " drops the request");
            break;
        case Step::Relay::Duplicate:
            result.timeline.push_back("relay: " + label + " delivers the request twice");
            break;
        case Step::Relay::Hold:
            result.timeline.push_back("relay: " + label + " holds the request until released");
            break;
        case Step::Relay::Deliver:
            break;
    }
}

/// A request delivered twice must be applied once: the second copy is a replay (32003).
void checkDuplicate(CaseResult& result, std::size_t index, const FaultyRelay& relay) {
    const auto& second = relay.duplicateReply();
    if (!second) {
        return;
    }
    const bool answered = second->delivery == sim::WritebackReply::Delivery::Answered;
    const std::string observed =
        !answered ? second->detail
                  : std::string(second->success ? "success" : "failure") +
                        (second->reason != 0 ? " reason " + std::to_string(second->reason) : "");
    result.timeline.push_back("agent: second copy: " + observed);
    add(result,
        "step " + std::to_string(index + 1) + ": second copy not applied",
        answered && !second->success && second->reason == 32003,
        "failure reason 32003",
        observed);
}

/// Fault and release steps (fault_steps.hpp). False when the scenario cannot go on.
bool runFaultStep(CaseResult& result,
                  std::size_t index,
                  const Step& step,
                  FaultyRelay& relay,
                  const sim::Cloud& cloud,
                  bool& timedOut) {
    const std::string label = "step " + std::to_string(index + 1);
    if (step.kind == Step::Kind::Release) {
        result.timeline.push_back("relay: " + label + " delivers the request held at step " +
                                  std::to_string(step.releaseOf));
        sim::OperationResult op;
        op.writebackAttempted = true;
        op.reply = relay.release(step.releaseOf);
        describeReply(result, op, timedOut);
        checkStep(result, index, step, op, cloud, relay.lastFailureInjected());
        return true;
    }
    auto done = relay.apply(step.fault);
    if (!done) {
        add(result, label + ": " + toString(step.fault), false, "done", done.error().message);
        result.timeline.push_back("lab: " + label + " " + toString(step.fault) +
                                  " failed: " + done.error().message);
        return false;
    }
    result.timeline.push_back("lab: " + label + " " + toString(step.fault) + ": " + *done);
    return true;
}

CaseResult unresolved(CaseResult result, const std::string& why) {
    result.verdict = Verdict::Unresolved;
    result.message = why;
    return result;
}

/// A worker's agent, kept from one scenario to the next when it can take another hello (protocol
/// v1.1, capability "rehandshake"): that saves a process start and a key pair per scenario. Its
/// log lives in the worker's directory; each scenario gets the part written during it.
struct AgentSlot {
    std::optional<RunDirectory> dir;
    std::unique_ptr<AgentSession> idle;
    std::uintmax_t logOffset = 0;

    ~AgentSlot() {
        if (idle) {
            idle->shutdown();
        }
    }

    std::string logPath() const { return dir->path() + "/agent.stderr"; }

    /// The agent for a scenario: the idle one after a new handshake, else a fresh process.
    Expected<std::unique_ptr<AgentSession>> take(AgentConfig config) {
        if (!dir) {
            auto created = RunDirectory::create("agent");
            if (!created) {
                return created.error();
            }
            dir.emplace(std::move(*created));
        }
        config.stderrPath = logPath();
        if (idle) {
            std::unique_ptr<AgentSession> agent = std::move(idle);
            if (agent->rehandshake(config.hello)) {
                return agent;
            }
            // It went away between scenarios or refused the hello: start afresh.
            agent->shutdown();
            copyLogTo("");
        }
        logOffset = 0;
        return AgentSession::start(config);
    }

    /// Keeps the agent for the next scenario if it can serve one, else shuts it down.
    void release(std::unique_ptr<AgentSession> agent, bool reuse) {
        if (agent && reuse && agent->reusable()) {
            idle = std::move(agent);
        } else if (agent) {
            agent->shutdown();
        }
    }

    /// Writes what the agent logged since the last call to `path` (dropped when empty).
    void copyLogTo(const std::string& path) {
        std::ifstream in(logPath(), std::ios::binary);
        in.seekg(static_cast<std::streamoff>(logOffset));
        std::string part((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        logOffset += part.size();
        if (!path.empty()) {
            // Best effort, as when the agent wrote there itself: a missing log fails no check.
            (void)writeFileAtomically(path, part);
        }
    }
};

CaseResult runScenarioWith(const Scenario& s, const RunOptions& options, AgentSlot* slot);

}  // namespace

Expected<AgentCommand> resolveAgent(const std::string& spec, const std::string& selfPath) {
    if (spec == "reference" || spec.rfind("reference ", 0) == 0) {
        std::error_code ec;
        auto self = std::filesystem::canonical(selfPath, ec);
        std::filesystem::path dir =
            ec ? std::filesystem::path(selfPath).parent_path() : self.parent_path();
        std::vector<std::filesystem::path> candidates = {dir / "wblab-agent",
                                                         dir / ".." / "agent" / "wblab-agent"};
        for (const auto& c : candidates) {
            if (std::filesystem::exists(c, ec)) {
                AgentCommand cmd{{std::filesystem::weakly_canonical(c, ec).string()}, spec};
                std::istringstream rest(spec.substr(std::string("reference").size()));
                for (std::string word; rest >> word;) {
                    cmd.argv.push_back(word);
                }
                return cmd;
            }
        }
        return makeError(ErrorCode::NotFound,
                         "the reference agent (wblab-agent) is not beside " + selfPath);
    }
    AgentCommand cmd;
    cmd.label = spec;
    std::string word;
    bool quoted = false;
    bool any = false;
    for (char c : spec) {
        if (c == '"') {
            quoted = !quoted;
            any = true;
        } else if (c == ' ' && !quoted) {
            if (any) {
                cmd.argv.push_back(word);
            }
            word.clear();
            any = false;
        } else {
            word += c;
            any = true;
        }
    }
    if (quoted) {
        return makeError(ErrorCode::InvalidInput, "unbalanced quote in --agent: " + spec);
    }
    if (any) {
        cmd.argv.push_back(word);
    }
    if (cmd.argv.empty()) {
        return makeError(ErrorCode::InvalidInput, "--agent needs a command");
    }
    return cmd;
}

CaseResult runScenario(const Scenario& s, const RunOptions& options) {
    AgentSlot slot;
    return runScenarioWith(s, options, &slot);
}

namespace {

CaseResult runScenarioWith(const Scenario& s, const RunOptions& options, AgentSlot* slot) {
    const auto started = Clock::now();
    CaseResult result;
    result.id = s.id;
    result.title = s.title;
    result.file = s.file;
    result.criteria = s.criteria;
    // The scenario's own seed: the same whichever worker runs it and whatever runs beside it.
    result.seed = deriveSeed(options.seed, s.id);
    auto finish = [&](CaseResult r) {
        r.durationMs = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        return r;
    };

    fixture::FixtureOptions fxOptions;
    fxOptions.keepRunDirectory = options.keepRunDirectories;
    fxOptions.tls = s.onprem.tls;
    auto fx = fixture::SlapdFixture::start(seedFrom(s), fxOptions);
    if (!fx) {
        return finish(unresolved(result, "directory fixture: " + fx.error().message));
    }
    auto& fixture = **fx;
    result.timeline.push_back("directory: slapd ready with " +
                              std::to_string(s.onprem.users.size()) + " users");

    AgentConfig config;
    config.argv = options.agent.argv;
    config.stderrPath = fixture.runDirectory() + "/agent.stderr";
    config.handshakeTimeout = options.handshakeTimeout;
    config.requestTimeout = options.stepTimeout;
    config.hello.directoryUrl = s.onprem.tls ? fixture.tlsUrl() : fixture.url();
    config.hello.tlsCaFile = fixture.caFile();
    config.hello.baseDn = fixture.baseDn();
    config.hello.anchorAttribute = fixture.anchorAttribute();
    config.hello.flavour = "openldap-ad";
    config.hello.connectorDn = fixture.connectorDn();
    config.hello.connectorPassword = fixture.connectorPassword();
    const std::string agentLog = config.stderrPath;
    auto agent = slot->take(config);
    // Ends the agent's part in this scenario: kept for the next one or shut down; its log of
    // this scenario goes to the run directory.
    auto releaseAgent = [&] {
        if (agent) {
            slot->release(std::move(*agent), options.reuseAgents);
        }
        slot->copyLogTo(agentLog);
    };
    if (!agent) {
        releaseAgent();
        // An agent that cannot start or complete the handshake fails the scenario: it is the
        // implementation's fault, not the lab's.
        result.verdict =
            agent.error().code == ErrorCode::Timeout ? Verdict::Timeout : Verdict::Fail;
        result.message = "agent handshake: " + agent.error().message;
        add(result, "handshake", false, "a ready message", agent.error().message);
        return finish(result);
    }
    {
        // A scenario that needs an operation the agent does not declare is unsupported, not
        // failed: the agent said up front it does not do that.
        const auto& caps = (*agent)->ready().capabilities;
        std::string missing;
        for (const auto& need : s.requires_) {
            if (std::find(caps.begin(), caps.end(), need) == caps.end()) {
                missing += (missing.empty() ? "" : ", ") + need;
            }
        }
        if (!missing.empty()) {
            releaseAgent();
            result.verdict = Verdict::Unsupported;
            result.message = "requires: " + missing + " (the agent does not declare it)";
            return finish(result);
        }
    }
    result.timeline.push_back("agent: ready (" + (*agent)->ready().agentName + " " +
                              (*agent)->ready().agentVersion + ", onboarding events " +
                              listOf((*agent)->ready().events) + ")");
    // Every request goes through the relay, which also carries out the scenario's faults.
    FaultyRelay relay(config, std::move(*agent), fixture);

    // The lab clock starts at the real time: the agent and slapd read the real clock, and a
    // request's expiry must mean the same to both sides.
    sim::VirtualClock clock(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
    sim::Cloud cloud(tenantFrom(s.tenant), clock);
    cloud.setIdSeed(result.seed);
    for (const auto& u : s.onprem.users) {
        sim::CloudUser user = cloudUserFrom(u);
        user.upn = u.signInName();
        user.anchor = u.anchor.empty() ? fixture::defaultAnchorFor(u.sam) : u.anchor;
        user.synced = true;
        user.federated = u.federated;
        cloud.addUser(std::move(user));
    }
    for (const auto& u : s.tenant.cloudUsers) {
        sim::CloudUser user = cloudUserFrom(u);
        user.upn = u.upn;
        user.synced = false;
        cloud.addUser(std::move(user));
    }
    fixture::DirectoryProbe probe(fixture);
    FixtureDirectorySource directory(probe);
    cloud.setPasswordVerifier(fixture::storedPasswordMatches);
    cloud.initialSync(directory);
    RacingChannel channel(relay);
    bool timedOut = false;
    // What each step sent over the wire (line and id), for replay steps.
    std::vector<std::pair<std::string, std::string>> sent;
    const auto scenarioDeadline =
        started + (s.timeoutSeconds > 0 ? std::chrono::milliseconds(s.timeoutSeconds * 1000LL)
                                        : options.scenarioTimeout);
    bool outOfTime = false;
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        const auto& step = s.steps[i];
        const std::string label = "step " + std::to_string(i + 1);
        if (Clock::now() > scenarioDeadline) {
            add(result,
                "scenario deadline",
                false,
                "every step within the scenario's deadline",
                "ran out of time before " + label);
            outOfTime = true;
            break;
        }
        if (step.kind == Step::Kind::Advance) {
            clock.advance(step.advanceSeconds);
            auto advanced = fixture.advanceClock(step.advanceSeconds);
            if (!advanced) {
                if (auto first = relay.finish(); first && *first) {
                    slot->release(std::move(*first), false);
                }
                slot->copyLogTo(agentLog);
                return finish(unresolved(result, label + ": " + advanced.error().message));
            }
            result.timeline.push_back("lab: " + label + " clock advanced by " +
                                      std::to_string(step.advanceSeconds) + " s");
            auto cycles = cloud.runDueCycles(directory);
            if (cycles.hashCycles + cycles.objectCycles > 0) {
                result.timeline.push_back(
                    "sync: " + std::to_string(cycles.hashCycles) + " hash cycle(s), " +
                    std::to_string(cycles.objectCycles) + " object cycle(s), " +
                    std::to_string(cycles.passwordsSynced) + " password(s) synced");
            }
            sent.emplace_back();
            continue;
        }
        if (step.kind == Step::Kind::Fault || step.kind == Step::Kind::Release) {
            if (!runFaultStep(result, i, step, relay, cloud, timedOut)) {
                break;
            }
            sent.emplace_back();
            continue;
        }
        if (step.kind > Step::Kind::Replay && step.kind != Step::Kind::GraphReset &&
            step.kind != Step::Kind::SignIn) {
            runLabStep(result, i, step, cloud, directory, probe, fixture);
            sent.emplace_back();
            continue;
        }
        if (step.kind == Step::Kind::Replay) {
            const auto& original = sent[static_cast<std::size_t>(step.replayOf - 1)];
            sim::OperationResult op;
            op.writebackAttempted = !original.first.empty();
            if (op.writebackAttempted) {
                op.reply = relay.replay(original.first, original.second);
            }
            result.timeline.push_back("relay: " + label + " sends the request of step " +
                                      std::to_string(step.replayOf) + " again");
            describeReply(result, op, timedOut);
            checkStep(result, i, step, op, cloud, relay.lastFailureInjected());
            sent.emplace_back();
            continue;
        }
        sim::OperationResult op;
        std::string what;
        relay.prepare(step, static_cast<int>(i + 1));
        describeRelay(result, label, step.relay);
        if (step.during == "confirm_compromised") {
            channel.whileInFlight = [&cloud, &step, &result] {
                cloud.confirmUserCompromised(step.user);
                result.timeline.push_back(
                    "cloud: while the request is in flight, an admin "
                    "confirms " +
                    step.user + " compromised");
            };
        } else if (step.during == "risk_detection") {
            channel.whileInFlight = [&cloud, &step, &result] {
                cloud.raiseDetection(step.user,
                                     *sim::detectionTypeFromString(step.duringType),
                                     *sim::riskLevelFromString(step.duringLevel));
                result.timeline.push_back("cloud: while the request is in flight, " +
                                          step.duringType + " is detected for " + step.user);
            };
        }
        if (step.relayDelaySeconds > 0) {
            result.timeline.push_back("relay: " + label + " holds the request for " +
                                      std::to_string(step.relayDelaySeconds) + " s");
        }
        switch (step.kind) {
            case Step::Kind::GraphReset: {
                auto response = cloud.graphResetPassword(step.caller, step.user, step.newPassword);
                result.timeline.push_back("cloud: " + label + " Graph resetPassword by " +
                                          step.caller + " -> HTTP " +
                                          std::to_string(response.httpStatus) +
                                          (response.error.empty() ? "" : " " + response.error));
                if (step.expect.httpStatus) {
                    add(result,
                        label + ": HTTP status",
                        response.httpStatus == *step.expect.httpStatus,
                        std::to_string(*step.expect.httpStatus),
                        std::to_string(response.httpStatus));
                }
                op.correlationId = response.operationId;
                op.outcome = sim::Outcome::Refused;
                if (response.httpStatus == 202) {
                    // Poll the Location until the operation is terminal, as a client would.
                    auto status = sim::OperationStatus::NotStarted;
                    for (int poll = 0; poll < 5; ++poll) {
                        status = cloud.pollOperation(response.operationId, channel);
                        result.timeline.push_back(std::string("cloud: GET ") + response.location +
                                                  " -> " + sim::toString(status));
                        if (status == sim::OperationStatus::Succeeded ||
                            status == sim::OperationStatus::Failed) {
                            break;
                        }
                    }
                    if (const auto* done = cloud.operationResult(response.operationId)) {
                        op = *done;
                    }
                    if (step.expect.operation) {
                        add(result,
                            label + ": operation status",
                            *step.expect.operation == sim::toString(status),
                            *step.expect.operation,
                            sim::toString(status));
                    }
                } else if (step.expect.operation) {
                    add(result,
                        label + ": operation status",
                        false,
                        *step.expect.operation,
                        "no operation (HTTP " + std::to_string(response.httpStatus) + ")");
                }
                what = "graph_reset";
                break;
            }
            case Step::Kind::SignIn: {
                std::optional<sim::Detection> detection;
                if (!step.detectionType.empty()) {
                    detection = sim::Detection{*sim::detectionTypeFromString(step.detectionType),
                                               *sim::riskLevelFromString(step.detectionLevel)};
                }
                auto signIn =
                    cloud.signIn(step.user, step.oldPassword, step.newPassword, detection, channel);
                result.timeline.push_back(
                    std::string("cloud: ") + label + " sign-in of " + step.user + " ends " +
                    sim::toString(signIn.outcome) + (signIn.mfaPerformed ? " (after MFA)" : "") +
                    (signIn.reportOnlyMatched ? " (a report-only policy would have applied)" : ""));
                if (step.expect.signIn) {
                    add(result,
                        label + ": sign-in",
                        *step.expect.signIn == sim::toString(signIn.outcome),
                        *step.expect.signIn,
                        sim::toString(signIn.outcome));
                }
                op.correlationId = signIn.correlationId;
                op.writebackAttempted = signIn.writebackAttempted;
                op.reply = signIn.reply;
                op.outcome = signIn.changeOutcome.value_or(sim::Outcome::Success);
                what = "sign_in";
                break;
            }
            case Step::Kind::SsprReset:
                op = cloud.selfServiceReset(step.user, step.newPassword, step.unlock, channel);
                what = std::string("sspr_reset") + (step.unlock ? " (with unlock)" : "");
                break;
            case Step::Kind::SsprChange:
                op =
                    cloud.selfServiceChange(step.user, step.oldPassword, step.newPassword, channel);
                what = "sspr_change";
                break;
            case Step::Kind::ForcedChange:
                op = cloud.forcedChange(step.user, step.oldPassword, step.newPassword, channel);
                what = "forced_change";
                break;
            case Step::Kind::AdminReset:
                op = cloud.adminReset(step.user, step.newPassword, step.mustChange, channel);
                what = std::string("admin_reset") + (step.mustChange ? " (must change)" : "");
                break;
            default:
                op = cloud.unlockOnly(step.user, channel);
                what = "unlock";
                break;
        }
        result.timeline.push_back("cloud: " + label + " " + what + " " + step.user +
                                  ", correlation " + op.correlationId);
        sent.emplace_back(op.writebackAttempted ? relay.lastRequestLine() : std::string(),
                          op.correlationId);
        describeReply(result, op, timedOut);
        channel.whileInFlight = nullptr;
        if (step.kind != Step::Kind::SignIn || op.writebackAttempted) {
            result.timeline.push_back(std::string("cloud: user sees ") + sim::toString(op.outcome));
        }
        checkStep(result, i, step, op, cloud, relay.lastFailureInjected());
        checkDuplicate(result, i, relay);
        if (step.expect.risk) {
            checkRisk(result, label + ": ", *step.expect.risk, cloud);
        }
    }
    const bool sentPlaintext = relay.sentPlaintext();
    auto finished = relay.finish();
    if (finished) {
        // A scenario whose agent lived through it unharmed may lend it to the next one.
        slot->release(std::move(*finished), options.reuseAgents);
    }
    slot->copyLogTo(agentLog);
    if (!finished) {
        return finish(unresolved(result, "directory_up at the end: " + finished.error().message));
    }
    checkSecurity(result, s, sentPlaintext, relay.agentLogs());

    checkDirectory(result, s, fixture, probe);
    // The risk state the lab ends with, for people reading the report.
    for (const auto& upn : cloud.riskyUsers()) {
        const auto risky = cloud.riskOf(upn);
        result.timeline.push_back("risk: " + upn + " ends " + sim::toString(risky.state) + " / " +
                                  sim::toString(risky.detail) + " / level " +
                                  sim::toString(risky.level));
    }
    for (const auto& e : s.expectRisk) {
        checkRisk(result, "", e, cloud);
    }
    int failed = 0;
    std::string firstFailure;
    for (const auto& c : result.checks) {
        if (!c.passed) {
            if (failed++ == 0) {
                firstFailure = c.name + ": expected " + c.expected + ", observed " + c.observed;
            }
        }
    }
    if (failed == 0) {
        result.verdict = Verdict::Pass;
    } else {
        result.verdict = timedOut || outOfTime ? Verdict::Timeout : Verdict::Fail;
        result.message = std::to_string(failed) + " check(s) failed; first: " + firstFailure;
    }
    if (options.keepRunDirectories) {
        fixture.keepRunDirectory();
    }
    fixture.stop();
    return finish(result);
}

}  // namespace

Expected<void> labUp(const Scenario& s,
                     bool keep,
                     std::ostream& out,
                     const std::function<void()>& wait) {
    fixture::FixtureOptions fxOptions;
    fxOptions.keepRunDirectory = keep;
    fxOptions.tls = s.onprem.tls;
    auto fx = fixture::SlapdFixture::start(seedFrom(s), fxOptions);
    if (!fx) {
        return fx.error();
    }
    auto& fixture = **fx;
    const std::string dir = fixture.runDirectory();
    const std::string connectorSecret = dir + "/connector.secret";
    const std::string adminSecret = dir + "/admin.secret";
    for (const auto& [path, secret] : {std::pair{connectorSecret, fixture.connectorPassword()},
                                       std::pair{adminSecret, fixture.adminPassword()}}) {
        if (auto w = writeFileAtomically(path, secret); !w) {
            return w.error();
        }
        std::filesystem::permissions(
            path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    out << "wblab lab: " << s.id << " is up\n"
        << "  directory      " << fixture.url() << "\n";
    if (!fixture.tlsUrl().empty()) {
        out << "  ldaps          " << fixture.tlsUrl() << " (CA: " << fixture.caFile() << ")\n";
    }
    out << "  base DN        " << fixture.baseDn() << "\n"
        << "  connector      " << fixture.connectorDn() << " (password in " << connectorSecret
        << ")\n"
        << "  administrator  " << fixture.adminDn() << " (password in " << adminSecret << ")\n"
        << "  slapd log      " << dir << "/slapd.log\n"
        << "  tenant         sspr " << s.tenant.sspr << ", writeback "
        << (s.tenant.writeback ? "on" : "off") << ", unlock without reset "
        << (s.tenant.unlockWithoutReset ? "on" : "off") << "\n";
    for (const auto& u : s.onprem.users) {
        out << "  user           " << fixture.userDn(u.sam) << " (" << u.signInName() << ")\n";
    }
    out << "Try: ldapsearch -x -H '" << fixture.url() << "' -D '" << fixture.connectorDn()
        << "' -y " << connectorSecret << " -b '" << fixture.baseDn() << "'\n"
        << "Press Ctrl-C to stop.\n"
        << std::flush;
    wait();
    fixture.stop();
    return {};
}

report::RunResult runScenarios(const std::vector<Scenario>& scenarios,
                               const RunOptions& options,
                               std::ostream* progress) {
    const auto started = Clock::now();
    report::RunResult run;
    run.toolVersion = kToolVersion;
    run.seed = options.seed;
    run.agent = options.agent.label;
    run.startedAt = protocol::formatUtc(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
    // Workers take scenarios in order; results land in their scenario's slot, so reports do not
    // depend on which worker finished first. Each scenario has its own fixture; an agent that
    // declares "rehandshake" serves its worker's scenarios in turn, any other is started for each.
    run.cases.resize(scenarios.size());
    std::atomic<std::size_t> next{0};
    std::mutex progressMutex;
    std::ostringstream discard;
    Progress shown(progress != nullptr ? *progress : discard,
                   scenarios.size(),
                   options.progressStyle,
                   options.progressWidth);
    auto worker = [&] {
        AgentSlot slot;
        for (std::size_t i = next++; i < scenarios.size(); i = next++) {
            {
                std::lock_guard lock(progressMutex);
                shown.started(scenarios[i].id);
            }
            report::CaseResult result;
            if (!processesStopped()) {
                result = runScenarioWith(scenarios[i], options, &slot);
            }
            if (processesStopped()) {
                // Whatever it observed after the interruption is not the agent's doing.
                result.id = scenarios[i].id;
                result.title = scenarios[i].title;
                result.file = scenarios[i].file;
                result.criteria = scenarios[i].criteria;
                result.verdict = Verdict::Unresolved;
                result.message = "interrupted";
                result.seed = deriveSeed(options.seed, scenarios[i].id);
                result.checks.clear();
            }
            std::lock_guard lock(progressMutex);
            run.cases[i] = std::move(result);
            shown.finished(run.cases[i].id,
                           report::toString(run.cases[i].verdict),
                           report::isFailure(run.cases[i].verdict));
        }
    };
    const std::size_t jobs =
        std::clamp<std::size_t>(options.jobs, 1, std::max<std::size_t>(1, scenarios.size()));
    std::vector<std::thread> workers;
    for (std::size_t j = 1; j < jobs; ++j) {
        workers.emplace_back(worker);
    }
    worker();
    for (auto& t : workers) {
        t.join();
    }
    shown.done();
    run.interrupted = processesStopped();
    run.durationMs = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    return run;
}

}  // namespace wblab::harness
