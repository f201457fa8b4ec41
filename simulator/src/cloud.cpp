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
constexpr int kAdPasswordPolicyError = 33008;

// Audit texts (DOMAIN.md §6.4).
constexpr const char* kResetActivity = "Reset password (self-service)";
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
    }
    return "unknown";
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

OperationResult Cloud::selfServiceReset(const std::string& upn,
                                        const std::string& newPassword,
                                        bool unlock,
                                        WritebackChannel& channel) {
    OperationResult result;
    result.correlationId = nextCorrelationId();
    auto it = users_.find(lower(upn));
    if (it == users_.end()) {
        result.outcome = Outcome::UnknownUser;
        return result;
    }
    CloudUser& user = it->second;
    if (settings_.sspr == SsprScope::None) {
        result.outcome = Outcome::TenantSsprDisabled;
        record(kResetActivity, false, "SSPR_0009", upn, upn, result.correlationId);
        return result;
    }
    if (!user.synced) {
        // Cloud-only users have no on-premises password: nothing to write back (DOMAIN.md §2.2).
        ++user.passwordVersion;
        result.outcome = Outcome::Success;
        record(
            kResetActivity, true, "Successfully completed reset.", upn, upn, result.correlationId);
        return result;
    }
    if (!settings_.writebackEnabled) {
        result.outcome = Outcome::WritebackNotEnabled;
        record(kResetActivity, false, "SSPR_0010", upn, upn, result.correlationId);
        return result;
    }
    record(kFlowActivity, true, "User submitted a new password", upn, upn, result.correlationId);
    WritebackRequest request;
    request.correlationId = result.correlationId;
    request.operation = "reset";
    request.anchor = user.anchor;
    request.upn = user.upn;
    request.newPassword = newPassword;
    request.unlock = unlock;
    request.issuedAt = clock_.now();
    request.expiresAt = clock_.now() + settings_.requestLifetimeSeconds;
    result.writebackAttempted = true;
    result.reply = channel.deliver(request);
    const auto& reply = result.reply;
    if (reply.delivery != WritebackReply::Delivery::Answered) {
        result.outcome = Outcome::OnPremisesConnectivityError;
        record(kResetActivity,
               false,
               "We could not reach your on-premises password reset service.",
               upn,
               upn,
               result.correlationId);
        return result;
    }
    if (reply.success) {
        ++user.passwordVersion;
        result.outcome = Outcome::Success;
        record(
            kResetActivity, true, "Successfully completed reset.", upn, upn, result.correlationId);
        return result;
    }
    if (reply.reason == kAdPasswordPolicyError) {
        result.outcome = Outcome::OnPremisesPolicyViolation;
        record(
            kResetActivity, false, "On-premises policy violation", upn, upn, result.correlationId);
        return result;
    }
    result.outcome = Outcome::OnPremisesAdminActionRequired;
    record(kResetActivity,
           false,
           "We encountered a problem while resetting the user's on-premises password.",
           upn,
           upn,
           result.correlationId);
    return result;
}

}  // namespace wblab::sim
