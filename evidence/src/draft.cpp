// The scenario draft (evidence.hpp, draft.hpp): the directory, the operations and the risk in
// time order, placeholders for passwords, then steps with the observed outcomes as
// expectations, each commented with the evidence line it came from.
#include "draft.hpp"

#include <algorithm>
#include <filesystem>

namespace wblab::evidence {

namespace detail {

std::string Builder::cite(const SourcePos& where) {
    const std::string file = std::filesystem::path(where.file).filename().string();
    return where.line > 0 ? file + ":" + std::to_string(where.line) : file;
}

scenario::UserSpec* Builder::userBySam(const std::string& sam) {
    for (auto& u : s.onprem.users) {
        if (u.sam == sam) {
            return &u;
        }
    }
    return nullptr;
}

namespace {

std::string samFromUpn(const std::string& upn, const scenario::Scenario& s) {
    std::string base;
    for (char c : upn.substr(0, upn.find('@'))) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_') {
            base += c;
        }
    }
    base = base.substr(0, 18);
    if (base.empty()) {
        base = "user";
    }
    std::string sam = base;
    for (int n = 2; s.userWithSam(sam) != nullptr; ++n) {
        sam = base + std::to_string(n);
    }
    return sam;
}

}  // namespace

std::string Builder::resolve(const std::string& upn, const SourcePos& where) {
    for (auto& u : s.onprem.users) {
        if (iequals(u.upn, upn) || iequals(u.cloudUpn, upn)) {
            return u.sam;
        }
    }
    for (auto& u : s.onprem.users) {
        const auto& mails = facts[u.sam].mails;
        if (std::find(mails.begin(), mails.end(), lower(upn)) != mails.end()) {
            u.cloudUpn = upn;
            notes.after["onprem.users." + u.sam + ".cloud_upn"] =
                cite(where) + " signs in as this (mail / proxyAddresses at " +
                cite(facts[u.sam].entry->where) + ")";
            return u.sam;
        }
    }
    scenario::UserSpec u;
    u.sam = samFromUpn(upn, s);
    u.upn = upn;
    notes.before["onprem.users." + u.sam] =
        cite(where) + ": " + upn +
        (evidence.entries.empty() ? "" : ", not in the directory export");
    facts[u.sam] = UserFacts{};
    s.onprem.users.push_back(u);
    return s.onprem.users.back().sam;
}

namespace {

template <typename T>
scenario::Expectation<T> observed(T value, std::string criterion) {
    return scenario::Expectation<T>{std::move(value), std::move(criterion)};
}

const char* activityOf(const Op& op) {
    switch (op.kind) {
        case OpKind::Reset:
            return "Reset password (self-service)";
        case OpKind::Change:
            return "Change password (self-service)";
        case OpKind::AdminReset:
            return "Reset password (by admin)";
        case OpKind::Unlock:
            return "Unlock user account (self-service)";
        case OpKind::OnPremChange:
            return "";
    }
    return "";
}

scenario::Action actionOf(const Op& op, const scenario::UserSpec& u) {
    const std::string user = u.signInName();
    switch (op.kind) {
        case OpKind::Reset:
            return scenario::SsprReset{user, op.newPassword, true, std::nullopt};
        case OpKind::Change:
            if (op.signIn) {
                return scenario::SignIn{user, op.oldPassword, op.newPassword, std::nullopt};
            }
            return scenario::SsprChange{user, op.oldPassword, op.newPassword};
        case OpKind::AdminReset:
            return scenario::AdminReset{user, op.newPassword, op.mustChange, {}};
        case OpKind::Unlock:
            return scenario::Unlock{user};
        case OpKind::OnPremChange:
            return scenario::OnPremChange{u.sam, op.oldPassword, op.newPassword};
    }
    return scenario::Unlock{user};
}

void expectObserved(scenario::Step& step, const Op& op) {
    auto& e = step.expect;
    if (op.outcome) {
        e.outcome = observed(*op.outcome, scenario::criterionForOutcome(step.action, *op.outcome));
        if (op.audit != nullptr && op.kind != OpKind::OnPremChange) {
            e.audit = observed(scenario::AuditExpect{activityOf(op), op.audit->result == "success"},
                               e.outcome->criterion);
        }
    }
    if (op.signIn) {
        e.signIn = observed(sim::SignInOutcome::PasswordChanged, std::string("ip-risk-policies"));
    }
    if (!op.events.empty()) {
        std::vector<int> ids;
        int reason = 0;
        for (const auto* ev : op.events) {
            ids.push_back(ev->id);
            if (reason == 0 && ev->id >= 32000 && ev->id < 34000) {
                reason = ev->id;
            }
        }
        e.events = observed(ids, std::string("wb-event-ids"));
        if (reason != 0) {
            e.reason = observed(reason, std::string("wb-reason-codes"));
        }
    }
}

std::string eventsNote(const Op& op) {
    if (op.events.empty()) {
        return {};
    }
    std::string ids;
    for (const auto* ev : op.events) {
        ids += (ids.empty() ? "" : ", ") + std::to_string(ev->id);
    }
    return Builder::cite(op.events.front()->where) + ": the agent logged " + ids;
}

struct Item {
    std::int64_t time;
    scenario::Step step;
    std::string note;
    std::map<std::string, std::string> after;  ///< keys relative to the step: ".expect"
};

Item itemOf(Builder& b, const Op& op) {
    const auto* u = b.userBySam(op.user);
    Item item{op.time, scenario::Step{actionOf(op, *u), {}, std::nullopt, {}, {}}, {}, {}};
    item.step.relay.delaySeconds = op.relayDelay;
    if (op.kind != OpKind::OnPremChange) {
        expectObserved(item.step, op);
    }
    std::string note = formatUtc(op.time);
    if (op.audit != nullptr) {
        note += "  " + Builder::cite(op.audit->where) + ": " + op.audit->activity + " for " +
                op.upn + ", " + op.audit->result;
    }
    if (auto events = eventsNote(op); !events.empty()) {
        note += "\n" + events;
    }
    if (!op.outcomeSource.empty() && op.audit != nullptr &&
        op.outcomeSource.find("inferred") != std::string::npos) {
        note += "\noutcome " + op.outcomeSource;
    }
    if (op.relayDelay > 0) {
        note += "\nthe agent logged it " + std::to_string(op.relayDelay) +
                " s after the cloud: the relay held it (relay.delay)";
    }
    if (op.mustChange) {
        note += "\nmust_change: " + op.mustChangeSource;
    }
    if (op.signIn) {
        note +=
            "\na secure change at sign-in under the user-risk policy (the riskyUser ends "
            "userPerformedSecuredPasswordChange)";
    }
    note += "\npasswords: " + op.passwordNote;
    item.note = note;
    return item;
}

}  // namespace

void draftSteps(Builder& b) {
    std::vector<Item> items;
    for (const auto& op : b.ops) {
        items.push_back(itemOf(b, op));
    }
    for (const auto& r : b.risks) {
        const auto* u = b.userBySam(b.resolve(r.upn, r.where));
        scenario::Step step{
            scenario::RiskDetection{u->signInName(), {r.type, r.level}}, {}, std::nullopt, {}, {}};
        items.push_back({r.time,
                         step,
                         formatUtc(r.time) + "  " + Builder::cite(r.where) + ": riskDetection " +
                             sim::toString(r.type),
                         {}});
    }
    for (const auto& sam : b.deletedUsers) {
        const auto first =
            std::find_if(b.ops.begin(), b.ops.end(), [&](const Op& o) { return o.user == sam; });
        scenario::Step step{scenario::OnPremDelete{sam}, {}, std::nullopt, {}, {}};
        items.push_back({first->time - 1,
                         step,
                         sam + " is not in the directory export and the agent found no object "
                               "for it (33002): deleted on-premises before the next sync",
                         {}});
    }
    std::stable_sort(
        items.begin(), items.end(), [](const Item& x, const Item& y) { return x.time < y.time; });
    std::int64_t previous = items.empty() ? 0 : items.front().time;
    for (auto& item : items) {
        if (item.time - previous >= 60) {
            b.s.steps.push_back(
                scenario::Step{scenario::Advance{item.time - previous}, {}, std::nullopt, {}, {}});
        }
        previous = std::max(previous, item.time);
        b.s.steps.push_back(item.step);
        b.notes.before["steps." + std::to_string(b.s.steps.size())] = item.note;
    }
}

namespace {

void draftMethods(Builder& b) {
    if (b.evidence.methods.empty()) {
        return;
    }
    std::vector<sim::Method> methods;
    auto add = [&](sim::Method m) {
        if (std::find(methods.begin(), methods.end(), m) == methods.end()) {
            methods.push_back(m);
        }
    };
    std::string cited;
    for (const auto& m : b.evidence.methods) {
        if (!m.enabled) {
            continue;
        }
        cited += (cited.empty() ? "" : ", ") + m.id;
        if (iequals(m.id, "Email")) {
            add(sim::Method::Email);
        } else if (iequals(m.id, "Sms") || iequals(m.id, "Voice")) {
            add(sim::Method::MobilePhone);
        } else if (iequals(m.id, "MicrosoftAuthenticator")) {
            add(sim::Method::AppNotification);
            add(sim::Method::AppCode);
        } else if (iequals(m.id, "SoftwareOath")) {
            add(sim::Method::AppCode);
        }
    }
    const bool onlyApp = std::all_of(methods.begin(), methods.end(), [](sim::Method m) {
        return m == sim::Method::AppNotification || m == sim::Method::AppCode;
    });
    if (methods.empty() || onlyApp) {
        b.remarks.push_back(Builder::cite(b.evidence.methods.front().where) +
                            ": the enabled methods leave SSPR no usable mix; the lab's default "
                            "methods are used");
        return;
    }
    b.s.tenant.methods = methods;
    b.notes.after["tenant.methods"] =
        Builder::cite(b.evidence.methods.front().where) + ": enabled " + cited;
    b.s.established.push_back("tenant");
}

/// A riskyUser remediated by a secure password change: the user-risk policy asked for it at
/// sign-in, and the user's last accepted change was that secure change.
void draftRiskPolicy(Builder& b) {
    for (const auto& r : b.evidence.riskyUsers) {
        auto detail = sim::riskDetailFromString(r.detail);
        if (!detail || (*detail != sim::RiskDetail::UserPerformedSecuredPasswordChange)) {
            continue;
        }
        const std::string sam = b.resolve(r.upn, r.where);
        Op* last = nullptr;
        for (auto& op : b.ops) {
            if (op.user == sam && op.kind == OpKind::Change &&
                op.outcome == sim::Outcome::Success) {
                last = &op;
            }
        }
        if (last == nullptr) {
            continue;
        }
        last->signIn = true;
        auto& ip = b.s.tenant.identityProtection;
        ip.userRiskPolicy.enabled = true;
        ip.userRiskPolicy.grant = sim::RiskGrant::PasswordChange;
        sim::RiskLevel threshold = sim::RiskLevel::High;
        for (const auto& d : b.risks) {
            if (iequals(d.upn, r.upn) && d.level < threshold) {
                threshold = d.level;
            }
        }
        ip.userRiskPolicy.threshold = threshold;
        b.notes.after["tenant.user_risk_policy"] =
            Builder::cite(r.where) + ": " + r.upn + " ends " + r.state + " / " + r.detail;
        const bool onPremBefore = std::any_of(b.ops.begin(), b.ops.end(), [&](const Op& o) {
            return o.user == sam && o.kind == OpKind::OnPremChange && o.time < last->time;
        });
        if (onPremBefore) {
            b.notes.after["tenant.on_premises_change_resets_risk"] =
                "the risk outlived the on-premises change: a secure change was still asked for";
        }
    }
}

void expectEndState(Builder& b) {
    for (const auto& r : b.evidence.riskyUsers) {
        auto level = sim::riskLevelFromString(r.level);
        auto state = sim::riskStateFromString(r.state);
        auto detail = sim::riskDetailFromString(r.detail);
        if (!level || !state || !detail) {
            b.remarks.push_back(Builder::cite(r.where) +
                                ": risk values not known to the lab; not expected");
            continue;
        }
        const auto* u = b.userBySam(b.resolve(r.upn, r.where));
        const std::string c = *state == sim::RiskState::Remediated ? "ip-remediation-by-writeback"
                                                                   : "ip-risk-policies";
        scenario::RiskExpect e;
        e.user = u->signInName();
        e.level = observed(*level, c);
        e.state = observed(*state, c);
        e.detail = observed(*detail, c);
        b.s.expectRisk.push_back(e);
        b.notes.after["expect.risk." + e.user] = Builder::cite(r.where);
    }
    for (const auto& u : b.s.onprem.users) {
        const auto& f = b.facts[u.sam];
        if (f.entry == nullptr) {
            continue;
        }
        scenario::DirectoryExpect d;
        d.user = u.sam;
        const bool askedMustChange = std::any_of(b.ops.begin(), b.ops.end(), [&](const Op& o) {
            return o.user == u.sam && o.mustChange;
        });
        if (askedMustChange && f.pwdLastSet) {
            d.mustChange = observed(*f.pwdLastSet == 0, std::string("wb-admin-reset-must-change"));
        }
        const bool lockEvidence =
            u.locked || std::any_of(b.ops.begin(), b.ops.end(), [&](const Op& o) {
                return o.user == u.sam &&
                       (o.kind == OpKind::Unlock ||
                        std::any_of(o.events.begin(), o.events.end(), [](const AgentEvent* e) {
                            return e->id == 33006;
                        }));
            });
        if (lockEvidence && f.lockoutTime) {
            d.locked = observed(*f.lockoutTime != 0, std::string("wb-reset-unlocks"));
        }
        if (d.mustChange || d.locked) {
            b.notes.after["expect.directory." + u.sam] =
                Builder::cite(f.entry->where) +
                ": pwdLastSet / lockoutTime as exported after the incident";
            b.s.expectDirectory.push_back(d);
        }
    }
}

/// Users the agent could not find (33002) who are not in the directory export were deleted
/// (or moved out of scope) on-premises before the sync noticed (DOMAIN.md §9.3).
void findDeletedUsers(Builder& b) {
    if (b.evidence.entries.empty()) {
        return;
    }
    for (const auto& op : b.ops) {
        const bool notFound = std::any_of(
            op.events.begin(), op.events.end(), [](const AgentEvent* e) { return e->id == 33002; });
        if (notFound && b.facts[op.user].entry == nullptr) {
            b.deletedUsers.insert(op.user);
        }
    }
}

std::string symptomOf(const Builder& b) {
    std::string out;
    int shown = 0;
    for (const auto& op : b.ops) {
        const bool failed = op.outcome && *op.outcome != sim::Outcome::Success;
        if (!failed || shown == 3) {
            continue;
        }
        std::string ids;
        for (const auto* e : op.events) {
            ids += (ids.empty() ? "" : ", ") + std::to_string(e->id);
        }
        out += (out.empty() ? "" : "; ") + std::string(activityOf(op)) + " for " + op.upn + ": " +
               sim::toString(*op.outcome) + (ids.empty() ? "" : ", Application log " + ids);
        ++shown;
    }
    return out.empty() ? "every operation in the evidence succeeded" : out;
}

}  // namespace

}  // namespace detail

Expected<Draft> draftScenario(const Evidence& evidence, const DraftOptions& options) {
    using namespace detail;
    Builder b{evidence, options, {}, {}, {}, {}, {}, {}, {}, {}};
    b.s.id = options.id;
    draftDirectory(b);
    draftTimeline(b);
    draftRisk(b);
    if (b.ops.empty() && b.risks.empty()) {
        return makeError(ErrorCode::InvalidInput,
                         "the evidence holds no password operation (audit entries of "
                         "Self-service Password Management, or agent events 31001/31006/31009) "
                         "and no risk detection: nothing to replay");
    }
    draftMethods(b);
    if (std::any_of(
            b.ops.begin(), b.ops.end(), [](const Op& o) { return o.kind == OpKind::Unlock; })) {
        b.s.tenant.unlockWithoutReset = true;
        b.notes.after["tenant.unlock_without_reset"] = "the audit log shows self-service unlocks";
    }
    findDeletedUsers(b);
    draftRiskPolicy(b);
    std::int64_t first = b.ops.empty() ? b.risks.front().time : b.ops.front().time;
    for (const auto& r : b.risks) {
        first = std::min(first, r.time);
    }
    draftAccounts(b, first);
    draftSteps(b);
    expectEndState(b);
    b.s.symptom = symptomOf(b);
    const std::string headline = b.s.symptom.substr(0, b.s.symptom.find(';'));
    b.s.title = "Imported: " + (headline.size() > 100 ? headline.substr(0, 97) + "..." : headline);
    b.s.tags = {"imported"};
    b.notes.header = {"Drafted by wblab import from:"};
    for (const auto& f : evidence.files) {
        b.notes.header.push_back("  " + f);
    }
    b.notes.header.push_back(
        "Passwords are placeholders (none is ever imported): replace them with the");
    b.notes.header.push_back(
        "customer's patterns if the policy needs it. Each value says where it came from.");
    b.notes.header.push_back("wblab diagnose " + options.id +
                             ".yaml ranks the causes that reproduce it.");
    Draft draft;
    draft.yaml = scenario::toYaml(b.s, b.notes);
    draft.notes = std::move(b.remarks);
    return draft;
}

}  // namespace wblab::evidence
