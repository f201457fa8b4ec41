// Expectations and the criterion each is evidence for (docs/scenario-language.md, "Checks and
// criteria"). An expectation's criterion is what the scenario says beside it (`criterion:` for
// the whole block, or per key); a few kinds decide it by themselves (events: wb-event-ids,
// reason: wb-reason-codes) unless the scenario says otherwise.
#include "loading.hpp"

#include <algorithm>

namespace wblab::scenario::detail {

void checkCriterionId(const Reader& r,
                      const YAML::Node& node,
                      const std::string& path,
                      const std::string& id) {
    const auto& catalog = builtinCatalog();
    if (!catalog) {
        r.fail(node, path, "the built-in catalog is broken: " + catalog.error().describe());
    }
    if (catalog->find(id) != nullptr) {
        return;
    }
    if (catalog->isExitCriterion(id)) {
        r.fail(node,
               path,
               "'" + id +
                   "' is an exit criterion; name the catalog criteria it rolls up from "
                   "(wblab criteria lists them)");
    }
    r.fail(node, path, "unknown criterion '" + id + "' (wblab criteria lists them)");
}

Attribution Attribution::read(const Reader& r,
                              const YAML::Node& site,
                              const std::string& path,
                              const std::vector<std::string>& keys) {
    Attribution a;
    if (!site.IsMap() || !site["criterion"]) {
        return a;
    }
    const auto& node = site["criterion"];
    const std::string here = path + ".criterion";
    if (node.IsScalar()) {
        a.all_ = node.Scalar();
        checkCriterionId(r, node, here, a.all_);
        return a;
    }
    r.checkKeys(node, here, keys);
    for (const auto& kv : node) {
        const std::string key = kv.first.Scalar();
        const std::string id = r.string(kv.second, here + "." + key);
        checkCriterionId(r, kv.second, here + "." + key, id);
        a.byKey_[key] = {id, kv.first};
    }
    return a;
}

std::string Attribution::of(const Reader& r,
                            const YAML::Node& node,
                            const std::string& path,
                            const std::string& key,
                            const char* kindDefault) {
    std::string id;
    if (auto it = byKey_.find(key); it != byKey_.end()) {
        id = it->second.first;
        usedKeys_.insert(key);
    } else if (kindDefault != nullptr) {
        id = kindDefault;
    } else if (!all_.empty()) {
        id = all_;
    } else {
        r.fail(node,
               path,
               "which criterion is this expectation evidence for? Say it beside it: "
               "'criterion: ID' for the whole expect, or 'criterion: {" +
                   key + ": ID}' (wblab criteria lists the ids)");
    }
    usedIds_.insert(id);
    return id;
}

void Attribution::checkAllUsed(const Reader& r, const std::string& path) const {
    for (const auto& [key, entry] : byKey_) {
        if (usedKeys_.count(key) == 0) {
            r.fail(entry.second,
                   path + ".criterion." + key,
                   "there is no '" + key + "' expectation here to attribute");
        }
    }
}

namespace {

template <typename T>
Expectation<T> expect(T value, std::string criterion) {
    return Expectation<T>{std::move(value), std::move(criterion)};
}

AuditExpect readAudit(const Reader& r, const YAML::Node& a, const std::string& path) {
    r.checkKeys(a, path, {"activity", "result"});
    r.require(a, path, {"activity"});
    AuditExpect audit;
    audit.activity = r.string(a["activity"], path + ".activity");
    if (a["result"]) {
        const std::string result = r.string(a["result"], path + ".result");
        if (result != "success" && result != "failure") {
            r.fail(a["result"], path + ".result", "expected success or failure");
        }
        audit.success = result == "success";
    }
    return audit;
}

/// The cloud-side expectations of a step: outcome, sign-in, Graph, leaked matches, audit.
void readCloudExpectations(const Reader& r,
                           const YAML::Node& node,
                           const std::string& path,
                           Attribution& a,
                           StepExpect& e) {
    auto at = [&](const char* key) { return joinPath(path, key); };
    if (const auto& n = node["outcome"]) {
        e.outcome = expect(
            r.oneOf<sim::Outcome>(n, at("outcome"), sim::outcomeFromString, sim::outcomeNames()),
            a.of(r, n, at("outcome"), "outcome"));
    }
    if (const auto& n = node["request_sent"]) {
        e.requestSent = expect(r.boolean(n, at("request_sent")),
                               a.of(r, n, at("request_sent"), "request_sent"));
    }
    if (const auto& n = node["sign_in"]) {
        e.signIn =
            expect(r.oneOf<sim::SignInOutcome>(
                       n, at("sign_in"), sim::signInOutcomeFromString, sim::signInOutcomeNames()),
                   a.of(r, n, at("sign_in"), "sign_in"));
    }
    if (const auto& n = node["http_status"]) {
        e.httpStatus = expect(r.smallInteger(n, at("http_status"), 100, 599),
                              a.of(r, n, at("http_status"), "http_status"));
    }
    if (const auto& n = node["operation"]) {
        e.operation = expect(
            r.oneOf<sim::OperationStatus>(
                n, at("operation"), sim::operationStatusFromString, sim::operationStatusNames()),
            a.of(r, n, at("operation"), "operation"));
    }
    if (const auto& n = node["leaked_matches"]) {
        e.leakedMatches = expect(r.smallInteger(n, at("leaked_matches"), 0, 100000),
                                 a.of(r, n, at("leaked_matches"), "leaked_matches"));
    }
    if (const auto& n = node["audit"]) {
        e.audit = expect(readAudit(r, n, at("audit")), a.of(r, n, at("audit"), "audit"));
    }
    if (const auto& n = node["dismissed"]) {
        e.dismissed =
            expect(r.boolean(n, at("dismissed")), a.of(r, n, at("dismissed"), "dismissed"));
    }
}

/// `events` (the whole list, in order), or `events_include` / `events_exclude` (some ids that
/// must, or must not, be among them). All are evidence for wb-event-ids unless said otherwise.
void readEventExpectations(const Reader& r,
                           const YAML::Node& node,
                           const std::string& path,
                           Attribution& a,
                           StepExpect& e) {
    if (node["events"] && (node["events_include"] || node["events_exclude"])) {
        const auto& partial =
            node["events_include"] ? node["events_include"] : node["events_exclude"];
        r.fail(partial,
               joinPath(path, node["events_include"] ? "events_include" : "events_exclude"),
               "events already fixes the whole list: give events, or events_include and "
               "events_exclude");
    }
    if (const auto& n = node["events"]) {
        e.events = expect(r.integers(n, path + ".events", 0, 99999),
                          a.of(r, n, path + ".events", "events", criteria::kEventIds));
    }
    const std::pair<const char*, std::optional<Expectation<std::vector<int>>> StepExpect::*>
        partials[] = {{"events_include", &StepExpect::eventsInclude},
                      {"events_exclude", &StepExpect::eventsExclude}};
    for (const auto& [key, field] : partials) {
        if (const auto& n = node[key]) {
            const std::string at = joinPath(path, key);
            auto ids = r.integers(n, at, 0, 99999);
            if (ids.empty()) {
                r.fail(n, at, "give at least one event id");
            }
            e.*field = expect(std::move(ids), a.of(r, n, at, key, criteria::kEventIds));
        }
    }
}

}  // namespace

StepExpect readStepExpect(const Reader& r,
                          const YAML::Node& node,
                          const std::string& path,
                          const std::vector<std::string>& keys,
                          std::string* directoryCriterion) {
    std::vector<std::string> allowed = keys;
    allowed.emplace_back("criterion");
    r.checkKeys(node, path, allowed);
    std::vector<std::string> attributable = keys;
    if (directoryCriterion != nullptr) {
        attributable.emplace_back("directory");
    }
    Attribution a = Attribution::read(r, node, path, attributable);
    StepExpect e;
    readCloudExpectations(r, node, path, a, e);
    readEventExpectations(r, node, path, a, e);
    if (const auto& n = node["reason"]) {
        e.reason = expect(r.smallInteger(n, path + ".reason", 0, 99999),
                          a.of(r, n, path + ".reason", "reason", criteria::kReasonCodes));
    }
    if (const auto& n = node["risk"]) {
        e.risk = readRiskExpect(r, n, path + ".risk", &a);
    }
    if (directoryCriterion != nullptr && e.outcome) {
        *directoryCriterion = a.of(r, node["outcome"], path + ".outcome", "directory");
    }
    a.checkAllUsed(r, path);
    return e;
}

RiskExpect readRiskExpect(const Reader& r,
                          const YAML::Node& node,
                          const std::string& path,
                          Attribution* outer) {
    r.checkKeys(node, path, {"user", "level", "state", "detail", "criterion"});
    Attribution own = Attribution::read(r, node, path, {"level", "state", "detail"});
    // A criterion beside the risk wins; else the step's expect decides for the whole risk.
    auto criterionOf = [&](const YAML::Node& n, const char* key) {
        const std::string where = joinPath(path, key);
        if (node["criterion"] || outer == nullptr) {
            return own.of(r, n, where, key);
        }
        return outer->of(r, n, where, "risk");
    };
    RiskExpect e;
    e.where = r.pos(node);
    if (node["user"]) {
        e.user = r.string(node["user"], path + ".user");
    }
    if (const auto& n = node["level"]) {
        e.level = expect(r.oneOf<sim::RiskLevel>(
                             n, path + ".level", sim::riskLevelFromString, sim::riskLevelNames()),
                         criterionOf(n, "level"));
    }
    if (const auto& n = node["state"]) {
        e.state = expect(r.oneOf<sim::RiskState>(
                             n, path + ".state", sim::riskStateFromString, sim::riskStateNames()),
                         criterionOf(n, "state"));
    }
    if (const auto& n = node["detail"]) {
        e.detail =
            expect(r.oneOf<sim::RiskDetail>(
                       n, path + ".detail", sim::riskDetailFromString, sim::riskDetailNames()),
                   criterionOf(n, "detail"));
    }
    own.checkAllUsed(r, path);
    return e;
}

std::vector<DirectoryExpect> readDirectoryExpect(const Reader& r,
                                                 const YAML::Node& node,
                                                 const OnPremSpec& onprem) {
    const std::string base = "expect.directory";
    r.requireList(node, base, "per-user expectations");
    std::vector<DirectoryExpect> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto& d = node[i];
        const std::string path = indexPath(base, i);
        r.checkKeys(d, path, {"user", "binds", "rejects", "locked", "must_change", "criterion"});
        r.require(d, path, {"user"});
        Attribution a =
            Attribution::read(r, d, path, {"binds", "rejects", "locked", "must_change"});
        DirectoryExpect e;
        e.where = r.pos(d);
        e.user = r.string(d["user"], path + ".user");
        checkSam(r, d["user"], path + ".user", e.user, onprem);
        if (const auto& n = d["binds"]) {
            e.binds =
                expect(readPasswords(r, n, path + ".binds"), a.of(r, n, path + ".binds", "binds"));
        }
        if (const auto& n = d["rejects"]) {
            e.rejects = expect(readPasswords(r, n, path + ".rejects"),
                               a.of(r, n, path + ".rejects", "rejects"));
        }
        if (const auto& n = d["locked"]) {
            e.locked =
                expect(r.boolean(n, path + ".locked"), a.of(r, n, path + ".locked", "locked"));
        }
        if (const auto& n = d["must_change"]) {
            e.mustChange = expect(r.boolean(n, path + ".must_change"),
                                  a.of(r, n, path + ".must_change", "must_change"));
        }
        a.checkAllUsed(r, path);
        out.push_back(std::move(e));
    }
    return out;
}

namespace {

void addRisk(const RiskExpect& risk, std::set<std::string>& out) {
    for (const auto* c : {risk.level ? &risk.level->criterion : nullptr,
                          risk.state ? &risk.state->criterion : nullptr,
                          risk.detail ? &risk.detail->criterion : nullptr}) {
        if (c != nullptr) {
            out.insert(*c);
        }
    }
}

void addStep(const StepExpect& e, std::set<std::string>& out) {
    auto add = [&](const auto& field) {
        if (field) {
            out.insert(field->criterion);
        }
    };
    add(e.outcome);
    add(e.requestSent);
    add(e.signIn);
    add(e.httpStatus);
    add(e.operation);
    add(e.leakedMatches);
    add(e.events);
    add(e.eventsInclude);
    add(e.eventsExclude);
    add(e.reason);
    add(e.audit);
    add(e.dismissed);
    if (e.risk) {
        addRisk(*e.risk, out);
    }
}

}  // namespace

std::set<std::string> criteriaOfExpectations(const Scenario& s) {
    std::set<std::string> out;
    for (const auto& step : s.steps) {
        addStep(step.expect, out);
        if (step.relay.mode == RelayMode::Duplicate) {
            out.insert(criteria::kReplayRejected);  // the second copy's rejection is checked
        }
    }
    for (const auto& d : s.expectDirectory) {
        for (const auto* c : {d.binds ? &d.binds->criterion : nullptr,
                              d.rejects ? &d.rejects->criterion : nullptr,
                              d.locked ? &d.locked->criterion : nullptr,
                              d.mustChange ? &d.mustChange->criterion : nullptr}) {
            if (c != nullptr) {
                out.insert(*c);
            }
        }
    }
    for (const auto& risk : s.expectRisk) {
        addRisk(risk, out);
    }
    return out;
}

}  // namespace wblab::scenario::detail
