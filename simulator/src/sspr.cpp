// Self-service password reset and change, admin resets: the gates before anything goes
// on-premises, throttling, and how the agent's answer becomes what the user sees
// (docs/cloud-model.md). Pinned by simulator/tests/cloud_test.cpp and graph_test.cpp.
#include "lower.hpp"
#include "roles.hpp"

#include <wblab/sim/cloud.hpp>

#include <algorithm>

namespace wblab::sim {

namespace {

using detail::lower;

// Reason codes of the on-premises agent (troubleshoot-sspr-writeback).
constexpr int kAdUserAccountLockedOut = 33006;
constexpr int kAdUserIncorrectPassword = 33007;
constexpr int kAdPasswordPolicyError = 33008;

// Audit activities (howto-sspr-reporting).
constexpr const char* kResetActivity = "Reset password (self-service)";
constexpr const char* kChangeActivity = "Change password (self-service)";
constexpr const char* kAdminResetActivity = "Reset password (by admin)";
constexpr const char* kUnlockActivity = "Unlock user account (self-service)";
constexpr const char* kFlowActivity = "Self-service password reset flow activity progress";
constexpr const char* kBlockedActivity = "Blocked from self-service password reset";
constexpr const char* kLabAdmin = "admin@testlab.onmicrosoft.com";
constexpr const char* kUnreachable = "We could not reach your on-premises password reset service.";

std::string auditReason(Outcome refusal) {
    switch (refusal) {
        case Outcome::WritebackNotEnabled:
            return "SSPR_0010";
        case Outcome::OnPremisesConnectivityError:
            return kUnreachable;
        case Outcome::BannedPassword:
            return "FuzzyPolicyViolationInvalidPassword";
        case Outcome::CloudPolicyViolation:
            return "The new password must differ from the current password.";
        case Outcome::SessionExpired:
            return "The password reset session expired before the new password was submitted";
        case Outcome::CodeExpired:
            return "The one-time passcode expired before it was entered";
        default:
            return toString(refusal);
    }
}

}  // namespace

bool Cloud::isAdmin(const CloudUser& user) {
    return std::any_of(user.adminRoles.begin(), user.adminRoles.end(), [](const std::string& r) {
        return detail::isTwoGateRole(r);
    });
}

bool Cloud::inGroup(const CloudUser& user, const std::string& group) const {
    // Breadth-first over nested groups: the user is in `group` if a group they are in directly
    // is `group` or one of its (nested) member groups.
    std::vector<std::string> frontier = {group};
    std::vector<std::string> seen;
    while (!frontier.empty()) {
        std::string g = frontier.back();
        frontier.pop_back();
        if (std::find(seen.begin(), seen.end(), g) != seen.end()) {
            continue;
        }
        seen.push_back(g);
        if (std::find(user.groups.begin(), user.groups.end(), g) != user.groups.end()) {
            return true;
        }
        auto it = settings_.groupMembers.find(g);
        if (it != settings_.groupMembers.end()) {
            frontier.insert(frontier.end(), it->second.begin(), it->second.end());
        }
    }
    return false;
}

std::optional<Outcome> Cloud::ssprGate(const CloudUser& user) const {
    const bool admin = isAdmin(user) && !mutated(LabMutation::AdminsUnderUserPolicy);
    if (admin) {
        // Admins get the Microsoft-managed two-gate policy whatever the user policy says, unless
        // the authorization policy takes it away (allowedToUseSSPR = false).
        if (!settings_.allowedToUseSspr) {
            return Outcome::SsprPolicyNotDefined;
        }
    } else {
        if (settings_.sspr == SsprScope::None) {
            return Outcome::TenantSsprDisabled;
        }
        if (!settings_.ssprPolicyDefined) {
            return Outcome::SsprPolicyNotDefined;
        }
        if (settings_.sspr == SsprScope::Selected && !inGroup(user, settings_.ssprGroup) &&
            !mutated(LabMutation::IgnoresSsprScope)) {
            return Outcome::NotInSsprGroup;
        }
    }
    // Cloud-only reset needs Business Standard or P1/P2, a synced user P1/P2 or Business
    // Premium (concept-sspr-licensing): `licensed` says the user has what they need.
    if (!user.licensed && !mutated(LabMutation::IgnoresLicence)) {
        return Outcome::UserNotLicensed;
    }
    if (usableMethods(user) < (admin ? 2 : settings_.methodsRequired) &&
        !mutated(LabMutation::IgnoresMethods)) {
        return Outcome::NotEnoughMethods;
    }
    return std::nullopt;
}

std::optional<Outcome> Cloud::managedGate(const CloudUser& user, WritebackChannel& channel) const {
    if (!user.synced) {
        return std::nullopt;
    }
    if (!settings_.writebackEnabled && !mutated(LabMutation::IgnoresWritebackToggle)) {
        return Outcome::WritebackNotEnabled;
    }
    if (!channel.serviceUp()) {
        return Outcome::OnPremisesConnectivityError;
    }
    return std::nullopt;
}

int Cloud::usableMethods(const CloudUser& user) const {
    const bool admin = isAdmin(user) && !mutated(LabMutation::AdminsUnderUserPolicy);
    int usable = 0;
    for (auto m : user.methods) {
        bool allowed = admin ? m != Method::SecurityQuestions
                             : std::find(settings_.methodsAllowed.begin(),
                                         settings_.methodsAllowed.end(),
                                         m) != settings_.methodsAllowed.end();
        usable += allowed ? 1 : 0;
    }
    return usable;
}

bool Cloud::registerMethods(const std::string& upn, const std::vector<Method>& methods) {
    CloudUser* user = mutableUser(upn);
    if (user == nullptr) {
        return false;
    }
    for (auto m : methods) {
        if (std::find(user->methods.begin(), user->methods.end(), m) == user->methods.end()) {
            user->methods.push_back(m);
        }
    }
    record("User registered for self-service password reset",
           true,
           "User registered all required security info",
           user->upn,
           user->upn,
           nextCorrelationId());
    return true;
}

std::optional<Outcome> Cloud::lapsed(const SsprSession& session) const {
    if (mutated(LabMutation::NoSessionLifetime)) {
        return std::nullopt;
    }
    // "The one-time passcodes are valid for 5 minutes during the password reset session."
    if (session.codeEnteredAfterSeconds > settings_.oneTimeCodeLifetimeSeconds) {
        return Outcome::CodeExpired;
    }
    // "From the start of the password reset operation, the user has 15 minutes to reset their
    // password." (passwords-faq)
    if (clock_.now() - session.startedAt > settings_.ssprSessionLifetimeSeconds) {
        return Outcome::SessionExpired;
    }
    return std::nullopt;
}

bool Cloud::throttled(const CloudUser& user,
                      const std::string& correlationId,
                      const std::string& actor) {
    if (mutated(LabMutation::NoThrottling)) {
        return false;
    }
    const auto& rule = settings_.throttle;
    const std::string key = lower(user.upn);
    const std::int64_t now = clock_.now();
    auto blocked = blockedUntil_.find(key);
    if (blocked != blockedUntil_.end() && now < blocked->second) {
        // "they must wait 24 hours after the last attempt": a refused attempt starts it again.
        blocked->second = now + rule.blockedForSeconds;
        // The reporting page documents this activity's status as Success.
        record(kBlockedActivity, true, "Throttled for 24 hours", actor, user.upn, correlationId);
        return true;
    }
    // This attempt counts, whatever its outcome: "attempts to reset a password for the same
    // user account five times in one hour" (troubleshoot-sspr).
    auto& attempts = resetAttempts_[key];
    attempts.push_back(now);
    const std::int64_t since = now - rule.windowSeconds;
    attempts.erase(
        std::remove_if(
            attempts.begin(), attempts.end(), [&](std::int64_t t) { return t <= since; }),
        attempts.end());
    if (static_cast<int>(attempts.size()) >= rule.attempts) {
        blockedUntil_[key] = now + rule.blockedForSeconds;
        attempts.clear();
    }
    return false;
}

std::optional<Outcome> Cloud::checkBeforeWriteback(const Flow& flow,
                                                   CloudUser& user,
                                                   const WritebackRequest& request,
                                                   WritebackChannel& channel,
                                                   const std::string& correlationId,
                                                   const std::string& actor) {
    auto policy = [&]() -> std::optional<Outcome> {
        return flow.selfService ? ssprGate(user) : std::nullopt;
    };
    std::optional<Outcome> refusal;
    if (settings_.gateOrder == GateOrder::WritebackFirst) {
        // SSPR switched off for the tenant is known before anything else.
        const bool ssprOff =
            flow.selfService && !isAdmin(user) && settings_.sspr == SsprScope::None;
        refusal = ssprOff ? Outcome::TenantSsprDisabled : managedGate(user, channel);
        refusal = refusal ? refusal : policy();
    } else {
        refusal = policy();
        refusal = refusal ? refusal : managedGate(user, channel);
    }
    if (!refusal && flow.session) {
        // The verification gates passed; the code or the session may have run out meanwhile.
        // A step of the flow failed, not the reset: audited as flow progress, not counted.
        if (auto lapse = lapsed(*flow.session)) {
            record(kFlowActivity, false, auditReason(*lapse), actor, request.upn, correlationId);
            return lapse;
        }
    }
    if (!refusal && flow.selfService && flow.changesPassword &&
        throttled(user, correlationId, actor)) {
        return Outcome::Throttled;
    }
    if (!refusal && !request.oldPassword.empty() && request.oldPassword == request.newPassword &&
        !mutated(LabMutation::AllowsCurrentPassword)) {
        // "The last password can't be used again when the user changes a password ... The
        // password change history applies to password writeback." (concept-sspr-policy)
        refusal = Outcome::CloudPolicyViolation;
    }
    if (!refusal && flow.changesPassword && isBanned(request.newPassword, &user)) {
        // Checked in the cloud before anything goes on-premises.
        refusal = Outcome::BannedPassword;
    }
    if (refusal) {
        record(flow.activity, false, auditReason(*refusal), actor, request.upn, correlationId);
    }
    return refusal;
}

OperationResult Cloud::run(const Flow& flow, WritebackRequest request, WritebackChannel& channel) {
    OperationResult result;
    result.correlationId = nextCorrelationId();
    const std::string upn = request.upn;
    CloudUser* user = mutableUser(upn);
    if (user == nullptr) {
        result.outcome = Outcome::UnknownUser;
        return result;
    }
    const std::string actor = flow.actor.empty() ? upn : flow.actor;
    if (auto refusal =
            checkBeforeWriteback(flow, *user, request, channel, result.correlationId, actor)) {
        result.outcome = *refusal;
        return result;
    }
    if (!user->synced) {
        // Cloud-only users have no on-premises password: nothing to write back.
        if (flow.changesPassword) {
            ++user->passwordVersion;
        }
        if (flow.remediates != RiskDetail::None) {
            remediate(upn, flow.remediates);
        }
        result.outcome = Outcome::Success;
        record(flow.activity, true, "Successfully completed.", actor, upn, result.correlationId);
    } else {
        if (flow.selfService) {
            record(kFlowActivity,
                   true,
                   "User submitted a new password",
                   actor,
                   upn,
                   result.correlationId);
        }
        request.correlationId = result.correlationId;
        request.anchor = user->anchor;
        request.upn = user->upn;
        request.issuedAt = clock_.now();
        request.expiresAt = clock_.now() + settings_.requestLifetimeSeconds;
        result.writebackAttempted = true;
        result.reply = channel.deliver(request);
        result.outcome = settle(flow, *user, request, result.reply, result.correlationId, actor);
    }
    const bool reset = flow.selfService && flow.changesPassword;
    const bool done = result.outcome == Outcome::Success ||
                      result.outcome == Outcome::OnPremisesSuccessCloudFailure;
    if (reset && done && settings_.throttle.countersResetOnSuccess) {
        resetAttempts_.erase(lower(upn));  // the FAQ's reading
    }
    return result;
}

Outcome Cloud::settle(const Flow& flow,
                      CloudUser& user,
                      const WritebackRequest& request,
                      const WritebackReply& reply,
                      const std::string& correlationId,
                      const std::string& actor) {
    auto audit = [&](bool success, const std::string& reason) {
        record(flow.activity, success, reason, actor, user.upn, correlationId);
    };
    const std::string key = lower(user.upn);
    if (reply.delivery != WritebackReply::Delivery::Answered) {
        audit(false, kUnreachable);
        return Outcome::OnPremisesConnectivityError;
    }
    if (reply.success) {
        if (flow.changesPassword && settings_.enforceCloudPasswordPolicyForSyncedUsers &&
            !meetsCloudPasswordPolicy(request.newPassword)) {
            // Set on-premises, but not in the cloud now: hash sync may commit it later
            // (hashSyncCommitsCloudFailure); risk is not reduced. Audited as success.
            audit(true, "OnPremisesSuccessCloudFailure");
            pendingCommit_[key] = request.newPassword;
            return Outcome::OnPremisesSuccessCloudFailure;
        }
        if (flow.changesPassword) {
            ++user.passwordVersion;
            pendingEcho_[key] = request.newPassword;
            pendingCommit_.erase(key);
        }
        if (flow.remediates != RiskDetail::None) {
            remediate(user.upn, flow.remediates);
        }
        audit(true, "Successfully completed.");
        return Outcome::Success;
    }
    if (reply.reason >= 32000 && reply.reason < 33000) {
        // A service-side failure (expired or replayed message, decryption): the cloud treats it
        // as the on-premises service not working (the lab's choice).
        audit(false, "The on-premises password reset service reported an error.");
        return Outcome::OnPremisesConnectivityError;
    }
    switch (reply.reason) {
        case kAdPasswordPolicyError:
            audit(false, "On-premises policy violation");
            return Outcome::OnPremisesPolicyViolation;
        case kAdUserIncorrectPassword:
            audit(false, "The current password is incorrect.");
            return Outcome::WrongOldPassword;
        case kAdUserAccountLockedOut:
            audit(false, "The on-premises account is locked out.");
            return Outcome::AccountLockedOut;
        default:
            audit(false,
                  "We encountered a problem while updating the user's on-premises password.");
            return Outcome::OnPremisesAdminActionRequired;
    }
}

OperationResult Cloud::selfServiceReset(const std::string& upn,
                                        const std::string& newPassword,
                                        bool unlock,
                                        WritebackChannel& channel,
                                        std::optional<SsprSession> session) {
    WritebackRequest request;
    request.operation = "reset";
    request.upn = upn;
    request.newPassword = newPassword;
    request.unlock = unlock;
    return run(
        Flow{
            kResetActivity, true, true, "", RiskDetail::UserPerformedSecuredPasswordReset, session},
        std::move(request),
        channel);
}

OperationResult Cloud::selfServiceChange(const std::string& upn,
                                         const std::string& oldPassword,
                                         const std::string& newPassword,
                                         WritebackChannel& channel) {
    return change("change", upn, oldPassword, newPassword, channel);
}

OperationResult Cloud::forcedChange(const std::string& upn,
                                    const std::string& oldPassword,
                                    const std::string& newPassword,
                                    WritebackChannel& channel) {
    return change("forced_change", upn, oldPassword, newPassword, channel);
}

OperationResult Cloud::change(const char* operation,
                              const std::string& upn,
                              const std::string& oldPassword,
                              const std::string& newPassword,
                              WritebackChannel& channel) {
    WritebackRequest request;
    request.operation = operation;
    request.upn = upn;
    request.oldPassword = oldPassword;
    request.newPassword = newPassword;
    // A change is available to every user with a password; the SSPR scope does not gate it.
    return run(Flow{kChangeActivity, false, true, "", RiskDetail::None, std::nullopt},
               std::move(request),
               channel);
}

OperationResult Cloud::refuse(const char* activity,
                              const std::string& reason,
                              const std::string& actor,
                              const std::string& target) {
    OperationResult result;
    result.correlationId = nextCorrelationId();
    result.outcome = Outcome::Refused;
    record(activity, false, reason, actor, target, result.correlationId);
    return result;
}

OperationResult Cloud::adminReset(const std::string& upn,
                                  const std::string& newPassword,
                                  bool mustChange,
                                  WritebackChannel& channel) {
    return adminResetAs(kLabAdmin, upn, newPassword, mustChange, channel);
}

OperationResult Cloud::adminResetBy(const std::string& callerUpn,
                                    const std::string& upn,
                                    const std::string& newPassword,
                                    bool mustChange,
                                    WritebackChannel& channel) {
    const CloudUser* target = findUser(upn);
    if (target == nullptr) {
        OperationResult unknown;
        unknown.correlationId = nextCorrelationId();
        return unknown;
    }
    if (lower(callerUpn) == lower(upn) && !mutated(LabMutation::IgnoresAdminResetRoles)) {
        return refuse(kAdminResetActivity,
                      "An administrator cannot reset their own password with the reset tool",
                      callerUpn,
                      target->upn);
    }
    if (!canResetPassword(callerUpn, upn)) {
        return refuse(kAdminResetActivity, "Authorization_RequestDenied", callerUpn, target->upn);
    }
    return adminResetAs(findUser(callerUpn)->upn, upn, newPassword, mustChange, channel);
}

bool Cloud::canResetPassword(const std::string& callerUpn, const std::string& upn) const {
    const CloudUser* caller = findUser(callerUpn);
    const CloudUser* target = findUser(upn);
    return caller != nullptr && target != nullptr &&
           (mutated(LabMutation::IgnoresAdminResetRoles) ||
            detail::mayResetPassword(caller->adminRoles, target->adminRoles));
}

OperationResult Cloud::adminResetAs(const std::string& actor,
                                    const std::string& upn,
                                    const std::string& newPassword,
                                    bool mustChange,
                                    WritebackChannel& channel) {
    const CloudUser* user = findUser(upn);
    if (user != nullptr && user->synced && user->federated &&
        !settings_.federatedAdminResetWritesBack &&
        !mutated(LabMutation::WritesBackFederatedResets)) {
        // The reading of [S16]: reset a federated user in on-premises AD instead.
        return refuse(kAdminResetActivity,
                      "Federated user: reset the password in the on-premises directory",
                      actor,
                      user->upn);
    }
    WritebackRequest request;
    request.operation = "admin_reset";
    request.upn = upn;
    request.newPassword = newPassword;
    request.mustChange = mustChange;
    return run(Flow{kAdminResetActivity,
                    false,
                    true,
                    actor,
                    RiskDetail::AdminGeneratedTemporaryPassword,
                    std::nullopt},
               std::move(request),
               channel);
}

OperationResult Cloud::unlockOnly(const std::string& upn, WritebackChannel& channel) {
    if (!settings_.unlockWithoutReset && !mutated(LabMutation::UnlockAlwaysOffered)) {
        OperationResult result;
        result.correlationId = nextCorrelationId();
        result.outcome =
            findUser(upn) == nullptr ? Outcome::UnknownUser : Outcome::UnlockNotOffered;
        return result;
    }
    WritebackRequest request;
    request.operation = "unlock_only";
    request.upn = upn;
    request.unlock = true;
    return run(Flow{kUnlockActivity, true, false, "", RiskDetail::None, std::nullopt},
               std::move(request),
               channel);
}

}  // namespace wblab::sim
