// The names of fault steps, apart from the relay that carries them out, so that the scenario
// loader (and its fuzz target) needs neither agents nor fixtures.
#include "fault_names.hpp"

namespace wblab::harness {

namespace {

struct FaultName {
    Step::Fault fault;
    const char* name;
};

constexpr FaultName kFaults[] = {
    {Step::Fault::AgentDown, "agent_down"},
    {Step::Fault::AgentUp, "agent_up"},
    {Step::Fault::AgentCrash, "agent_crash"},
    {Step::Fault::DirectoryDown, "directory_down"},
    {Step::Fault::DirectoryUp, "directory_up"},
};

}  // namespace

const char* toString(Step::Fault fault) {
    for (const auto& f : kFaults) {
        if (f.fault == fault) {
            return f.name;
        }
    }
    return "unknown";
}

std::optional<Step::Fault> faultFromString(const std::string& name) {
    for (const auto& f : kFaults) {
        if (name == f.name) {
            return f.fault;
        }
    }
    return std::nullopt;
}

std::string faultNames() {
    std::string out;
    for (const auto& f : kFaults) {
        out += (out.empty() ? "" : ", ") + std::string(f.name);
    }
    return out;
}

}  // namespace wblab::harness
