#pragma once
// Private to the harness: the names of fault steps (docs/scenario-language.md, "Faults").

#include <wblab/harness/scenario.hpp>

#include <optional>
#include <string>

namespace wblab::harness {

const char* toString(Step::Fault fault);
std::optional<Step::Fault> faultFromString(const std::string& name);
/// "agent_down, agent_up, ..." for error messages.
std::string faultNames();

}  // namespace wblab::harness
