// The cloud model's deliberate errors (lab_mutation.hpp); each is one `if` where its rule is.
#include <wblab/sim/lab_mutation.hpp>

namespace wblab::sim {

const std::vector<LabMutationInfo>& labMutations() {
    static const std::vector<LabMutationInfo> kAll = {
        {LabMutation::IgnoresSsprScope,
         "ignores-sspr-scope",
         "sspr-scope",
         "offers SSPR to users outside the selected group"},
        {LabMutation::IgnoresLicence,
         "ignores-licence",
         "sspr-licence",
         "lets users without a P1/P2 licence reset"},
        {LabMutation::IgnoresMethods,
         "ignores-methods",
         "sspr-methods",
         "does not count the user's registered methods"},
        {LabMutation::AdminsUnderUserPolicy,
         "admins-under-user-policy",
         "sspr-admin-two-gate",
         "treats administrators as ordinary users (the user policy, not two gates)"},
        {LabMutation::NoThrottling,
         "no-throttling",
         "sspr-throttling",
         "never blocks a user who resets too often"},
        {LabMutation::IgnoresWritebackToggle,
         "ignores-writeback-toggle",
         "sspr-writeback-toggle",
         "writes back even when password writeback is off"},
        {LabMutation::UnlockAlwaysOffered,
         "unlock-always-offered",
         "sspr-unlock-option",
         "offers unlock without reset whatever the tenant allows"},
        {LabMutation::IgnoresBannedPasswords,
         "ignores-banned-passwords",
         "pp-banned-passwords",
         "accepts passwords on the banned list"},
        {LabMutation::WritesBackFederatedResets,
         "writes-back-federated-resets",
         "wb-unsupported-paths",
         "sends an admin reset of a federated user to the agent when the tenant says it is not "
         "written back"},
        {LabMutation::NoPasswordHashSync,
         "no-password-hash-sync",
         "sync-password-hash-echo",
         "password hash sync cycles bring no hash to the cloud"},
        {LabMutation::DisableNotSynced,
         "disable-not-synced",
         "sync-disable-propagates",
         "an account disabled on-premises stays enabled in the cloud"},
        {LabMutation::OnPremChangeAlwaysRemediates,
         "onprem-change-always-remediates",
         "ip-onprem-change-remediates",
         "an on-premises change remediates risk without the tenant setting"},
        {LabMutation::AdminRiskActionsIgnored,
         "admin-risk-actions-ignored",
         "ip-admin-actions",
         "dismiss and confirm-compromised leave the user's risk as it was"},
        {LabMutation::RiskPoliciesIgnoreScope,
         "risk-policies-ignore-scope",
         "ip-risk-policies",
         "risk policies apply to everyone and enforce in report-only mode"},
        {LabMutation::LeaksMatchOldPasswords,
         "leaks-match-old-passwords",
         "ip-leaked-credentials",
         "leaked credentials match passwords the user has already changed"},
        {LabMutation::IgnoresAdminResetRoles,
         "ignores-admin-reset-roles",
         "wb-admin-reset-roles",
         "lets any administrator reset anyone, their own account included"},
        {LabMutation::NoSessionLifetime,
         "no-session-lifetime",
         "sspr-session-lifetime",
         "takes a reset however long its session or one-time code has lasted"},
        {LabMutation::AllowsCurrentPassword,
         "allows-current-password",
         "pp-current-password-reuse",
         "sends a change to the current password on-premises instead of refusing it"},
    };
    return kAll;
}

std::optional<LabMutation> labMutationFromString(std::string_view name) {
    for (const auto& m : labMutations()) {
        if (name == m.name) {
            return m.mutation;
        }
    }
    return std::nullopt;
}

const char* toString(LabMutation mutation) {
    for (const auto& m : labMutations()) {
        if (m.mutation == mutation) {
            return m.name;
        }
    }
    return "none";
}

}  // namespace wblab::sim
