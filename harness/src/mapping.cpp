#include "mapping.hpp"

namespace wblab::harness {

namespace {

fixture::DomainPolicy policyOf(const scenario::PolicySpec& p) {
    fixture::DomainPolicy policy;
    policy.minPwdLength = p.minLength;
    policy.pwdHistoryLength = p.history;
    policy.minPwdAgeSeconds = static_cast<int>(p.minAgeSeconds);
    policy.maxPwdAgeSeconds = static_cast<int>(p.maxAgeSeconds);
    policy.complexity = p.complexity;
    policy.lockoutThreshold = p.lockoutThreshold;
    policy.lockoutDurationSeconds = static_cast<int>(p.lockoutDurationSeconds);
    policy.lockoutObservationWindowSeconds = static_cast<int>(p.lockoutWindowSeconds);
    return policy;
}

fixture::DirectoryUser directoryUserOf(const scenario::UserSpec& u) {
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
    user.passwordAgeSeconds = static_cast<int>(u.passwordAgeSeconds);
    return user;
}

sim::RiskPolicy riskPolicyOf(const scenario::RiskPolicySpec& spec) {
    sim::RiskPolicy policy;
    policy.enabled = spec.enabled;
    policy.reportOnly = spec.reportOnly;
    policy.threshold = spec.threshold;
    policy.grant = spec.grant;
    policy.includeGroups = spec.includeGroups;
    policy.excludeGroups = spec.excludeGroups;
    return policy;
}

sim::CloudUser cloudSideOf(const scenario::CloudSideSpec& spec) {
    sim::CloudUser user;
    user.groups = spec.groups;
    user.methods = spec.methods;
    user.adminRoles = spec.adminRoles;
    user.licensed = spec.licensed;
    user.givenName = spec.givenName;
    user.surname = spec.surname;
    return user;
}

}  // namespace

fixture::DirectorySeed directorySeedOf(const scenario::Scenario& s) {
    fixture::DirectorySeed seed;
    seed.baseDn = s.onprem.baseDn;
    seed.policy = policyOf(s.onprem.policy);
    for (const auto& pso : s.onprem.fineGrainedPolicies) {
        seed.fineGrainedPolicies.push_back({pso.name, policyOf(pso.policy), pso.users});
    }
    const auto& c = s.onprem.connector;
    seed.connector = {c.resetPassword, c.writeLockoutTime, c.writePwdLastSet, c.unexpirePassword};
    for (const auto& u : s.onprem.users) {
        seed.users.push_back(directoryUserOf(u));
    }
    return seed;
}

sim::TenantSettings tenantSettingsOf(const scenario::TenantSpec& t) {
    sim::TenantSettings settings;
    settings.sspr = t.sspr;
    settings.gateOrder = t.gateOrder;
    settings.throttle.attempts = t.throttle.attempts;
    settings.throttle.windowSeconds = t.throttle.windowSeconds;
    settings.throttle.blockedForSeconds = t.throttle.blockedForSeconds;
    settings.throttle.countersResetOnSuccess = t.throttle.countersResetOnSuccess;
    settings.allowedToUseSspr = t.allowedToUseSspr;
    settings.hashSyncCommitsCloudFailure = t.hashSyncCommitsCloudFailure;
    settings.tenantName = t.tenantName;
    settings.writebackEnabled = t.writeback;
    settings.unlockWithoutReset = t.unlockWithoutReset;
    settings.ssprGroup = t.ssprGroup;
    settings.groupMembers = t.groups;
    settings.methodsRequired = t.methodsRequired;
    settings.methodsAllowed = t.methods;
    settings.bannedPasswords = t.bannedPasswords;
    settings.ssprPolicyDefined = t.ssprPolicyDefined;
    settings.registrationRequired = t.registrationRequired;
    settings.federatedAdminResetWritesBack = t.federatedAdminResetWritesBack;
    settings.passwordHashSync = t.passwordHashSync;
    settings.enforceCloudPasswordPolicyForSyncedUsers = t.enforceCloudPasswordPolicy;
    const auto& ip = t.identityProtection;
    settings.identityProtection.userRisk = riskPolicyOf(ip.userRiskPolicy);
    settings.identityProtection.signInRisk = riskPolicyOf(ip.signInRiskPolicy);
    settings.identityProtection.onPremisesChangeResetsRisk = ip.onPremisesChangeResetsRisk;
    settings.identityProtection.p2 = ip.p2;
    return settings;
}

fixture::Flavour flavourOf(DirectoryFlavour flavour) {
    switch (flavour) {
        case DirectoryFlavour::Slapd:
            return fixture::Flavour::Slapd;
        case DirectoryFlavour::Samba:
            return fixture::Flavour::Samba;
    }
    return fixture::Flavour::Slapd;
}

std::vector<sim::CloudUser> cloudUsersOf(const scenario::Scenario& s) {
    std::vector<sim::CloudUser> users;
    for (const auto& u : s.onprem.users) {
        sim::CloudUser user = cloudSideOf(u);
        user.upn = u.signInName();
        user.anchor = u.anchor.empty() ? fixture::defaultAnchorFor(u.sam) : u.anchor;
        user.synced = true;
        user.federated = u.federated;
        users.push_back(std::move(user));
    }
    for (const auto& u : s.tenant.cloudUsers) {
        sim::CloudUser user = cloudSideOf(u);
        user.upn = u.upn;
        user.synced = false;
        users.push_back(std::move(user));
    }
    return users;
}

fixture::AdBehaviour adBehaviourOf(scenario::DirectoryNeed need) {
    switch (need) {
        case scenario::DirectoryNeed::ResetPolicyHints:
            return fixture::AdBehaviour::ResetPolicyHints;
        case scenario::DirectoryNeed::ResetKeepsMustChange:
            return fixture::AdBehaviour::ResetKeepsMustChange;
    }
    return fixture::AdBehaviour::ResetPolicyHints;
}

fixture::TlsCertificate tlsCertificateOf(scenario::TlsCertificate certificate) {
    switch (certificate) {
        case scenario::TlsCertificate::Trusted:
            return fixture::TlsCertificate::Trusted;
        case scenario::TlsCertificate::OtherCa:
            return fixture::TlsCertificate::OtherCa;
        case scenario::TlsCertificate::OtherHost:
            return fixture::TlsCertificate::OtherHost;
    }
    return fixture::TlsCertificate::Trusted;
}

fixture::FixtureOptions fixtureOptionsOf(const scenario::OnPremSpec& onprem, bool keep) {
    fixture::FixtureOptions options;
    options.keepRunDirectory = keep;
    options.tls = onprem.tls;
    options.tlsCertificate = tlsCertificateOf(onprem.tlsCertificate);
    return options;
}

}  // namespace wblab::harness
