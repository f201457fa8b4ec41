#pragma once
// Directory roles as SSPR and password resets see them: which roles bring the two-gate policy
// (concept-sspr-policy) and which roles may reset whose password (privileged-roles-permissions,
// "Who can reset passwords"). Pinned by simulator/tests/graph_test.cpp and cloud_test.cpp.

#include <string>
#include <string_view>
#include <vector>

namespace wblab::sim::detail {

/// One of the administrator roles that concept-sspr-policy lists for the two-gate policy.
bool isTwoGateRole(std::string_view role);

/// Whether some role of the caller may reset a user holding all of `targetRoles` (none: a user
/// without an admin role). Only the six password roles of the table can reset anyone.
bool mayResetPassword(const std::vector<std::string>& callerRoles,
                      const std::vector<std::string>& targetRoles);

}  // namespace wblab::sim::detail
