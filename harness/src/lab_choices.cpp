// `wblab explain`'s list of lab choices for a scenario's tenant (lab_choices.hpp).
#include "mapping.hpp"

#include <wblab/harness/lab_choices.hpp>
#include <wblab/sim/lab_choices.hpp>

#include <algorithm>

namespace wblab::harness {

namespace {

void printChoice(const sim::LabChoice& c, std::ostream& out) {
    out << "  " << c.id << " (" << sim::toString(c.kind) << "): " << c.rule << "\n"
        << "    why: " << c.reason << "\n"
        << "    see: " << c.source << "\n";
}

bool sameChoice(const sim::LabChoice& a, const sim::LabChoice& b) {
    return a.id == b.id && a.rule == b.rule;
}

}  // namespace

void explainLabChoices(const scenario::Scenario& s, std::ostream& out) {
    auto before = sim::labChoices(tenantSettingsOf(s.tenant));
    out << "Lab choices and readings for this tenant (docs/cloud-model.md):\n";
    for (const auto& c : before) {
        printChoice(c, out);
    }
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        const auto* change = std::get_if<scenario::TenantChange>(&s.steps[i].action);
        if (change == nullptr) {
            continue;
        }
        auto after = sim::labChoices(tenantSettingsOf(change->tenant));
        out << "After step " << (i + 1) << " (tenant_change):";
        bool any = false;
        for (const auto& c : after) {
            const bool known = std::any_of(
                before.begin(), before.end(), [&](const auto& b) { return sameChoice(b, c); });
            if (!known) {
                out << (any ? "" : "\n");
                printChoice(c, out);
                any = true;
            }
        }
        for (const auto& b : before) {
            const bool kept = std::any_of(
                after.begin(), after.end(), [&](const auto& c) { return c.id == b.id; });
            if (!kept) {
                out << (any ? "" : "\n") << "  " << b.id << ": no longer applies\n";
                any = true;
            }
        }
        out << (any ? "" : " no lab choice changes\n");
        before = std::move(after);
    }
}

}  // namespace wblab::harness
