#pragma once
// File: lab_choices.hpp
//
// Where a scenario's outcomes rest on a lab choice rather than on Microsoft's documentation, or
// on one reading of sources that disagree (docs/cloud-model.md): the cloud model's list for the
// scenario's tenant, and for the tenant after each of its tenant_change steps what changed.
//
//   scenario::explainScenario(s, std::cout);
//   harness::explainLabChoices(s, std::cout);

#include <wblab/scenario/model.hpp>

#include <ostream>

namespace wblab::harness {

void explainLabChoices(const scenario::Scenario& s, std::ostream& out);

}  // namespace wblab::harness
