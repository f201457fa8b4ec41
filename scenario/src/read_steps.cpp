// The steps of a scenario (`steps:`): one operation each, its relay and race, and its `expect`.
#include "loading.hpp"

#include <algorithm>
#include <functional>

namespace wblab::scenario::detail {

namespace {

using Parse =
    std::function<Action(const Reader&, const YAML::Node&, const std::string&, const StepContext&)>;

struct StepKind {
    const char* name;
    Parse parse;
    std::vector<std::string> expectKeys;  ///< what its `expect` may hold
};

std::string cloudUser(const Reader& r,
                      const YAML::Node& op,
                      const std::string& opPath,
                      const char* key,
                      const StepContext& ctx) {
    r.require(op, opPath, {key});
    const std::string upn = r.string(op[key], opPath + "." + key);
    checkCloudUser(r, op[key], opPath + "." + key, upn, ctx.scenario);
    return upn;
}

/// The user of an operation that needs an on-premises account: a change (the lab knows no
/// cloud-only password to check the current one against) or an unlock (a cloud-only user has no
/// on-premises lockout).
std::string syncedUser(const Reader& r,
                       const YAML::Node& op,
                       const std::string& opPath,
                       const StepContext& ctx,
                       const char* why) {
    r.require(op, opPath, {"user"});
    const std::string upn = r.string(op["user"], opPath + ".user");
    if (ctx.scenario.cloudOnlyUser(upn) != nullptr) {
        r.fail(op["user"], opPath + ".user", "'" + upn + "' is a cloud-only user: " + why);
    }
    if (ctx.scenario.userSigningInAs(upn) == nullptr) {
        r.fail(op["user"],
               opPath + ".user",
               "no user signs in as '" + upn + "' (the upn, or cloud_upn when set)");
    }
    return upn;
}

constexpr const char* kChangeNeedsSynced =
    "the lab keeps no cloud-only password to check the current one against (give an on-premises "
    "user)";

std::string password(const Reader& r,
                     const YAML::Node& op,
                     const std::string& opPath,
                     const char* key) {
    r.require(op, opPath, {key});
    return readPassword(r, op[key], opPath + "." + key);
}

Detection readDetection(const Reader& r,
                        const YAML::Node& node,
                        const std::string& path,
                        bool userKey) {
    if (userKey) {
        r.checkKeys(node, path, {"user", "type", "level"});
    } else {
        r.checkKeys(node, path, {"type", "level"});
    }
    r.require(node, path, {"type"});
    Detection d;
    d.type = r.oneOf<sim::DetectionType>(
        node["type"], path + ".type", sim::detectionTypeFromString, sim::detectionTypeNames());
    if (node["level"]) {
        d.level = r.oneOf<sim::RiskLevel>(
            node["level"], path + ".level", sim::riskLevelFromString, {"low", "medium", "high"});
        if (d.level == sim::RiskLevel::None) {
            r.fail(node["level"], path + ".level", "expected low, medium or high");
        }
    }
    return d;
}

/// `timing: {code_entered_after, submitted_after}`: how long the user takes in the portal.
SsprTiming readTiming(const Reader& r, const YAML::Node& node, const std::string& path) {
    r.checkKeys(node, path, {"code_entered_after", "submitted_after"});
    r.requireMap(node, path);
    if (!node["code_entered_after"] && !node["submitted_after"]) {
        r.fail(node, path, "give code_entered_after, submitted_after or both");
    }
    SsprTiming t;
    if (node["code_entered_after"]) {
        t.codeEnteredAfterSeconds =
            r.duration(node["code_entered_after"], path + ".code_entered_after");
        t.submittedAfterSeconds = t.codeEnteredAfterSeconds;
    }
    if (node["submitted_after"]) {
        t.submittedAfterSeconds = r.duration(node["submitted_after"], path + ".submitted_after");
        if (t.submittedAfterSeconds < t.codeEnteredAfterSeconds) {
            r.fail(node["submitted_after"],
                   path + ".submitted_after",
                   "the new password is submitted after the code is entered: give at least "
                   "code_entered_after");
        }
    }
    return t;
}

Action parseSsprReset(const Reader& r,
                      const YAML::Node& op,
                      const std::string& path,
                      const StepContext& ctx) {
    r.checkKeys(op, path, {"user", "new_password", "unlock", "timing"});
    SsprReset s;
    s.user = cloudUser(r, op, path, "user", ctx);
    s.newPassword = password(r, op, path, "new_password");
    if (op["unlock"]) {
        s.unlock = r.boolean(op["unlock"], path + ".unlock");
    }
    if (op["timing"]) {
        s.timing = readTiming(r, op["timing"], path + ".timing");
    }
    return s;
}

Action parseChange(const Reader& r,
                   const YAML::Node& op,
                   const std::string& path,
                   const StepContext& ctx,
                   bool forced) {
    r.checkKeys(op, path, {"user", "old_password", "new_password"});
    auto user = syncedUser(r, op, path, ctx, kChangeNeedsSynced);
    auto oldPw = password(r, op, path, "old_password");
    auto newPw = password(r, op, path, "new_password");
    if (forced) {
        return ForcedChange{user, oldPw, newPw};
    }
    return SsprChange{user, oldPw, newPw};
}

Action parseAdminReset(const Reader& r,
                       const YAML::Node& op,
                       const std::string& path,
                       const StepContext& ctx) {
    r.checkKeys(op, path, {"user", "new_password", "must_change", "by"});
    AdminReset a;
    a.user = cloudUser(r, op, path, "user", ctx);
    a.newPassword = password(r, op, path, "new_password");
    if (op["must_change"]) {
        a.mustChange = r.boolean(op["must_change"], path + ".must_change");
    }
    if (op["by"]) {
        a.by = cloudUser(r, op, path, "by", ctx);
    }
    return a;
}

Action parseGraphReset(const Reader& r,
                       const YAML::Node& op,
                       const std::string& path,
                       const StepContext& ctx) {
    r.checkKeys(op, path, {"caller", "user", "new_password"});
    GraphReset g;
    g.caller = cloudUser(r, op, path, "caller", ctx);
    g.user = cloudUser(r, op, path, "user", ctx);
    if (op["new_password"]) {
        g.newPassword = readPassword(r, op["new_password"], path + ".new_password");
    }
    return g;
}

Action parseSignIn(const Reader& r,
                   const YAML::Node& op,
                   const std::string& path,
                   const StepContext& ctx) {
    r.checkKeys(op, path, {"user", "password", "new_password", "detection"});
    SignIn s;
    s.user = cloudUser(r, op, path, "user", ctx);
    s.password = password(r, op, path, "password");
    if (op["new_password"]) {
        s.newPassword = readPassword(r, op["new_password"], path + ".new_password");
    }
    if (op["detection"]) {
        s.detection = readDetection(r, op["detection"], path + ".detection", false);
    }
    return s;
}

Action parseUnsupportedReset(const Reader& r,
                             const YAML::Node& op,
                             const std::string& path,
                             const StepContext& ctx) {
    r.checkKeys(op, path, {"path", "user", "new_password"});
    r.require(op, path, {"path"});
    UnsupportedReset u;
    u.path = r.oneOf<sim::UnsupportedPath>(
        op["path"], path + ".path", sim::unsupportedPathFromString, sim::unsupportedPathNames());
    u.user = cloudUser(r, op, path, "user", ctx);
    u.newPassword = password(r, op, path, "new_password");
    return u;
}

Action parseOnPremChange(const Reader& r,
                         const YAML::Node& op,
                         const std::string& path,
                         const StepContext& ctx) {
    r.checkKeys(op, path, {"user", "old_password", "new_password"});
    r.require(op, path, {"user"});
    OnPremChange c;
    c.sam = r.string(op["user"], path + ".user");
    checkSam(r, op["user"], path + ".user", c.sam, ctx.scenario.onprem);
    c.oldPassword = password(r, op, path, "old_password");
    c.newPassword = password(r, op, path, "new_password");
    return c;
}

std::string samOf(const Reader& r,
                  const YAML::Node& op,
                  const std::string& path,
                  const StepContext& ctx) {
    std::string sam = r.string(op, path);
    checkSam(r, op, path, sam, ctx.scenario.onprem);
    return sam;
}

std::string upnOf(const Reader& r,
                  const YAML::Node& op,
                  const std::string& path,
                  const StepContext& ctx) {
    std::string upn = r.string(op, path);
    checkCloudUser(r, op, path, upn, ctx.scenario);
    return upn;
}

Action parseFault(const Reader& r, const YAML::Node& op, const std::string& path) {
    const std::string name = r.string(op, path);
    for (auto kind : {FaultKind::AgentDown,
                      FaultKind::AgentUp,
                      FaultKind::AgentCrash,
                      FaultKind::DirectoryDown,
                      FaultKind::DirectoryUp}) {
        if (name == toString(kind)) {
            return Fault{kind};
        }
    }
    r.fail(op,
           path,
           "unknown fault '" + name +
               "' (expected one of: agent_down, agent_up, agent_crash, directory_down, "
               "directory_up)");
}

const std::vector<std::string> kOperationExpect = {"outcome",
                                                   "request_sent",
                                                   "events",
                                                   "events_include",
                                                   "events_exclude",
                                                   "reason",
                                                   "audit",
                                                   "risk"};
const std::vector<std::string> kAgentOnlyExpect = {
    "events", "events_include", "events_exclude", "reason"};
const std::vector<std::string> kRiskOnlyExpect = {"risk"};

using R = const Reader&;
using N = const YAML::Node&;
using P = const std::string&;
using C = const StepContext&;

Action parseSsprChange(R r, N op, P p, C c) {
    return parseChange(r, op, p, c, false);
}

Action parseForcedChange(R r, N op, P p, C c) {
    return parseChange(r, op, p, c, true);
}

Action parseUnlock(R r, N op, P p, C c) {
    r.checkKeys(op, p, {"user"});
    return Unlock{
        syncedUser(r, op, p, c, "unlock clears an on-premises lockout, which they have not")};
}

Action parseAdvance(R r, N op, P p, C) {
    return Advance{r.duration(op, p)};
}

Action parseReplay(R r, N op, P p, C c) {
    return Replay{r.smallInteger(op, p, 1, static_cast<int>(c.index))};
}

Action parseRelease(R r, N op, P p, C c) {
    return Release{r.smallInteger(op, p, 1, static_cast<int>(c.index))};
}

Action parseSync(R r, N op, P p, C) {
    auto parse = [](std::string_view n) -> std::optional<SyncKind> {
        for (auto k : {SyncKind::Objects, SyncKind::Hashes, SyncKind::All}) {
            if (n == toString(k)) {
                return k;
            }
        }
        return std::nullopt;
    };
    return Sync{r.oneOf<SyncKind>(op, p, parse, {"objects", "hashes", "all"})};
}

Action parseOnPremDisable(R r, N op, P p, C c) {
    return OnPremDisable{samOf(r, op, p, c)};
}

Action parseOnPremDelete(R r, N op, P p, C c) {
    return OnPremDelete{samOf(r, op, p, c)};
}

Action parseRiskDetection(R r, N op, P p, C c) {
    Detection d = readDetection(r, op, p, true);
    return RiskDetection{cloudUser(r, op, p, "user", c), d};
}

Action parseLeakedCredentials(R r, N op, P p, C) {
    LeakedCredentials l{readPasswords(r, op, p)};
    if (l.passwords.empty()) {
        r.fail(op, p, "give at least one leaked password");
    }
    return l;
}

Action parseDismissRisk(R r, N op, P p, C c) {
    return DismissRisk{upnOf(r, op, p, c)};
}

Action parseConfirmCompromised(R r, N op, P p, C c) {
    return ConfirmCompromised{upnOf(r, op, p, c)};
}

Action parseRegister(R r, N op, P p, C c) {
    r.checkKeys(op, p, {"user", "methods"});
    r.require(op, p, {"methods"});
    Register reg;
    reg.user = cloudUser(r, op, p, "user", c);
    reg.methods = r.listOf<sim::Method>(
        op["methods"], p + ".methods", sim::methodFromString, sim::methodNames());
    return reg;
}

Action parseFaultStep(R r, N op, P p, C) {
    return parseFault(r, op, p);
}

/// `new_session: {}` or `new_session: {request_ids: restart}`.
Action parseNewSession(R r, N op, P p, C) {
    r.checkKeys(op, p, {"request_ids"});
    NewSession n;
    if (op["request_ids"]) {
        n.restartRequestIds = r.oneOf<bool>(op["request_ids"],
                                            p + ".request_ids",
                                            [](std::string_view v) -> std::optional<bool> {
                                                return v == "restart" ? std::optional<bool>(true)
                                                       : v == "continue"
                                                           ? std::optional<bool>(false)
                                                           : std::nullopt;
                                            },
                                            {"continue", "restart"});
    }
    return n;
}

Action parseTenantChange(R r, N op, P p, C c) {
    TenantChange change;
    change.tenant = readTenantChange(r, op, p, c.scenario.tenantBefore(c.index));
    for (const auto& kv : op) {
        const std::string key = kv.first.Scalar();
        change.changed.push_back(kv.second.IsScalar() ? key + ": " + kv.second.Scalar() : key);
    }
    return change;
}

/// Every kind of step: its key, how to read it, what it may expect.
const std::vector<StepKind>& stepKinds() {
    static const std::vector<StepKind> kinds = {
        {"sspr_reset", parseSsprReset, kOperationExpect},
        {"sspr_change", parseSsprChange, kOperationExpect},
        {"forced_change", parseForcedChange, kOperationExpect},
        {"admin_reset", parseAdminReset, kOperationExpect},
        {"unlock", parseUnlock, kOperationExpect},
        {"advance", parseAdvance, kRiskOnlyExpect},
        {"replay", parseReplay, kAgentOnlyExpect},
        {"graph_reset",
         parseGraphReset,
         {"outcome",
          "request_sent",
          "events",
          "events_include",
          "events_exclude",
          "reason",
          "audit",
          "risk",
          "http_status",
          "operation"}},
        {"unsupported_reset",
         parseUnsupportedReset,
         {"outcome",
          "request_sent",
          "events",
          "events_include",
          "events_exclude",
          "audit",
          "risk"}},
        {"sync", parseSync, kRiskOnlyExpect},
        {"onprem_change", parseOnPremChange, kRiskOnlyExpect},
        {"onprem_disable", parseOnPremDisable, kRiskOnlyExpect},
        {"onprem_delete", parseOnPremDelete, kRiskOnlyExpect},
        {"risk_detection", parseRiskDetection, kRiskOnlyExpect},
        {"leaked_credentials", parseLeakedCredentials, {"leaked_matches", "risk"}},
        {"sign_in",
         parseSignIn,
         {"sign_in",
          "outcome",
          "request_sent",
          "events",
          "events_include",
          "events_exclude",
          "reason",
          "audit",
          "risk"}},
        {"dismiss_risk", parseDismissRisk, {"dismissed", "risk"}},
        {"confirm_compromised", parseConfirmCompromised, kRiskOnlyExpect},
        {"register", parseRegister, kRiskOnlyExpect},
        {"fault", parseFaultStep, {}},
        {"new_session", parseNewSession, {}},
        {"release", parseRelease, kAgentOnlyExpect},
        {"tenant_change", parseTenantChange, {}},
    };
    return kinds;
}

/// `relay: {delay, drop | duplicate | hold}`: at most one of the three.
RelaySpec readRelay(const Reader& r, const YAML::Node& relay, const std::string& path) {
    r.checkKeys(relay, path, {"delay", "drop", "duplicate", "hold"});
    RelaySpec spec;
    if (relay["delay"]) {
        spec.delaySeconds = r.duration(relay["delay"], path + ".delay");
    }
    const std::pair<const char*, RelayMode> modes[] = {
        {"drop", RelayMode::Drop}, {"duplicate", RelayMode::Duplicate}, {"hold", RelayMode::Hold}};
    const char* chosen = nullptr;
    for (const auto& [key, mode] : modes) {
        if (!relay[key] || !r.boolean(relay[key], path + "." + key)) {
            continue;
        }
        if (chosen != nullptr) {
            r.fail(relay[key],
                   path + "." + key,
                   std::string("the relay does one thing with a request: '") + chosen + "' and '" +
                       key + "' are both set");
        }
        chosen = key;
        spec.mode = mode;
    }
    return spec;
}

During readDuring(const Reader& r, const YAML::Node& d, const std::string& path) {
    r.checkKeys(d, path, {"risk_detection", "confirm_compromised"});
    if (d["risk_detection"] && d["confirm_compromised"]) {
        r.fail(d, path, "one event races a step: risk_detection or confirm_compromised");
    }
    if (d["risk_detection"]) {
        return During{During::Kind::RiskDetection,
                      readDetection(r, d["risk_detection"], path + ".risk_detection", false)};
    }
    if (d["confirm_compromised"]) {
        if (!r.boolean(d["confirm_compromised"], path + ".confirm_compromised")) {
            r.fail(d["confirm_compromised"], path + ".confirm_compromised", "expected true");
        }
        return During{During::Kind::ConfirmCompromised, {}};
    }
    r.fail(d, path, "expected risk_detection or confirm_compromised");
}

const StepKind& findKind(const Reader& r, const YAML::Node& node, const std::string& path) {
    std::vector<std::string> keys = {"relay", "expect", "during"};
    for (const auto& kind : stepKinds()) {
        keys.emplace_back(kind.name);
    }
    r.checkKeys(node, path, keys);
    const StepKind* found = nullptr;
    for (const auto& kind : stepKinds()) {
        if (!node[kind.name]) {
            continue;
        }
        if (found != nullptr) {
            r.fail(node[kind.name],
                   path,
                   std::string("a step has one operation; '") + found->name + "' and '" +
                       kind.name + "' are both here");
        }
        found = &kind;
    }
    if (found == nullptr) {
        std::vector<std::string> names(keys.begin() + 3, keys.end());
        r.fail(node, path, "a step needs one of " + joinedNames(names) + ", storm");
    }
    return *found;
}

/// The user whose risk a step's `expect.risk` is about, when it names none.
std::string stepUser(const Action& action) {
    return std::visit(
        [](const auto& a) -> std::string {
            using A = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<A, OnPremChange> || std::is_same_v<A, OnPremDisable> ||
                          std::is_same_v<A, OnPremDelete>) {
                return std::string();  // a sam, not a cloud user
            } else if constexpr (requires { a.user; }) {
                return a.user;
            } else {
                return std::string();
            }
        },
        action);
}

void readStepExtras(const Reader& r,
                    const YAML::Node& node,
                    const std::string& path,
                    const StepKind& kind,
                    Step& step) {
    if (node["relay"]) {
        if (!sendsRequest(step.action)) {
            r.fail(node["relay"], path + ".relay", "only a step that sends a request has a relay");
        }
        step.relay = readRelay(r, node["relay"], path + ".relay");
    }
    if (node["during"]) {
        if (!sendsRequest(step.action)) {
            r.fail(node["during"],
                   path + ".during",
                   "only a step that sends a request can race another event");
        }
        step.during = readDuring(r, node["during"], path + ".during");
    }
    if (!node["expect"]) {
        return;
    }
    if (kind.expectKeys.empty()) {
        r.fail(node["expect"],
               path + ".expect",
               std::string("a ") + kind.name + " step has nothing to expect");
    }
    step.expect = readStepExpect(r, node["expect"], path + ".expect", kind.expectKeys);
    if (step.expect.risk && step.expect.risk->user.empty()) {
        step.expect.risk->user = stepUser(step.action);
        if (step.expect.risk->user.empty()) {
            r.fail(node["expect"]["risk"],
                   path + ".expect.risk",
                   "this step names no cloud user: say whose risk with 'user'");
        }
    }
}

}  // namespace

Step readStep(const Reader& r, const YAML::Node& node, const std::string& path, StepContext ctx) {
    const StepKind& kind = findKind(r, node, path);
    Step step;
    step.where = r.pos(node);
    step.action = kind.parse(r, node[kind.name], path + "." + kind.name, ctx);
    readStepExtras(r, node, path, kind, step);
    return step;
}

void checkCloudUser(const Reader& r,
                    const YAML::Node& node,
                    const std::string& path,
                    const std::string& upn,
                    const Scenario& s) {
    bool known = s.userSigningInAs(upn) != nullptr ||
                 std::any_of(s.tenant.cloudUsers.begin(),
                             s.tenant.cloudUsers.end(),
                             [&](const CloudUserSpec& u) { return u.upn == upn; });
    if (!known) {
        r.fail(node,
               path,
               "no user signs in as '" + upn +
                   "' (an on-premises user's upn or cloud_upn, or a tenant.cloud_users upn)");
    }
}

void checkSam(const Reader& r,
              const YAML::Node& node,
              const std::string& path,
              const std::string& sam,
              const OnPremSpec& onprem) {
    bool known = std::any_of(
        onprem.users.begin(), onprem.users.end(), [&](const UserSpec& u) { return u.sam == sam; });
    if (!known) {
        r.fail(node, path, "no user with sam '" + sam + "' in onprem.users");
    }
}

namespace {

std::string faultProblem(FaultKind fault, bool agentUp, bool directoryUp) {
    const bool stopsAgent = fault == FaultKind::AgentDown || fault == FaultKind::AgentCrash;
    if (stopsAgent && !agentUp) {
        return "the agent is already down";
    }
    if (fault == FaultKind::AgentUp && agentUp) {
        return "the agent is already running (stop it first with agent_down or agent_crash)";
    }
    if (fault == FaultKind::DirectoryDown && !directoryUp) {
        return "the directory is already down";
    }
    if (fault == FaultKind::DirectoryUp && directoryUp) {
        return "the directory is already up (stop it first with directory_down)";
    }
    return std::string();
}

}  // namespace

void FaultOrder::check(const Reader& r,
                       const YAML::Node& node,
                       const std::string& path,
                       const Step& step,
                       const std::vector<Step>& earlier) {
    if (const auto* release = std::get_if<Release>(&step.action)) {
        const auto& held = earlier[static_cast<std::size_t>(release->step - 1)];
        if (!sendsRequest(held.action) || held.relay.mode != RelayMode::Hold) {
            r.fail(node["release"],
                   path + ".release",
                   "step " + std::to_string(release->step) +
                       " has no held request (give it relay: {hold: true})");
        }
        if (!released_.insert(release->step).second) {
            r.fail(
                node["release"],
                path + ".release",
                "the request of step " + std::to_string(release->step) + " was already released");
        }
    } else if (const auto* fault = std::get_if<Fault>(&step.action)) {
        if (auto problem = faultProblem(fault->kind, agentUp_, directoryUp_); !problem.empty()) {
            r.fail(node["fault"], path + ".fault", problem);
        }
        const bool stops =
            fault->kind == FaultKind::AgentDown || fault->kind == FaultKind::AgentCrash;
        agentUp_ = stops ? false : fault->kind == FaultKind::AgentUp ? true : agentUp_;
        directoryUp_ = fault->kind == FaultKind::DirectoryDown ? false
                       : fault->kind == FaultKind::DirectoryUp ? true
                                                               : directoryUp_;
    } else if (std::holds_alternative<NewSession>(step.action) && !agentUp_) {
        r.fail(node["new_session"],
               path + ".new_session",
               "the agent is down: a new session needs a running agent (agent_up first)");
    } else if (const auto* replay = std::get_if<Replay>(&step.action)) {
        if (!sendsRequest(earlier[static_cast<std::size_t>(replay->step - 1)].action)) {
            r.fail(node["replay"],
                   path + ".replay",
                   "can only replay a step that sent a request to the agent");
        }
    }
}

}  // namespace wblab::scenario::detail
