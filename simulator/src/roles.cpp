#include "roles.hpp"

#include <algorithm>
#include <iterator>

namespace wblab::sim::detail {

namespace {

// The roles concept-sspr-policy lists under "Administrator reset policy differences".
const char* const kTwoGateRoles[] = {
    "AdHoc License Administrator",
    "Application Administrator",
    "Application Proxy Service Administrator",
    "Attack Simulation Administrator",
    "Attribute Assignment Administrator",
    "Attribute Definition Administrator",
    "Attribute Log Administrator",
    "Authentication Administrator",
    "Authentication Extensibility Administrator",
    "Authentication Policy Administrator",
    "Azure DevOps Administrator",
    "Azure Information Protection Administrator",
    "B2C IEF Keyset Administrator",
    "B2C IEF Policy Administrator",
    "Billing Administrator",
    "Cloud App Security Administrator",
    "Cloud Device Administrator",
    "Compliance Administrator",
    "Compliance Data Administrator",
    "Conditional Access Administrator",
    "Customer LockBox Access Approver",
    "Desktop Analytics Administrator",
    "Device Administrators",
    "Directory Synchronization Accounts",
    "Directory Writers",
    "Domain Name Administrator",
    "Dynamics 365 Administrator",
    "Dynamics 365 Business Central Administrator",
    "Edge Administrator",
    "Email Verified User Creator",
    "Exchange Administrator",
    "Exchange Recipient Administrator",
    "External ID User Flow Administrator",
    "External ID User Flow Attribute Administrator",
    "External Identity Provider Administrator",
    "Global Administrator",
    "Global Secure Access Administrator",
    "Groups Administrator",
    "Helpdesk Administrator",
    "Hybrid Identity Administrator",
    "Identity Governance Administrator",
    "Insights Administrator",
    "Intune Administrator",
    "Knowledge Administrator",
    "License Administrator",
    "Lifecycle Workflows Administrator",
    "Mailbox Administrator",
    "Microsoft Entra Joined Device Local Administrator",
    "Microsoft Hardware Warranty Administrator",
    "Microsoft365 Migration Administrator",
    "Modern Commerce Administrator",
    "Network Administrator",
    "Office Apps Administrator",
    "Organizational Branding Administrator",
    "Partner Tier1 Support",
    "Partner Tier2 Support",
    "Password Administrator",
    "Permissions Management Administrator",
    "Power BI Service Administrator",
    "Power Platform Administrator",
    "Printer Administrator",
    "Privileged Authentication Administrator",
    "Privileged Role Administrator",
    "Search Administrator",
    "Security Administrator",
    "Service Support Administrator",
    "SharePoint Administrator",
    "Skype for Business Administrator",
    "Teams Administrator",
    "Teams Communications Administrator",
    "Teams Devices Administrator",
    "User Administrator",
    "Virtual Visits Administrator",
    "Viva Goals Administrator",
    "Viva Pulse Administrator",
    "Windows365 Administrator",
    "Windows Update Deployment Administrator",
    "Yammer Administrator",
};

// The columns of "Who can reset passwords": the roles that can reset passwords.
enum Resetter : unsigned {
    kPasswordAdmin = 1,
    kHelpdeskAdmin = 2,
    kAuthAdmin = 4,
    kUserAdmin = 8,
    kPrivilegedAuthAdmin = 16,
    kGlobalAdmin = 32,
};

struct Column {
    const char* role;
    Resetter bit;
};

constexpr Column kResetters[] = {
    {"Password Administrator", kPasswordAdmin},
    {"Helpdesk Administrator", kHelpdeskAdmin},
    {"Authentication Administrator", kAuthAdmin},
    {"User Administrator", kUserAdmin},
    {"Privileged Authentication Administrator", kPrivilegedAuthAdmin},
    {"Global Administrator", kGlobalAdmin},
};

constexpr unsigned kEveryResetter = 63;
constexpr unsigned kTopTwo = kPrivilegedAuthAdmin | kGlobalAdmin;
constexpr unsigned kReaders = kHelpdeskAdmin | kAuthAdmin | kUserAdmin | kTopTwo;

struct Row {
    const char* role;
    unsigned resetBy;
};

// The rows: whose password each column may reset. "All other built-in and custom roles": only
// Privileged Authentication Administrators and Global Administrators.
constexpr Row kTargets[] = {
    {"Authentication Administrator", kAuthAdmin | kTopTwo},
    {"Directory Readers", kEveryResetter},
    {"Global Administrator", kTopTwo},
    {"Groups Administrator", kUserAdmin | kTopTwo},
    {"Guest Inviter", kEveryResetter},
    {"Helpdesk Administrator", kHelpdeskAdmin | kUserAdmin | kTopTwo},
    {"Message Center Reader", kReaders},
    {"Password Administrator", kEveryResetter},
    {"Privileged Authentication Administrator", kTopTwo},
    {"Privileged Role Administrator", kTopTwo},
    {"Reports Reader", kReaders},
    {"User Administrator", kUserAdmin | kTopTwo},
    {"User Experience Success Manager", kReaders},
    {"Usage Summary Reports Reader", kReaders},
};

unsigned resettersOf(const std::string& targetRole) {
    for (const auto& row : kTargets) {
        if (targetRole == row.role) {
            return row.resetBy;
        }
    }
    return kTopTwo;
}

unsigned bitOf(const std::string& callerRole) {
    for (const auto& column : kResetters) {
        if (callerRole == column.role) {
            return column.bit;
        }
    }
    return 0;
}

}  // namespace

bool isTwoGateRole(std::string_view role) {
    return std::any_of(std::begin(kTwoGateRoles), std::end(kTwoGateRoles), [&](const char* r) {
        return role == r;
    });
}

bool mayResetPassword(const std::vector<std::string>& callerRoles,
                      const std::vector<std::string>& targetRoles) {
    // A user with no admin role is a row of its own that every column may reset.
    unsigned allowed = kEveryResetter;
    for (const auto& role : targetRoles) {
        allowed &= resettersOf(role);
    }
    // One of the caller's roles must cover every role of the user on its own.
    return std::any_of(callerRoles.begin(), callerRoles.end(), [&](const std::string& role) {
        return (bitOf(role) & allowed) != 0;
    });
}

}  // namespace wblab::sim::detail
