#pragma once
// File: lab_choices.hpp
//
// Where the simulated cloud is not Microsoft's documented behaviour: rules the lab chose because
// the sources are silent, give no number or simplify, and rules where the sources disagree and a
// tenant setting picks the reading. `wblab explain` lists them for a scenario's tenant, so that
// someone reproducing a tenant problem knows which outcomes rest on a choice (docs/cloud-model.md).
//
//   for (const auto& c : wblab::sim::labChoices(settings)) {
//       std::cout << c.id << ": " << c.rule << " (" << c.reason << ")\n";
//   }

#include <wblab/sim/cloud.hpp>

#include <string>
#include <vector>

namespace wblab::sim {

struct LabChoice {
    enum class Kind {
        LabChoice,       ///< no source, an unpublished number, or a simplification
        SourcesConflict  ///< the sources disagree: a tenant setting picks the reading
    };
    Kind kind = Kind::LabChoice;
    std::string id;      ///< stable, e.g. "risk-aggregation"
    std::string rule;    ///< what the lab does, for this tenant
    std::string reason;  ///< one line: why
    std::string source;  ///< the page the rule is about (URL)
};

const char* toString(LabChoice::Kind kind);

/// The lab choices that apply to a tenant with these settings, in the order of
/// docs/cloud-model.md. Settings that pick a reading name the reading in effect.
std::vector<LabChoice> labChoices(const TenantSettings& settings);

}  // namespace wblab::sim
