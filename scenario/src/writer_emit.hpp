#pragma once
// Private to the scenario module: the line emitter the scenario writer uses (writer.cpp,
// writer_steps.cpp), with the comments of Annotations placed before and after the lines they
// name, and the small formatters the writer's parts share.

#include <wblab/scenario/writer.hpp>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace wblab::scenario::detail {

class Emitter {
public:
    explicit Emitter(const Annotations& notes) : notes_(notes) {}

    /// Comment lines from notes.before[key], at `indent`.
    void before(int indent, const std::string& key);

    /// One line at `indent`, with notes.after[key] at its end when there is one.
    void line(int indent, const std::string& text, const std::string& key = "");

    void blank() { out_ << "\n"; }

    /// Whether the notes say anything about `key`.
    bool mentions(const std::string& key) const {
        return notes_.after.count(key) != 0 || notes_.before.count(key) != 0;
    }

    std::string str() const { return out_.str(); }

private:
    const Annotations& notes_;
    std::ostringstream out_;
};

/// "1d", "2h", "30m" or "90s".
std::string durationText(std::int64_t seconds);

/// "[a, b]" of YAML scalars.
std::string flowList(const std::vector<std::string>& items);

/// "{key: value, ...}" of already formatted values.
std::string flowMap(const std::vector<std::pair<std::string, std::string>>& entries);

/// `criterion:` for expectations given as (key, criterion, kind default or empty): the scalar
/// form when one criterion covers every key that has no default of its own, else the map.
std::string criterionText(const std::vector<std::vector<std::string>>& attributions);

/// A risk expectation's flow map, its criteria inside (no user key).
std::string riskFlow(const RiskExpect& r);

/// A tenant setting (a key of `tenant:`) as a YAML value in flow style, complete enough to
/// be read over any other tenant (`tenant_change:`); empty for an unknown key.
std::string tenantSettingFlow(const TenantSpec& t, const std::string& key);

/// The steps of the scenario (writer_steps.cpp).
void writeSteps(Emitter& out, const Scenario& s);

}  // namespace wblab::scenario::detail
