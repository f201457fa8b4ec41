// The events and outcomes a scenario expects (symptoms.hpp).
#include <wblab/scenario/symptoms.hpp>

#include <algorithm>

namespace wblab::scenario {

std::vector<int> expectedEvents(const Scenario& s) {
    std::vector<int> out;
    for (const auto& step : s.steps) {
        for (const auto* ids : {&step.expect.events, &step.expect.eventsInclude}) {
            if (!*ids) {
                continue;
            }
            for (int id : (*ids)->value) {
                if (std::find(out.begin(), out.end(), id) == out.end()) {
                    out.push_back(id);
                }
            }
        }
    }
    return out;
}

std::vector<sim::Outcome> expectedOutcomes(const Scenario& s) {
    std::vector<sim::Outcome> out;
    for (const auto& step : s.steps) {
        const auto& o = step.expect.outcome;
        if (o && std::find(out.begin(), out.end(), o->value) == out.end()) {
            out.push_back(o->value);
        }
    }
    return out;
}

bool expectsEvent(const Scenario& s, int eventId) {
    const auto events = expectedEvents(s);
    return std::find(events.begin(), events.end(), eventId) != events.end();
}

bool expectsOutcome(const Scenario& s, sim::Outcome outcome) {
    const auto outcomes = expectedOutcomes(s);
    return std::find(outcomes.begin(), outcomes.end(), outcome) != outcomes.end();
}

}  // namespace wblab::scenario
