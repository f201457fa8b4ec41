#pragma once
// Private to the harness: the documented causes diagnose tries (diagnose.hpp), each as data (id,
// title, source, next step) and as changes to a scenario: whether the scenario has it, the
// scenario without it, and the scenario with it added to the users and operations involved.

#include <wblab/harness/diagnose.hpp>
#include <wblab/scenario/model.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace wblab::harness::causes {

struct Cause {
    CauseInfo info;
    /// The parts of a scenario it changes ("connector", "policy", "tenant", "users"): a cause
    /// is not added where `established:` says the evidence showed the part.
    std::string part;
    std::function<bool(const scenario::Scenario&)> present;
    std::function<void(scenario::Scenario&)> remove;
    /// Adds the cause to the users named in `users` (sams); false when it does not apply.
    std::function<bool(scenario::Scenario&, const std::vector<std::string>& users)> add;
};

const std::vector<Cause>& all();

/// The sams of the on-premises users the scenario's operations act on.
std::vector<std::string> involvedUsers(const scenario::Scenario& s);

/// True when `established:` names `part` (or "user:SAM" for `sam`).
bool established(const scenario::Scenario& s, const std::string& part);

}  // namespace wblab::harness::causes
