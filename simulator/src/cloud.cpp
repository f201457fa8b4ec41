#include "lower.hpp"

#include <wblab/sim/cloud.hpp>
#include <wblab/support/seed.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace wblab::sim {

namespace {

using detail::lower;

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

namespace {

// A sample of the global banned list: the real one is Microsoft's and not published.
const char* const kGlobalBanned[] = {"password",
                                     "welcome",
                                     "letmein",
                                     "qwerty",
                                     "abc123",
                                     "iloveyou",
                                     "monkey",
                                     "dragon",
                                     "football",
                                     "123456"};

constexpr int kThrottleResets = 5;              // resets of one account in an hour (§6.2)
constexpr std::int64_t kThrottleWindow = 3600;  // seconds
constexpr std::int64_t kBlockedFor = 86400;     // 24 h

std::string normalise(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        switch (c) {
            case '0':
                out += 'o';
                break;
            case '1':
                out += 'l';
                break;
            case '3':
                out += 'e';
                break;
            case '4':
            case '@':
                out += 'a';
                break;
            case '5':
            case '$':
                out += 's';
                break;
            case '7':
                out += 't';
                break;
            default:
                out += static_cast<char>(std::tolower(c));
        }
    }
    return out;
}

}  // namespace

Cloud::Cloud(TenantSettings settings, VirtualClock& clock) : settings_(settings), clock_(clock) {}

void Cloud::addUser(CloudUser user) {
    auto key = lower(user.upn);
    if (user.synced && !user.anchor.empty()) {
        byAnchor_[user.anchor] = key;
    }
    users_[key] = std::move(user);
}

CloudUser* Cloud::userByAnchor(const std::string& anchor) {
    auto it = byAnchor_.find(anchor);
    if (it == byAnchor_.end()) {
        return nullptr;
    }
    auto user = users_.find(it->second);
    return user == users_.end() ? nullptr : &user->second;
}

const CloudUser* Cloud::findUser(const std::string& upn) const {
    auto it = users_.find(lower(upn));
    return it == users_.end() ? nullptr : &it->second;
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
    const bool admin = !user.adminRoles.empty();
    // Admins always get the Microsoft-managed two-gate policy, whatever the tenant's scope.
    if (!admin) {
        if (!settings_.ssprPolicyDefined) {
            return Outcome::SsprPolicyNotDefined;
        }
        if (settings_.sspr == SsprScope::Selected && !inGroup(user, settings_.ssprGroup)) {
            return Outcome::NotInSsprGroup;
        }
    }
    if (user.synced && !user.licensed) {
        return Outcome::UserNotLicensed;
    }
    if (usableMethods(user) < (admin ? 2 : settings_.methodsRequired)) {
        return Outcome::NotEnoughMethods;
    }
    return std::nullopt;
}

int Cloud::usableMethods(const CloudUser& user) const {
    const bool admin = !user.adminRoles.empty();
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
    auto it = users_.find(lower(upn));
    if (it == users_.end()) {
        return false;
    }
    for (auto m : methods) {
        if (std::find(it->second.methods.begin(), it->second.methods.end(), m) ==
            it->second.methods.end()) {
            it->second.methods.push_back(m);
        }
    }
    record("User registered for self-service password reset",
           true,
           "User registered all required security info",
           it->second.upn,
           it->second.upn,
           nextCorrelationId());
    return true;
}

bool Cloud::isBanned(const std::string& password) const {
    // Entra Password Protection's scoring: after normalisation every banned term found counts one
    // point and every other character one point; fewer than five points is a banned password.
    std::string rest = normalise(password);
    std::vector<std::string> terms(std::begin(kGlobalBanned), std::end(kGlobalBanned));
    for (const auto& t : settings_.bannedPasswords) {
        terms.push_back(normalise(t));
    }
    // Longer terms first, so that a term inside a longer one is not counted twice.
    std::sort(terms.begin(), terms.end(), [](const std::string& a, const std::string& b) {
        return a.size() > b.size();
    });
    int points = 0;
    bool anyTerm = false;
    for (const auto& t : terms) {
        if (t.empty()) {
            continue;
        }
        for (auto at = rest.find(t); at != std::string::npos; at = rest.find(t)) {
            rest.erase(at, t.size());
            ++points;
            anyTerm = true;
        }
    }
    points += static_cast<int>(rest.size());
    return anyTerm && points < 5;
}

std::string Cloud::nextCorrelationId() {
    char buf[40];
    if (!idSeed_) {
        std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", nextId_++);
        return buf;
    }
    // A version-4-shaped UUID from the scenario's seed: ids look like the real service's, and the
    // same seed gives the same ids.
    const std::uint64_t hi = mixSeed(*idSeed_ + 2 * static_cast<std::uint64_t>(nextId_));
    const std::uint64_t lo = mixSeed(*idSeed_ + 2 * static_cast<std::uint64_t>(nextId_) + 1);
    ++nextId_;
    std::snprintf(buf,
                  sizeof buf,
                  "%08x-%04x-4%03x-%04x-%012llx",
                  static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xffff),
                  static_cast<unsigned>(hi & 0x0fff),
                  static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
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
    if (flow.selfService && user.adminRoles.empty() && settings_.sspr == SsprScope::None) {
        result.outcome = Outcome::TenantSsprDisabled;
        audit(false, toString(result.outcome));
        return result;
    }
    if (user.synced) {
        // How the password is managed comes first: an on-premises-managed password needs
        // writeback deployed and its service up before the user meets any gate (DOMAIN.md §1.3
        // step 1, §10).
        if (!settings_.writebackEnabled) {
            result.outcome = Outcome::WritebackNotEnabled;
            audit(false, "SSPR_0010");
            return result;
        }
        if (!channel.serviceUp()) {
            result.outcome = Outcome::OnPremisesConnectivityError;
            audit(false, "We could not reach your on-premises password reset service.");
            return result;
        }
    }
    if (flow.selfService) {
        if (auto gate = ssprGate(user)) {
            result.outcome = *gate;
            audit(false, toString(*gate));
            return result;
        }
        auto blocked = blockedUntil_.find(lower(upn));
        if (blocked != blockedUntil_.end() && clock_.now() < blocked->second) {
            result.outcome = Outcome::Throttled;
            record("Blocked from self-service password reset",
                   false,
                   "Too many resets in an hour",
                   actor,
                   upn,
                   result.correlationId);
            return result;
        }
    }
    if (flow.changesPassword && isBanned(request.newPassword)) {
        // Checked in the cloud before anything goes on-premises (DOMAIN.md §1.3 step 3).
        result.outcome = Outcome::BannedPassword;
        audit(false, "FuzzyPolicyViolationInvalidPassword");
        return result;
    }
    if (!user.synced) {
        // Cloud-only users have no on-premises password: nothing to write back (DOMAIN.md §2.2).
        if (flow.changesPassword) {
            ++user.passwordVersion;
        }
        if (flow.remediates != RiskDetail::None) {
            remediate(upn, flow.remediates);
        }
        result.outcome = Outcome::Success;
        audit(true, "Successfully completed.");
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
        if (flow.changesPassword && settings_.enforceCloudPasswordPolicyForSyncedUsers &&
            !meetsCloudPasswordPolicy(request.newPassword)) {
            // Set on-premises, but the cloud's own rules refuse it: the cloud password stays
            // as it was and risk is not reduced; the audit says success (DOMAIN.md §6.3, §7.3).
            result.outcome = Outcome::OnPremisesSuccessCloudFailure;
            audit(true, "OnPremisesSuccessCloudFailure");
            refusedPassword_[lower(upn)] = request.newPassword;
            return result;
        }
        if (flow.changesPassword) {
            ++user.passwordVersion;
            pendingEcho_[lower(upn)] = request.newPassword;
        }
        if (flow.remediates != RiskDetail::None) {
            remediate(upn, flow.remediates);
        }
        if (flow.selfService && flow.changesPassword) {
            // Five resets of one account within an hour block it from SSPR for 24 h (§6.2).
            auto& times = resetTimes_[lower(upn)];
            times.push_back(clock_.now());
            const std::int64_t since = clock_.now() - kThrottleWindow;
            times.erase(std::remove_if(
                            times.begin(), times.end(), [&](std::int64_t t) { return t <= since; }),
                        times.end());
            if (static_cast<int>(times.size()) >= kThrottleResets) {
                blockedUntil_[lower(upn)] = clock_.now() + kBlockedFor;
                times.clear();
            }
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
    return run(Flow{kResetActivity, true, true, "", RiskDetail::UserPerformedSecuredPasswordReset},
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
    return run(Flow{kChangeActivity, false, true, ""}, std::move(request), channel);
}

OperationResult Cloud::adminReset(const std::string& upn,
                                  const std::string& newPassword,
                                  bool mustChange,
                                  WritebackChannel& channel) {
    const CloudUser* user = findUser(upn);
    if (user != nullptr && user->synced && user->federated &&
        !settings_.federatedAdminResetWritesBack) {
        // The reading of [S16]: reset a federated user in on-premises AD instead.
        OperationResult result;
        result.correlationId = nextCorrelationId();
        result.outcome = Outcome::Refused;
        record(kAdminResetActivity,
               false,
               "Federated user: reset the password in the on-premises directory",
               "admin@testlab.onmicrosoft.com",
               user->upn,
               result.correlationId);
        return result;
    }
    WritebackRequest request;
    request.operation = "admin_reset";
    request.upn = upn;
    request.newPassword = newPassword;
    request.mustChange = mustChange;
    return run(Flow{kAdminResetActivity,
                    false,
                    true,
                    "admin@testlab.onmicrosoft.com",
                    RiskDetail::AdminGeneratedTemporaryPassword},
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
