// The operations in the draft (draft.hpp): what the audit log says a user or an admin did and
// saw (activities of "Self-service Password Management", howto-sspr-reporting and
// reference-audit-activities on Learn), what the agent logged for it (PasswordResetService
// events 31001-33009, troubleshoot-sspr-writeback), matched by user, kind and time.
#include "draft.hpp"

#include <algorithm>
#include <regex>

namespace wblab::evidence::detail {

namespace {

/// Requests older than this the agent's log cannot belong to (the lab's reading of "several
/// minutes" of relay lifetime, with room).
constexpr std::int64_t kMatchWindowSeconds = 900;

std::optional<OpKind> kindOfActivity(const AuditRecord& a) {
    if (a.activity == "Reset password (self-service)" ||
        a.activity == "Blocked from self-service password reset") {
        return OpKind::Reset;
    }
    if (a.activity == "Change password (self-service)") {
        return OpKind::Change;
    }
    if (a.activity == "Reset password (by admin)") {
        return OpKind::AdminReset;
    }
    if (a.activity == "Unlock user account (self-service)") {
        return OpKind::Unlock;
    }
    return std::nullopt;
}

std::optional<OpKind> kindOfStartEvent(int id) {
    switch (id) {
        case 31001:
            return OpKind::Reset;
        case 31006:
            return OpKind::Change;
        case 31009:
            return OpKind::AdminReset;
        default:
            return std::nullopt;
    }
}

bool isWritebackEvent(int id) {
    return (id >= 31001 && id <= 31011 && id != 31004 && id != 31005) ||
           (id >= 32000 && id <= 32015) || (id >= 33001 && id <= 33009);
}

std::string upnIn(const std::string& text) {
    static const std::regex email(R"([A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})");
    std::smatch m;
    return std::regex_search(text, m, email) ? m.str() : std::string();
}

struct Group {
    OpKind kind;
    std::string upn;
    std::vector<const AgentEvent*> events;
    bool used = false;
};

std::vector<Group> groupEvents(const Evidence& e) {
    std::vector<const AgentEvent*> sorted;
    for (const auto& ev : e.events) {
        if (isWritebackEvent(ev.id)) {
            sorted.push_back(&ev);
        }
    }
    // Times have second resolution (Event Viewer's CSV, which also lists newest first): events
    // of one second keep the order the agent logs them in, start, result, reason.
    auto rank = [](int id) { return kindOfStartEvent(id) ? 0 : (id < 32000 ? 1 : 2); };
    std::stable_sort(sorted.begin(), sorted.end(), [&](auto* a, auto* b) {
        return a->time != b->time ? a->time < b->time : rank(a->id) < rank(b->id);
    });
    std::vector<Group> groups;
    for (const auto* ev : sorted) {
        if (auto kind = kindOfStartEvent(ev->id)) {
            groups.push_back({*kind, upnIn(ev->text), {ev}, false});
        } else if (!groups.empty() && ev->time - groups.back().events.front()->time <= 60) {
            groups.back().events.push_back(ev);
        }
    }
    return groups;
}

/// The outcome an audit entry's result and reason say (troubleshoot-sspr's codes and enum names,
/// the 2017 report's texts, and the lab's own reasons so that the lab's log reads back).
std::optional<sim::Outcome> outcomeOfReason(const AuditRecord& a) {
    using sim::Outcome;
    const std::string reason = lower(a.resultReason);
    if (a.result == "success") {
        return reason.find("onpremisessuccesscloudfailure") != std::string::npos
                   ? Outcome::OnPremisesSuccessCloudFailure
                   : Outcome::Success;
    }
    if (a.activity == "Blocked from self-service password reset") {
        return Outcome::Throttled;
    }
    for (auto o : sim::allOutcomes()) {
        const std::string name = sim::toString(o);
        if (startsWith(name, "SSPR_") && reason.find(lower(name)) != std::string::npos) {
            return o;
        }
    }
    const std::pair<const char*, Outcome> texts[] = {
        {"tenantssprflagdisabled", Outcome::TenantSsprDisabled},
        {"writebacknotenabled", Outcome::WritebackNotEnabled},
        {"managed on-premises", Outcome::WritebackNotEnabled},
        {"ssprnotenabledinuserpolicy", Outcome::SsprPolicyNotDefined},
        {"usernotlicensed", Outcome::UserNotLicensed},
        {"usernotmemberofscopedaccessgroup", Outcome::NotInSsprGroup},
        {"usernotproperlyconfigured", Outcome::NotEnoughMethods},
        {"onpremisesadminactionrequired", Outcome::OnPremisesAdminActionRequired},
        {"onpremisesconnectivityerror", Outcome::OnPremisesConnectivityError},
        {"could not reach your on-premises", Outcome::OnPremisesConnectivityError},
        {"password reset service reported an error", Outcome::OnPremisesConnectivityError},
        {"problem while resetting the user's on-premises", Outcome::OnPremisesAdminActionRequired},
        {"problem while updating the user's on-premises", Outcome::OnPremisesAdminActionRequired},
        {"fuzzypolicyviolationinvalidpassword", Outcome::BannedPassword},
        {"on-premises policy violation", Outcome::OnPremisesPolicyViolation},
        {"current password is incorrect", Outcome::WrongOldPassword},
        {"locked out", Outcome::AccountLockedOut},
    };
    for (const auto& [text, outcome] : texts) {
        if (reason.find(text) != std::string::npos) {
            return outcome;
        }
    }
    return std::nullopt;
}

/// The cloud model's reading of an agent reason (docs/cloud-model.md, "Outcomes of a writeback").
std::optional<sim::Outcome> outcomeOfReasonCode(int reason, OpKind kind) {
    using sim::Outcome;
    if (reason >= 32000 && reason < 33000) {
        return Outcome::OnPremisesConnectivityError;
    }
    if (reason == 33008) {
        return Outcome::OnPremisesPolicyViolation;
    }
    if (reason == 33007) {
        return Outcome::WrongOldPassword;
    }
    if (reason == 33006 && kind == OpKind::Change) {
        return Outcome::AccountLockedOut;
    }
    if (reason > 33000 && reason < 34000) {
        return Outcome::OnPremisesAdminActionRequired;
    }
    return std::nullopt;
}

int reasonOf(const Op& op) {
    for (const auto* e : op.events) {
        if (e->id >= 32000 && e->id < 34000) {
            return e->id;
        }
    }
    return 0;
}

void settleOutcome(Builder& b, Op& op) {
    if (op.audit != nullptr) {
        if (auto o = outcomeOfReason(*op.audit)) {
            op.outcome = o;
            op.outcomeSource =
                Builder::cite(op.audit->where) + ": " + op.audit->activity + ", " +
                op.audit->result +
                (op.audit->resultReason.empty() ? "" : " (" + op.audit->resultReason + ")");
            return;
        }
    }
    const int reason = reasonOf(op);
    if (auto o = outcomeOfReasonCode(reason, op.kind); o && op.audit != nullptr) {
        op.outcome = o;
        op.outcomeSource = Builder::cite(op.audit->where) + ": failure, reason '" +
                           op.audit->resultReason + "' not known; inferred from event " +
                           std::to_string(reason) + " (docs/cloud-model.md)";
        return;
    }
    if (op.audit != nullptr) {
        b.remarks.push_back(Builder::cite(op.audit->where) + ": the reason '" +
                            op.audit->resultReason +
                            "' is not one wblab knows and the agent's log gives none: no outcome "
                            "is expected for this step");
    }
}

/// "Admins requires the user to reset their password" beside an admin reset: must change.
void markMustChange(const Evidence& e, Op& op) {
    for (const auto& a : e.audits) {
        const bool same =
            (!a.correlationId.empty() && a.correlationId == op.audit->correlationId) ||
            (iequals(a.targetUpn, op.upn) && std::llabs(a.time - op.time) <= 60);
        if (a.activity == "Admins requires the user to reset their password" && same) {
            op.mustChange = true;
            op.mustChangeSource = Builder::cite(a.where) + ": " + a.activity;
        }
    }
}

/// Core Directory "Change user password" with no writeback of the user just before: password
/// hash sync bringing a change made on-premises (DOMAIN.md §6.4).
bool onPremChange(const Evidence& e, const AuditRecord& a) {
    if (a.activity != "Change user password" || a.service == "Self-service Password Management") {
        return false;
    }
    for (const auto& other : e.audits) {
        if (kindOfActivity(other) && iequals(other.targetUpn, a.targetUpn) &&
            other.result == "success" && other.time <= a.time && a.time - other.time <= 600) {
            return false;
        }
    }
    return true;
}

void matchEvents(Builder& b, Op& op, std::vector<Group>& groups) {
    for (auto& g : groups) {
        const std::int64_t start = g.events.front()->time;
        const bool sameUser = g.upn.empty() || iequals(g.upn, op.upn) ||
                              b.resolve(g.upn, g.events.front()->where) == op.user;
        const bool kindOk =
            g.kind == op.kind || (op.kind == OpKind::Unlock && g.kind == OpKind::Reset);
        if (!g.used && kindOk && sameUser && start >= op.time - 60 &&
            start <= op.time + kMatchWindowSeconds) {
            g.used = true;
            op.events = g.events;
            if (start - op.time >= 30) {
                op.relayDelay = start - op.time;  // the relay held the request this long
            }
            return;
        }
    }
}

}  // namespace

void draftTimeline(Builder& b) {
    auto groups = groupEvents(b.evidence);
    for (const auto& a : b.evidence.audits) {
        auto kind = kindOfActivity(a);
        const bool onPrem = !kind && onPremChange(b.evidence, a);
        if ((!kind && !onPrem) || a.targetUpn.empty()) {
            continue;
        }
        Op op;
        op.kind = onPrem ? OpKind::OnPremChange : *kind;
        op.time = a.time;
        op.upn = a.targetUpn;
        op.user = b.resolve(a.targetUpn, a.where);
        op.audit = &a;
        if (onPrem) {
            b.ops.push_back(std::move(op));
            continue;
        }
        matchEvents(b, op, groups);
        if (op.kind == OpKind::AdminReset) {
            markMustChange(b.evidence, op);
        }
        settleOutcome(b, op);
        b.ops.push_back(std::move(op));
    }
    for (auto& g : groups) {
        if (g.used) {
            continue;
        }
        Op op;
        op.kind = g.kind;
        op.time = g.events.front()->time;
        op.upn = g.upn;
        if (g.upn.empty()) {
            b.remarks.push_back(Builder::cite(g.events.front()->where) +
                                ": the event names no user; it is left out");
            continue;
        }
        op.user = b.resolve(g.upn, g.events.front()->where);
        op.events = g.events;
        b.ops.push_back(std::move(op));
    }
    std::stable_sort(
        b.ops.begin(), b.ops.end(), [](const Op& x, const Op& y) { return x.time < y.time; });
}

void draftRisk(Builder& b) {
    for (const auto& d : b.evidence.detections) {
        auto type = sim::detectionTypeFromString(d.eventType);
        auto level = sim::riskLevelFromString(d.level);
        if (!type || !level || *level == sim::RiskLevel::None) {
            b.remarks.push_back(Builder::cite(d.where) + ": detection '" + d.eventType + "' (" +
                                d.level + ") cannot be raised in the lab; left out");
            continue;
        }
        b.resolve(d.upn, d.where);
        b.risks.push_back({d.detected, d.upn, *type, *level, d.where});
    }
}

}  // namespace wblab::evidence::detail
