#include <wblab/sim/cloud.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace wblab::sim {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return s;
}

// Reason codes of the on-premises agent (DOMAIN.md §5.1).
constexpr int kAdUserAccountLockedOut = 33006;
constexpr int kAdUserIncorrectPassword = 33007;
constexpr int kAdPasswordPolicyError = 33008;

// Audit activities (DOMAIN.md §6.4).
constexpr const char* kResetActivity = "Reset password (self-service)";
constexpr const char* kChangeActivity = "Change password (self-service)";
constexpr const char* kAdminResetActivity = "Reset password (by admin)";
constexpr const char* kUnlockActivity = "Unlock user account (self-service)";
constexpr const char* kFlowActivity = "Self-service password reset flow activity progress";

}  // namespace

const char* toString(Outcome outcome) {
    switch (outcome) {
        case Outcome::Success:
            return "success";
        case Outcome::UnknownUser:
            return "unknown_user";
        case Outcome::TenantSsprDisabled:
            return "SSPR_0009";
        case Outcome::WritebackNotEnabled:
            return "SSPR_0010";
        case Outcome::OnPremisesPolicyViolation:
            return "policy_violation";
        case Outcome::OnPremisesAdminActionRequired:
            return "SSPR_0029";
        case Outcome::OnPremisesConnectivityError:
            return "SSPR_0030";
        case Outcome::WrongOldPassword:
            return "wrong_old_password";
        case Outcome::AccountLockedOut:
            return "account_locked";
        case Outcome::UnlockNotOffered:
            return "unlock_not_offered";
    }
    return "unknown";
}

const std::vector<Outcome>& allOutcomes() {
    static const std::vector<Outcome> all = {
        Outcome::Success,
        Outcome::OnPremisesPolicyViolation,
        Outcome::WrongOldPassword,
        Outcome::AccountLockedOut,
        Outcome::UnlockNotOffered,
        Outcome::UnknownUser,
        Outcome::TenantSsprDisabled,
        Outcome::WritebackNotEnabled,
        Outcome::OnPremisesAdminActionRequired,
        Outcome::OnPremisesConnectivityError,
    };
    return all;
}

std::optional<Outcome> outcomeFromString(std::string_view name) {
    for (auto o : allOutcomes()) {
        if (name == toString(o)) {
            return o;
        }
    }
    return std::nullopt;
}

Cloud::Cloud(TenantSettings settings, VirtualClock& clock) : settings_(settings), clock_(clock) {}

void Cloud::addUser(CloudUser user) {
    auto key = lower(user.upn);
    users_[key] = std::move(user);
}

const CloudUser* Cloud::findUser(const std::string& upn) const {
    auto it = users_.find(lower(upn));
    return it == users_.end() ? nullptr : &it->second;
}

std::string Cloud::nextCorrelationId() {
    char buf[40];
    std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", nextId_++);
    return buf;
}

void Cloud::record(const std::string& activity,
                   bool success,
                   const std::string& reason,
                   const std::string& actor,
                   const std::string& target,
                   const std::string& correlationId) {
    AuditEntry e;
    e.time = clock_.now();
    e.activity = activity;
    e.result = success ? "success" : "failure";
    e.reason = reason;
    e.actor = actor;
    e.target = target;
    e.correlationId = correlationId;
    audit_.push_back(std::move(e));
}

/// What differs between the cloud operations that may be written back.
struct Cloud::Flow {
    const char* activity;
    bool selfService;  ///< gated by the tenant's SSPR setting
    bool changesPassword;
    std::string actor;  ///< who the audit names
};

OperationResult Cloud::run(const Flow& flow, WritebackRequest request, WritebackChannel& channel) {
    OperationResult result;
    result.correlationId = nextCorrelationId();
    const std::string upn = request.upn;
    auto it = users_.find(lower(upn));
    if (it == users_.end()) {
        result.outcome = Outcome::UnknownUser;
        return result;
    }
    CloudUser& user = it->second;
    const std::string actor = flow.actor.empty() ? upn : flow.actor;
    auto audit = [&](bool success, const std::string& reason) {
        record(flow.activity, success, reason, actor, upn, result.correlationId);
    };
    if (flow.selfService && settings_.sspr == SsprScope::None) {
        result.outcome = Outcome::TenantSsprDisabled;
        audit(false, "SSPR_0009");
        return result;
    }
    if (!user.synced) {
        // Cloud-only users have no on-premises password: nothing to write back (DOMAIN.md §2.2).
        if (flow.changesPassword) {
            ++user.passwordVersion;
        }
        result.outcome = Outcome::Success;
        audit(true, "Successfully completed.");
        return result;
    }
    if (!settings_.writebackEnabled) {
        result.outcome = Outcome::WritebackNotEnabled;
        audit(false, "SSPR_0010");
        return result;
    }
    if (flow.selfService) {
        record(
            kFlowActivity, true, "User submitted a new password", actor, upn, result.correlationId);
    }
    request.correlationId = result.correlationId;
    request.anchor = user.anchor;
    request.upn = user.upn;
    request.issuedAt = clock_.now();
    request.expiresAt = clock_.now() + settings_.requestLifetimeSeconds;
    result.writebackAttempted = true;
    result.reply = channel.deliver(request);
    const auto& reply = result.reply;
    if (reply.delivery != WritebackReply::Delivery::Answered) {
        result.outcome = Outcome::OnPremisesConnectivityError;
        audit(false, "We could not reach your on-premises password reset service.");
        return result;
    }
    if (reply.success) {
        if (flow.changesPassword) {
            ++user.passwordVersion;
        }
        result.outcome = Outcome::Success;
        audit(true, "Successfully completed.");
        return result;
    }
    if (reply.reason >= 32000 && reply.reason < 33000) {
        // A service-side failure (expired or replayed message, decryption): the cloud treats it
        // as the on-premises service not working (DOMAIN.md §5.1, 32xxx).
        result.outcome = Outcome::OnPremisesConnectivityError;
        audit(false, "The on-premises password reset service reported an error.");
        return result;
    }
    switch (reply.reason) {
        case kAdPasswordPolicyError:
            result.outcome = Outcome::OnPremisesPolicyViolation;
            audit(false, "On-premises policy violation");
            return result;
        case kAdUserIncorrectPassword:
            result.outcome = Outcome::WrongOldPassword;
            audit(false, "The current password is incorrect.");
            return result;
        case kAdUserAccountLockedOut:
            result.outcome = Outcome::AccountLockedOut;
            audit(false, "The on-premises account is locked out.");
            return result;
        default:
            result.outcome = Outcome::OnPremisesAdminActionRequired;
            audit(false,
                  "We encountered a problem while updating the user's on-premises password.");
            return result;
    }
}

OperationResult Cloud::selfServiceReset(const std::string& upn,
                                        const std::string& newPassword,
                                        bool unlock,
                                        WritebackChannel& channel) {
    WritebackRequest request;
    request.operation = "reset";
    request.upn = upn;
    request.newPassword = newPassword;
    request.unlock = unlock;
    return run(Flow{kResetActivity, true, true, ""}, std::move(request), channel);
}

OperationResult Cloud::selfServiceChange(const std::string& upn,
                                         const std::string& oldPassword,
                                         const std::string& newPassword,
                                         WritebackChannel& channel) {
    WritebackRequest request;
    request.operation = "change";
    request.upn = upn;
    request.oldPassword = oldPassword;
    request.newPassword = newPassword;
    // A change is available to every user with a password; the SSPR scope does not gate it.
    return run(Flow{kChangeActivity, false, true, ""}, std::move(request), channel);
}

OperationResult Cloud::forcedChange(const std::string& upn,
                                    const std::string& oldPassword,
                                    const std::string& newPassword,
                                    WritebackChannel& channel) {
    WritebackRequest request;
    request.operation = "forced_change";
    request.upn = upn;
    request.oldPassword = oldPassword;
    request.newPassword = newPassword;
    return run(Flow{kChangeActivity, false, true, ""}, std::move(request), channel);
}

OperationResult Cloud::adminReset(const std::string& upn,
                                  const std::string& newPassword,
                                  bool mustChange,
                                  WritebackChannel& channel) {
    WritebackRequest request;
    request.operation = "admin_reset";
    request.upn = upn;
    request.newPassword = newPassword;
    request.mustChange = mustChange;
    return run(Flow{kAdminResetActivity, false, true, "admin@testlab.onmicrosoft.com"},
               std::move(request),
               channel);
}

OperationResult Cloud::unlockOnly(const std::string& upn, WritebackChannel& channel) {
    if (!settings_.unlockWithoutReset) {
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
    return run(Flow{kUnlockActivity, true, false, ""}, std::move(request), channel);
}

}  // namespace wblab::sim
