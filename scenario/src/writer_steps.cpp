// Writing the steps of a scenario (writer.hpp): each step as its key and a flow mapping, with
// its relay, its race and its expectations and their criteria.
#include "writer_emit.hpp"

#include <wblab/scenario/catalog.hpp>

namespace wblab::scenario::detail {

namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

std::string q(const std::string& text) {
    return yamlScalar(text);
}

std::string detectionFlow(const Detection& d, const std::string& user = "") {
    Entries e;
    if (!user.empty()) {
        e.emplace_back("user", q(user));
    }
    e.emplace_back("type", sim::toString(d.type));
    e.emplace_back("level", sim::toString(d.level));
    return flowMap(e);
}

/// The operation of a step as "key: value".
struct Operation {
    std::string operator()(const SsprReset& a) const {
        Entries e = {{"user", q(a.user)}, {"new_password", q(a.newPassword)}};
        if (!a.unlock) {
            e.emplace_back("unlock", "false");
        }
        if (a.timing) {
            e.emplace_back("timing", timing(*a.timing));
        }
        return "sspr_reset: " + flowMap(e);
    }

    std::string operator()(const SsprChange& a) const {
        return "sspr_change: " + change(a.user, a.oldPassword, a.newPassword);
    }

    std::string operator()(const ForcedChange& a) const {
        return "forced_change: " + change(a.user, a.oldPassword, a.newPassword);
    }

    std::string operator()(const AdminReset& a) const {
        Entries e = {{"user", q(a.user)}, {"new_password", q(a.newPassword)}};
        if (a.mustChange) {
            e.emplace_back("must_change", "true");
        }
        if (!a.by.empty()) {
            e.emplace_back("by", q(a.by));
        }
        return "admin_reset: " + flowMap(e);
    }

    std::string operator()(const Unlock& a) const {
        return "unlock: " + flowMap({{"user", q(a.user)}});
    }

    std::string operator()(const GraphReset& a) const {
        Entries e = {{"caller", q(a.caller)}, {"user", q(a.user)}};
        if (!a.newPassword.empty()) {
            e.emplace_back("new_password", q(a.newPassword));
        }
        return "graph_reset: " + flowMap(e);
    }

    std::string operator()(const SignIn& a) const {
        Entries e = {{"user", q(a.user)}, {"password", q(a.password)}};
        if (!a.newPassword.empty()) {
            e.emplace_back("new_password", q(a.newPassword));
        }
        if (a.detection) {
            e.emplace_back("detection", detectionFlow(*a.detection));
        }
        return "sign_in: " + flowMap(e);
    }

    std::string operator()(const Replay& a) const { return "replay: " + std::to_string(a.step); }

    std::string operator()(const Release& a) const { return "release: " + std::to_string(a.step); }

    std::string operator()(const Advance& a) const { return "advance: " + durationText(a.seconds); }

    std::string operator()(const Fault& a) const {
        return std::string("fault: ") + toString(a.kind);
    }

    std::string operator()(const UnsupportedReset& a) const {
        return "unsupported_reset: " + flowMap({{"path", sim::toString(a.path)},
                                                {"user", q(a.user)},
                                                {"new_password", q(a.newPassword)}});
    }

    std::string operator()(const Sync& a) const { return std::string("sync: ") + toString(a.kind); }

    std::string operator()(const OnPremChange& a) const {
        return "onprem_change: " + change(a.sam, a.oldPassword, a.newPassword);
    }

    std::string operator()(const OnPremDisable& a) const { return "onprem_disable: " + q(a.sam); }

    std::string operator()(const OnPremDelete& a) const { return "onprem_delete: " + q(a.sam); }

    std::string operator()(const RiskDetection& a) const {
        return "risk_detection: " + detectionFlow(a.detection, a.user);
    }

    std::string operator()(const LeakedCredentials& a) const {
        return "leaked_credentials: " + flowList(a.passwords);
    }

    std::string operator()(const DismissRisk& a) const { return "dismiss_risk: " + q(a.user); }

    std::string operator()(const ConfirmCompromised& a) const {
        return "confirm_compromised: " + q(a.user);
    }

    std::string operator()(const NewSession& a) const {
        return std::string("new_session: ") +
               (a.restartRequestIds ? "{request_ids: restart}" : "{}");
    }

    std::string operator()(const TenantChange& a) const {
        // The settings the step named, in its order, each with its value after the change.
        Entries e;
        for (const auto& c : a.changed) {
            const std::string key = c.substr(0, c.find(": "));
            e.emplace_back(key, tenantSettingFlow(a.tenant, key));
        }
        return "tenant_change: " + flowMap(e);
    }

    std::string operator()(const Register& a) const {
        std::vector<std::string> methods;
        for (auto m : a.methods) {
            methods.emplace_back(sim::toString(m));
        }
        return "register: " + flowMap({{"user", q(a.user)}, {"methods", flowList(methods)}});
    }

private:
    /// Only what the loader does not derive: submitted_after defaults to code_entered_after.
    static std::string timing(const SsprTiming& t) {
        Entries e;
        if (t.codeEnteredAfterSeconds >= 0) {
            e.emplace_back("code_entered_after", durationText(t.codeEnteredAfterSeconds));
        }
        if (t.codeEnteredAfterSeconds < 0 || t.submittedAfterSeconds != t.codeEnteredAfterSeconds) {
            e.emplace_back("submitted_after", durationText(t.submittedAfterSeconds));
        }
        return flowMap(e);
    }

    static std::string change(const std::string& user,
                              const std::string& oldPassword,
                              const std::string& newPassword) {
        return flowMap({{"user", q(user)},
                        {"old_password", q(oldPassword)},
                        {"new_password", q(newPassword)}});
    }
};

std::string relayFlow(const RelaySpec& relay) {
    Entries e;
    if (relay.delaySeconds > 0) {
        e.emplace_back("delay", durationText(relay.delaySeconds));
    }
    switch (relay.mode) {
        case RelayMode::Drop:
            e.emplace_back("drop", "true");
            break;
        case RelayMode::Duplicate:
            e.emplace_back("duplicate", "true");
            break;
        case RelayMode::Hold:
            e.emplace_back("hold", "true");
            break;
        case RelayMode::Deliver:
            break;
    }
    return e.empty() ? std::string() : flowMap(e);
}

template <typename T, typename Format>
void add(Entries& entries,
         std::vector<std::vector<std::string>>& criteria,
         const char* key,
         const std::optional<Expectation<T>>& e,
         Format format,
         const char* kindDefault = "") {
    if (e) {
        entries.emplace_back(key, format(e->value));
        criteria.push_back({key, e->criterion, kindDefault});
    }
}

std::string expectFlow(const StepExpect& x) {
    Entries e;
    std::vector<std::vector<std::string>> c;
    auto name = [](auto v) { return std::string(sim::toString(v)); };
    auto number = [](int v) { return std::to_string(v); };
    add(e, c, "outcome", x.outcome, name);
    add(e, c, "request_sent", x.requestSent, [](bool v) {
        return std::string(v ? "true" : "false");
    });
    add(e, c, "sign_in", x.signIn, name);
    add(e, c, "http_status", x.httpStatus, number);
    add(e, c, "operation", x.operation, name);
    add(e, c, "leaked_matches", x.leakedMatches, number);
    auto eventList = [](const std::vector<int>& ids) {
        std::string out = "[";
        for (std::size_t i = 0; i < ids.size(); ++i) {
            out += (i ? ", " : "") + std::to_string(ids[i]);
        }
        return out + "]";
    };
    add(e, c, "events", x.events, eventList, criteria::kEventIds);
    add(e, c, "events_include", x.eventsInclude, eventList, criteria::kEventIds);
    add(e, c, "events_exclude", x.eventsExclude, eventList, criteria::kEventIds);
    add(e, c, "reason", x.reason, number, criteria::kReasonCodes);
    add(e, c, "audit", x.audit, [](const AuditExpect& a) {
        Entries audit = {{"activity", yamlScalar(a.activity)}};
        if (a.success) {
            audit.emplace_back("result", *a.success ? "success" : "failure");
        }
        return flowMap(audit);
    });
    add(e, c, "dismissed", x.dismissed, [](bool v) { return std::string(v ? "true" : "false"); });
    if (x.risk) {
        e.emplace_back("risk", riskFlow(*x.risk));
    }
    if (auto criterion = criterionText(c); !criterion.empty()) {
        e.emplace_back("criterion", criterion);
    }
    return e.empty() ? std::string() : flowMap(e);
}

}  // namespace

void writeSteps(Emitter& out, const Scenario& s) {
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        const auto& step = s.steps[i];
        const std::string key = "steps." + std::to_string(i + 1);
        out.before(2, key);
        out.line(2, "- " + std::visit(Operation{}, step.action), key);
        if (auto relay = relayFlow(step.relay); !relay.empty()) {
            out.line(4, "relay: " + relay, key + ".relay");
        }
        if (step.during) {
            out.line(4,
                     "during: " +
                         (step.during->kind == During::Kind::ConfirmCompromised
                              ? std::string("{confirm_compromised: true}")
                              : "{risk_detection: " + detectionFlow(step.during->detection) + "}"));
        }
        if (auto expect = expectFlow(step.expect); !expect.empty()) {
            out.line(4, "expect: " + expect, key + ".expect");
        }
    }
}

}  // namespace wblab::scenario::detail
