#pragma once
// File: lab_mutation.hpp
//
// Deliberate errors in the cloud model, one documented rule each (`wblab zoo`'s lab half). The
// agent's faults can only break the criteria whose subject is the agent; the criteria whose
// subject is the cloud (gates, sync, Identity Protection) are only worth their checks if a cloud
// that gets the rule wrong fails them. Running the suite with the correct agent against each
// mutation measures exactly that.
//
//   cloud.setMutation(LabMutation::IgnoresSsprScope);  // users outside the group may reset

#include <optional>
#include <string_view>
#include <vector>

namespace wblab::sim {

enum class LabMutation {
    None,
    IgnoresSsprScope,
    IgnoresLicence,
    IgnoresMethods,
    AdminsUnderUserPolicy,
    NoThrottling,
    IgnoresWritebackToggle,
    UnlockAlwaysOffered,
    IgnoresBannedPasswords,
    WritesBackFederatedResets,
    NoPasswordHashSync,
    DisableNotSynced,
    OnPremChangeAlwaysRemediates,
    AdminRiskActionsIgnored,
    RiskPoliciesIgnoreScope,
    LeaksMatchOldPasswords,
    IgnoresAdminResetRoles,
    NoSessionLifetime,
    AllowsCurrentPassword,
};

struct LabMutationInfo {
    LabMutation mutation;
    const char* name;       ///< as `wblab zoo` prints it
    const char* criterion;  ///< the cloud criterion whose rule it breaks
    const char* description;
};

/// Every mutation but None, in a fixed order.
const std::vector<LabMutationInfo>& labMutations();

std::optional<LabMutation> labMutationFromString(std::string_view name);
const char* toString(LabMutation mutation);

}  // namespace wblab::sim
