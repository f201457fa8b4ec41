// Microsoft Graph resetPassword as a long-running operation (DOMAIN.md §1.5) and the admin paths
// that never write back (DOMAIN.md §2.2). Pinned by simulator/tests/graph_test.cpp.
#include "lower.hpp"

#include <wblab/sim/cloud.hpp>

#include <algorithm>
#include <cctype>

namespace wblab::sim {

namespace {

using detail::lower;

constexpr const char* kAdminResetActivity = "Reset password (by admin)";
// The directory's own audit activity for a password set outside SSPR, in the Core Directory
// service (the support blog's log; the activity reference lists "Reset password").
constexpr const char* kCloudResetActivity = "Reset user password";
constexpr const char* kCoreDirectory = "Core Directory";

}  // namespace

bool Cloud::meetsCloudPasswordPolicy(const std::string& password) {
    if (password.size() < 8 || password.size() > 256) {
        return false;
    }
    bool upper = false;
    bool lowerCase = false;
    bool digit = false;
    bool symbol = false;
    for (unsigned char c : password) {
        if (c < 0x20 || c > 0x7e) {
            return false;  // no Unicode, no control characters
        }
        upper = upper || std::isupper(c) != 0;
        lowerCase = lowerCase || std::islower(c) != 0;
        digit = digit || std::isdigit(c) != 0;
        symbol = symbol || (std::isalnum(c) == 0);
    }
    return int(upper) + int(lowerCase) + int(digit) + int(symbol) >= 3;
}

GraphResponse Cloud::graphResetPassword(const std::string& callerUpn,
                                        const std::string& upn,
                                        const std::string& newPassword) {
    GraphResponse response;
    const CloudUser* caller = findUser(callerUpn);
    const CloudUser* target = findUser(upn);
    if (target == nullptr) {
        response.httpStatus = 404;
        response.error = "Request_ResourceNotFound";
        return response;
    }
    // Authentication and Privileged Authentication Administrators, and the User, Helpdesk and
    // Password Administrators "for non-admin users and a limited set of admin roles": the table
    // "Who can reset passwords" decides (resetPassword v1.0, privileged-roles-permissions).
    if (!canResetPassword(callerUpn, upn)) {
        response.httpStatus = 403;
        response.error = "Authorization_RequestDenied";
        return response;
    }
    if (lower(callerUpn) == lower(upn) && !mutated(LabMutation::IgnoresAdminResetRoles)) {
        // A caller can't use it on their own account ([S17]).
        response.httpStatus = 403;
        response.error = "Authorization_RequestDenied: a caller cannot reset their own password";
        return response;
    }
    if (target->synced && newPassword.empty()) {
        // newPassword is required for hybrid tenants ([S17]).
        response.httpStatus = 400;
        response.error = "newPassword is required for users synchronised from on-premises";
        return response;
    }
    if (!newPassword.empty() && isBanned(newPassword, target)) {
        // "It is validated against the tenant's banned password system before acceptance."
        response.httpStatus = 400;
        response.error = "the password is banned by Password Protection";
        return response;
    }
    GraphOperation op;
    op.caller = caller->upn;
    op.upn = target->upn;
    // Omitted for a cloud-only user: "the system returns a system-generated password".
    op.newPassword = newPassword.empty() ? "Generated-" + nextCorrelationId() : newPassword;
    if (newPassword.empty()) {
        response.generatedPassword = op.newPassword;
    }
    response.httpStatus = 202;
    response.operationId = nextCorrelationId();
    response.location =
        "/users/" + target->upn + "/authentication/operations/" + response.operationId;
    response.retryAfterSeconds = 1;
    operations_[response.operationId] = std::move(op);
    return response;
}

OperationStatus Cloud::pollOperation(const std::string& operationId, WritebackChannel& channel) {
    auto it = operations_.find(operationId);
    if (it == operations_.end()) {
        return OperationStatus::Failed;
    }
    auto& op = it->second;
    if (op.status == OperationStatus::NotStarted) {
        op.status = OperationStatus::Running;
        return op.status;
    }
    if (op.status == OperationStatus::Running) {
        // The user must change the password at next sign-in ([S17]).
        WritebackRequest request;
        request.operation = "admin_reset";
        request.upn = op.upn;
        request.newPassword = op.newPassword;
        request.mustChange = true;
        op.result = run(Flow{kAdminResetActivity,
                             false,
                             true,
                             op.caller,
                             RiskDetail::AdminGeneratedTemporaryPassword,
                             std::nullopt},
                        std::move(request),
                        channel);
        op.newPassword.clear();
        op.status = op.result.outcome == Outcome::Success ? OperationStatus::Succeeded
                                                          : OperationStatus::Failed;
    }
    return op.status;
}

const OperationResult* Cloud::operationResult(const std::string& operationId) const {
    auto it = operations_.find(operationId);
    if (it == operations_.end() || (it->second.status != OperationStatus::Succeeded &&
                                    it->second.status != OperationStatus::Failed)) {
        return nullptr;
    }
    return &it->second.result;
}

OperationResult Cloud::unsupportedReset(UnsupportedPath path,
                                        const std::string& upn,
                                        const std::string& newPassword) {
    OperationResult result;
    result.correlationId = nextCorrelationId();
    CloudUser* user = mutableUser(upn);
    if (user == nullptr) {
        result.outcome = Outcome::UnknownUser;
        return result;
    }
    if (path == UnsupportedPath::GraphSelfService) {
        // A user resetting their own password through Graph is refused ([S17], DOMAIN.md §2.2).
        result.outcome = Outcome::Refused;
        record(kCloudResetActivity,
               false,
               "Authorization_RequestDenied",
               user->upn,
               user->upn,
               result.correlationId,
               kCoreDirectory);
        return result;
    }
    if (newPassword.empty()) {
        result.outcome = Outcome::Refused;
        return result;
    }
    // The lab's choice where the documentation only says "not written back" (or, for Graph
    // PATCH passwordProfile, lists only resetPassword as written back): the cloud password
    // changes and the directory keeps the old one until the next on-premises change is synced.
    ++user->passwordVersion;
    result.outcome = Outcome::CloudOnlyChange;
    record(kCloudResetActivity,
           true,
           path == UnsupportedPath::PowerShell ? "PowerShell"
           : path == UnsupportedPath::GraphPatchPasswordProfile
               ? "Microsoft Graph PATCH passwordProfile"
               : "Microsoft 365 admin center",
           "admin@testlab.onmicrosoft.com",
           user->upn,
           result.correlationId,
           kCoreDirectory);
    return result;
}

}  // namespace wblab::sim
