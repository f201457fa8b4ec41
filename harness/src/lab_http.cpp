// The lab's HTTP API (lab_http.hpp, docs/lab.md). The shapes follow Microsoft Graph v1.0:
// - resetPassword: https://learn.microsoft.com/en-us/graph/api/authenticationmethod-resetpassword
//   (202 Accepted, a Location to a long-running operation, Retry-After);
// - the operation: https://learn.microsoft.com/en-us/graph/api/resources/longrunningoperation
//   (status notStarted | running | succeeded | failed);
// - riskyUsers, dismiss, confirmCompromised:
//   https://learn.microsoft.com/en-us/graph/api/resources/riskyuser,
//   https://learn.microsoft.com/en-us/graph/api/riskyuser-dismiss (204, body {"userIds": [...]});
// - directoryAudits: https://learn.microsoft.com/en-us/graph/api/resources/directoryaudit;
// - errors: https://learn.microsoft.com/en-us/graph/errors ({"error": {"code", "message",
//   "innerError"}} with the HTTP status).
// Every request that changes something is a scenario step played by the session.
#include "lab_http.hpp"

#include <wblab/protocol/crypto.hpp>
#include <wblab/support/secrets.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <httplib.h>
#include <mutex>
#include <optional>
#include <random>

namespace wblab::harness {

namespace {

using json = nlohmann::json;

/// The id Graph gives the password authentication method of every user
/// (https://learn.microsoft.com/en-us/graph/api/resources/passwordauthenticationmethod).
constexpr const char* kPasswordMethodId = "28c10230-6103-485e-b985-444c60001490";
constexpr const char* kGraph = "https://graph.microsoft.com/v1.0/$metadata#";

std::string lower(std::string text) {
    for (auto& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

/// A GUID-shaped object id for a user, the same for the same UPN in every lab.
std::string objectIdOf(const std::string& upn) {
    std::uint64_t a = 0xcbf29ce484222325ull;
    std::uint64_t b = 0x84222325cbf29ce4ull;
    for (unsigned char c : lower(upn)) {
        a = (a ^ c) * 0x100000001b3ull;
        b = (b ^ c) * 0x100000001b3ull + 1;
    }
    char buf[40];
    std::snprintf(buf,
                  sizeof buf,
                  "%08x-%04x-4%03x-8%03x-%012llx",
                  static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff),
                  static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>((b >> 48) & 0xfff),
                  static_cast<unsigned long long>(b & 0xffffffffffffull));
    return buf;
}

std::string newRequestId() {
    static std::mt19937_64 random{std::random_device{}()};
    return objectIdOf(std::to_string(random()));
}

/// Graph's error body with its HTTP status.
void graphError(const httplib::Request& req,
                httplib::Response& res,
                int status,
                const std::string& code,
                const std::string& message) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    json inner = {{"date", protocol::formatUtc(now)}, {"request-id", newRequestId()}};
    inner["client-request-id"] = req.has_header("client-request-id")
                                     ? redact(req.get_header_value("client-request-id"))
                                     : inner["request-id"].get<std::string>();
    res.status = status;
    res.set_content(
        json{{"error", {{"code", code}, {"message", redact(message)}, {"innerError", inner}}}}
            .dump(),
        "application/json");
}

void sendJson(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

/// The request's JSON body: an object, or nullopt (and a 400 sent) when it is not one. An
/// empty body is an empty object.
std::optional<json> bodyOf(const httplib::Request& req, httplib::Response& res) {
    if (req.body.empty()) {
        return json::object();
    }
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        graphError(req, res, 400, "BadRequest", "The request body is not a JSON object.");
        return std::nullopt;
    }
    return body;
}

/// A string member of a body, or nullopt (and a 400 sent) when it is missing and required or
/// not a string.
std::optional<std::string> stringField(const httplib::Request& req,
                                       httplib::Response& res,
                                       const json& body,
                                       const char* name,
                                       bool required) {
    auto it = body.find(name);
    if (it == body.end() && !required) {
        return std::string();
    }
    if (it == body.end() || !it->is_string()) {
        graphError(
            req,
            res,
            400,
            "BadRequest",
            std::string("'") + name + "' must be " + (required ? "given as " : "") + "a string.");
        return std::nullopt;
    }
    return it->get<std::string>();
}

scenario::Step stepOf(scenario::Action action) {
    scenario::Step step;
    step.action = std::move(action);
    return step;
}

struct Operation {
    std::string userId;
    std::string created;
    sim::OperationStatus status = sim::OperationStatus::NotStarted;
    std::string detail;
};

}  // namespace

struct LabServer::Impl {
    LabSession& session;
    std::string token;
    httplib::Server server;
    std::mutex mutex;  ///< one request at a time: the session is not thread-safe
    std::map<std::string, Operation> operations;

    Impl(LabSession& s, std::string t) : session(s), token(std::move(t)) {}

    // ---- The tenant as Graph shows it ----------------------------------------------------

    std::vector<std::string> tenantUpns() const {
        std::vector<std::string> out;
        const auto& s = session.scenario();
        for (const auto& u : s.onprem.users) {
            out.push_back(u.signInName());
        }
        for (const auto& u : s.tenant.cloudUsers) {
            out.push_back(u.upn);
        }
        return out;
    }

    /// The UPN of the user an id or UPN names, if the tenant has that user now.
    std::optional<std::string> resolve(const std::string& idOrUpn) {
        for (const auto& upn : tenantUpns()) {
            if ((lower(upn) == lower(idOrUpn) || objectIdOf(upn) == lower(idOrUpn)) &&
                session.cloud().findUser(upn) != nullptr) {
                return upn;
            }
        }
        return std::nullopt;
    }

    std::vector<std::string> rolesOf(const std::string& upn) const {
        const auto& s = session.scenario();
        if (const auto* u = s.cloudOnlyUser(upn)) {
            return u->adminRoles;
        }
        const auto* u = s.userSigningInAs(upn);
        return u != nullptr ? u->adminRoles : std::vector<std::string>{};
    }

    bool callerHolds(const std::vector<std::string>& roles) const {
        for (const auto& r : rolesOf(session.caller())) {
            if (std::find(roles.begin(), roles.end(), r) != roles.end()) {
                return true;
            }
        }
        return false;
    }

    /// True when the caller holds one of `roles`; otherwise answers Graph's 403 and is false.
    bool permitted(const std::vector<std::string>& roles,
                   const httplib::Request& req,
                   httplib::Response& res) const {
        if (callerHolds(roles)) {
            return true;
        }
        graphError(req,
                   res,
                   403,
                   "Authorization_RequestDenied",
                   "Insufficient privileges to complete the operation.");
        return false;
    }

    json userJson(const std::string& upn) {
        const auto& s = session.scenario();
        const auto* cloudUser = session.cloud().findUser(upn);
        const auto* onprem = s.userSigningInAs(upn);
        const scenario::CloudSideSpec* side = onprem;
        if (side == nullptr) {
            side = s.cloudOnlyUser(upn);
        }
        auto orNull = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
        std::string display = onprem != nullptr ? onprem->displayName : std::string();
        if (display.empty() && side != nullptr) {
            display = side->givenName + (side->surname.empty() ? "" : " " + side->surname);
        }
        return json{
            {"id", objectIdOf(upn)},
            {"userPrincipalName", cloudUser != nullptr ? cloudUser->upn : upn},
            {"displayName", display.empty() ? upn.substr(0, upn.find('@')) : display},
            {"givenName", side != nullptr ? orNull(side->givenName) : json(nullptr)},
            {"surname", side != nullptr ? orNull(side->surname) : json(nullptr)},
            {"accountEnabled", cloudUser == nullptr || cloudUser->enabled},
            {"onPremisesSyncEnabled",
             cloudUser != nullptr && cloudUser->synced ? json(true) : json(nullptr)},
            {"onPremisesSamAccountName", onprem != nullptr ? json(onprem->sam) : json(nullptr)},
        };
    }

    std::string now() { return protocol::formatUtc(session.clock().now()); }

    // ---- Handlers ----------------------------------------------------------------------

    void listUsers(const httplib::Request&, httplib::Response& res) {
        json value = json::array();
        for (const auto& upn : tenantUpns()) {
            if (session.cloud().findUser(upn) != nullptr) {
                value.push_back(userJson(upn));
            }
        }
        sendJson(res, 200, {{"@odata.context", std::string(kGraph) + "users"}, {"value", value}});
    }

    void getUser(const httplib::Request& req, httplib::Response& res) {
        auto upn = resolve(req.matches[1]);
        if (!upn) {
            notFound(req, res, req.matches[1]);
            return;
        }
        json body = userJson(*upn);
        body["@odata.context"] = std::string(kGraph) + "users/$entity";
        sendJson(res, 200, body);
    }

    static void notFound(const httplib::Request& req,
                         httplib::Response& res,
                         const std::string& id) {
        graphError(req,
                   res,
                   404,
                   "Request_ResourceNotFound",
                   "Resource '" + id +
                       "' does not exist or one of its queried reference-property objects "
                       "are not present.");
    }

    /// True (and a 503 sent) when the step was not played: an earlier one stopped the steps.
    static bool notPlayed(const httplib::Request& req,
                          httplib::Response& res,
                          const PlayedStep& played) {
        if (played.number != 0) {
            return false;
        }
        graphError(req,
                   res,
                   503,
                   "serviceNotAvailable",
                   "An earlier step stopped the lab's steps (see the lab's console); start the "
                   "lab again.");
        return true;
    }

    void resetPassword(const httplib::Request& req, httplib::Response& res);
    void getOperation(const httplib::Request& req, httplib::Response& res);
    void riskyUsers(const httplib::Request& req, httplib::Response& res);
    void riskAction(const httplib::Request& req, httplib::Response& res, bool dismiss);
    void directoryAudits(const httplib::Request& req, httplib::Response& res);
    void labStep(const httplib::Request& req, httplib::Response& res, const std::string& kind);
    std::optional<scenario::Action> labAction(const httplib::Request& req,
                                              httplib::Response& res,
                                              const std::string& kind);
    void routes();
    bool authorised(const httplib::Request& req, httplib::Response& res);
};

void LabServer::Impl::resetPassword(const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    if (lower(req.matches[2]) != kPasswordMethodId) {
        notFound(req, res, req.matches[2]);
        return;
    }
    auto body = bodyOf(req, res);
    if (!body) {
        return;
    }
    auto password = stringField(req, res, *body, "newPassword", false);
    if (!password) {
        return;
    }
    // An unknown user goes to the cloud as it was named: the cloud answers 404 itself.
    const std::string user = resolve(id).value_or(id);
    auto played = session.play(stepOf(scenario::GraphReset{session.caller(), user, *password}));
    if (notPlayed(req, res, played)) {
        return;
    }
    const auto& graph = *played.observed.graph;
    if (graph.httpStatus != 202) {
        const auto colon = graph.error.find(':');
        const bool coded = colon != std::string::npos || graph.error.find(' ') == std::string::npos;
        const std::string code = coded                     ? graph.error.substr(0, colon)
                                 : graph.httpStatus == 400 ? "Request_BadRequest"
                                 : graph.httpStatus == 403 ? "Authorization_RequestDenied"
                                                           : "Request_ResourceNotFound";
        const std::string message =
            colon != std::string::npos ? graph.error.substr(colon + 2) : graph.error;
        if (graph.httpStatus == 404) {
            notFound(req, res, id);
        } else {
            graphError(req, res, graph.httpStatus, code, message);
        }
        return;
    }
    Operation op{objectIdOf(user),
                 now(),
                 played.observed.graphStatus.value_or(sim::OperationStatus::Failed),
                 played.observed.operation ? sim::toString(played.observed.operation->outcome)
                                           : std::string()};
    operations[graph.operationId] = op;
    res.set_header("Location",
                   "http://" + req.get_header_value("Host") + "/v1.0/users/" + op.userId +
                       "/authentication/operations/" + graph.operationId);
    res.set_header("Retry-After", std::to_string(graph.retryAfterSeconds));
    json response = json::object();
    if (!graph.generatedPassword.empty()) {
        response = {
            {"@odata.context", std::string(kGraph) + "microsoft.graph.passwordResetResponse"},
            {"newPassword", graph.generatedPassword}};
    }
    sendJson(res, 202, response);
}

void LabServer::Impl::getOperation(const httplib::Request& req, httplib::Response& res) {
    auto it = operations.find(req.matches[2]);
    if (it == operations.end() ||
        it->second.userId != objectIdOf(resolve(req.matches[1]).value_or(""))) {
        notFound(req, res, req.matches[2]);
        return;
    }
    const auto& op = it->second;
    sendJson(res,
             200,
             {{"@odata.type", "#microsoft.graph.longRunningOperation"},
              {"id", it->first},
              {"createdDateTime", op.created},
              {"lastActionDateTime", op.created},
              {"resourceLocation",
               "http://" + req.get_header_value("Host") + "/v1.0/users/" + op.userId +
                   "/authentication/methods/" + kPasswordMethodId},
              {"status", sim::toString(op.status)},
              {"statusDetail", op.detail.empty() ? json(nullptr) : json(op.detail)}});
}

namespace {

// Who may read and handle risk: riskyuser-list and riskyuser-dismiss name Security Reader and
// Security Administrator as the least privileged roles; Global Administrator holds every right.
const std::vector<std::string> kRiskReaders = {"Global Administrator",
                                               "Global Reader",
                                               "Security Administrator",
                                               "Security Operator",
                                               "Security Reader"};
const std::vector<std::string> kRiskWriters = {"Global Administrator", "Security Administrator"};

}  // namespace

void LabServer::Impl::riskyUsers(const httplib::Request& req, httplib::Response& res) {
    if (!permitted(kRiskReaders, req, res)) {
        return;
    }
    json value = json::array();
    auto& cloud = session.cloud();
    for (const auto& upn : cloud.riskyUsers()) {
        const auto risk = cloud.riskOf(upn);
        value.push_back({{"id", objectIdOf(upn)},
                         {"isDeleted", cloud.findUser(upn) == nullptr},
                         {"isProcessing", false},
                         {"riskLastUpdatedDateTime", now()},
                         {"riskLevel", sim::toString(risk.level)},
                         {"riskState", sim::toString(risk.state)},
                         {"riskDetail", sim::toString(risk.detail)},
                         {"userDisplayName", userJson(upn)["displayName"]},
                         {"userPrincipalName", upn}});
    }
    sendJson(res,
             200,
             {{"@odata.context", std::string(kGraph) + "identityProtection/riskyUsers"},
              {"value", value}});
}

void LabServer::Impl::riskAction(const httplib::Request& req,
                                 httplib::Response& res,
                                 bool dismiss) {
    if (!permitted(kRiskWriters, req, res)) {
        return;
    }
    auto body = bodyOf(req, res);
    if (!body) {
        return;
    }
    auto ids = body->find("userIds");
    if (ids == body->end() || !ids->is_array() || ids->empty() ||
        !std::all_of(ids->begin(), ids->end(), [](const json& v) { return v.is_string(); })) {
        graphError(req, res, 400, "BadRequest", "'userIds' must be a non-empty array of strings.");
        return;
    }
    std::vector<std::string> upns;
    for (const auto& id : *ids) {
        // A deleted user keeps its riskyUser: the cloud itself refuses to dismiss it.
        auto upn = resolve(id.get<std::string>());
        if (!upn) {
            const auto& cloud = session.cloud();
            const auto risky = cloud.riskyUsers();
            for (const auto& r : risky) {
                if (lower(r) == lower(id.get<std::string>()) ||
                    objectIdOf(r) == lower(id.get<std::string>())) {
                    upn = r;
                }
            }
        }
        if (!upn) {
            notFound(req, res, id.get<std::string>());
            return;
        }
        upns.push_back(*upn);
    }
    for (const auto& upn : upns) {
        auto played = session.play(dismiss ? stepOf(scenario::DismissRisk{upn})
                                           : stepOf(scenario::ConfirmCompromised{upn}));
        if (notPlayed(req, res, played)) {
            return;
        }
    }
    res.status = 204;
}

void LabServer::Impl::directoryAudits(const httplib::Request&, httplib::Response& res) {
    json value = json::array();
    std::size_t n = 0;
    for (const auto& e : session.cloud().auditLog()) {
        auto userRef = [&](const std::string& upn) {
            return json{{"id", objectIdOf(upn)},
                        {"displayName", nullptr},
                        {"userPrincipalName", upn},
                        {"ipAddress", nullptr}};
        };
        json target = userRef(e.target);
        target.erase("ipAddress");
        target["type"] = "User";
        target["modifiedProperties"] = json::array();
        value.push_back({{"id", "Directory_" + e.correlationId + "_" + std::to_string(++n)},
                         {"category", "UserManagement"},
                         {"correlationId", e.correlationId},
                         {"result", e.result},
                         {"resultReason", e.reason},
                         {"activityDisplayName", e.activity},
                         {"activityDateTime", protocol::formatUtc(e.time)},
                         {"loggedByService", e.service},
                         {"operationType", "Update"},
                         {"initiatedBy", {{"app", nullptr}, {"user", userRef(e.actor)}}},
                         {"targetResources", json::array({target})},
                         {"additionalDetails", json::array()}});
    }
    sendJson(
        res,
        200,
        {{"@odata.context", std::string(kGraph) + "auditLogs/directoryAudits"}, {"value", value}});
}

std::optional<scenario::Action> LabServer::Impl::labAction(const httplib::Request& req,
                                                           httplib::Response& res,
                                                           const std::string& kind) {
    auto body = bodyOf(req, res);
    if (!body) {
        return std::nullopt;
    }
    auto text = [&](const char* name, bool required) {
        return stringField(req, res, *body, name, required);
    };
    if (kind == "advance" || kind == "sync" || kind == "fault") {
        if (kind == "advance") {
            auto it = body->find("seconds");
            if (it == body->end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0) {
                graphError(req, res, 400, "BadRequest", "'seconds' must be a positive integer.");
                return std::nullopt;
            }
            return scenario::Advance{it->get<std::int64_t>()};
        }
        auto name = text("kind", kind == "fault");
        if (!name) {
            return std::nullopt;
        }
        if (kind == "sync") {
            const std::string k = name->empty() ? "all" : *name;
            if (k != "all" && k != "objects" && k != "hashes") {
                graphError(req, res, 400, "BadRequest", "'kind' is one of all, objects, hashes.");
                return std::nullopt;
            }
            return scenario::Sync{k == "objects"  ? scenario::SyncKind::Objects
                                  : k == "hashes" ? scenario::SyncKind::Hashes
                                                  : scenario::SyncKind::All};
        }
        for (auto f : {scenario::FaultKind::AgentDown,
                       scenario::FaultKind::AgentUp,
                       scenario::FaultKind::AgentCrash,
                       scenario::FaultKind::DirectoryDown,
                       scenario::FaultKind::DirectoryUp}) {
            if (*name == scenario::toString(f)) {
                return scenario::Fault{f};
            }
        }
        graphError(
            req,
            res,
            400,
            "BadRequest",
            "'kind' is one of agent_down, agent_up, agent_crash, directory_down, directory_up.");
        return std::nullopt;
    }
    auto user = text("user", true);
    if (!user) {
        return std::nullopt;
    }
    if (kind == "unlock") {
        return scenario::Unlock{*user};
    }
    auto newPassword = text("newPassword", true);
    if (!newPassword) {
        return std::nullopt;
    }
    if (kind == "reset") {
        auto unlock = body->find("unlock");
        if (unlock != body->end() && !unlock->is_boolean()) {
            graphError(req, res, 400, "BadRequest", "'unlock' must be true or false.");
            return std::nullopt;
        }
        return scenario::SsprReset{
            *user, *newPassword, unlock == body->end() || unlock->get<bool>(), std::nullopt};
    }
    auto oldPassword = text("oldPassword", true);
    if (!oldPassword) {
        return std::nullopt;
    }
    return scenario::SsprChange{*user, *oldPassword, *newPassword};
}

void LabServer::Impl::labStep(const httplib::Request& req,
                              httplib::Response& res,
                              const std::string& kind) {
    auto action = labAction(req, res, kind);
    if (!action) {
        return;
    }
    auto played = session.play(stepOf(*action));
    if (notPlayed(req, res, played)) {
        return;
    }
    json body = {{"step", played.number},
                 {"kind", scenario::kindName(session.scenario().steps.back().action)},
                 {"timeline", played.timeline},
                 {"stopped", played.stopped}};
    if (const auto& op = played.observed.operation) {
        body["outcome"] = sim::toString(op->outcome);
        body["requestSent"] = op->writebackAttempted;
        if (op->writebackAttempted) {
            body["events"] = op->reply.events;
            body["reason"] = op->reply.reason;
        }
    }
    if (!played.recordError.empty()) {
        body["recordError"] = played.recordError;
    }
    sendJson(res, 200, body);
}

bool LabServer::Impl::authorised(const httplib::Request& req, httplib::Response& res) {
    const std::string header = req.get_header_value("Authorization");
    const std::string expected = "Bearer " + token;
    // Compared in constant time: the token is a secret.
    unsigned char differ = header.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < header.size() && i < expected.size(); ++i) {
        differ = static_cast<unsigned char>(differ | (header[i] ^ expected[i]));
    }
    if (differ == 0) {
        return true;
    }
    graphError(req,
               res,
               401,
               "InvalidAuthenticationToken",
               header.empty() ? "Access token is empty." : "Access token validation failure.");
    return false;
}

void LabServer::Impl::routes() {
    using Req = const httplib::Request&;
    using Res = httplib::Response&;
    auto locked = [this](auto handler) {
        return [this, handler](Req req, Res res) {
            std::lock_guard lock(mutex);
            handler(req, res);
        };
    };
    server.set_pre_routing_handler([this](Req req, Res res) {
        return authorised(req, res) ? httplib::Server::HandlerResponse::Unhandled
                                    : httplib::Server::HandlerResponse::Handled;
    });
    server.Post(R"(/v1\.0/users/([^/]+)/authentication/methods/([^/]+)/resetPassword)",
                locked([this](Req q, Res r) { resetPassword(q, r); }));
    server.Get(R"(/v1\.0/users/([^/]+)/authentication/operations/([^/]+))",
               locked([this](Req q, Res r) { getOperation(q, r); }));
    server.Get("/v1.0/users", locked([this](Req q, Res r) { listUsers(q, r); }));
    server.Get(R"(/v1\.0/users/([^/]+))", locked([this](Req q, Res r) { getUser(q, r); }));
    server.Get("/v1.0/identityProtection/riskyUsers",
               locked([this](Req q, Res r) { riskyUsers(q, r); }));
    server.Post("/v1.0/identityProtection/riskyUsers/dismiss",
                locked([this](Req q, Res r) { riskAction(q, r, true); }));
    server.Post("/v1.0/identityProtection/riskyUsers/confirmCompromised",
                locked([this](Req q, Res r) { riskAction(q, r, false); }));
    server.Get("/v1.0/auditLogs/directoryAudits",
               locked([this](Req q, Res r) { directoryAudits(q, r); }));
    for (const char* kind : {"reset", "change", "unlock"}) {
        server.Post(std::string("/lab/sspr/") + kind,
                    locked([this, kind](Req q, Res r) { labStep(q, r, kind); }));
    }
    server.Post("/lab/clock/advance", locked([this](Req q, Res r) { labStep(q, r, "advance"); }));
    server.Post("/lab/sync", locked([this](Req q, Res r) { labStep(q, r, "sync"); }));
    server.Post("/lab/fault", locked([this](Req q, Res r) { labStep(q, r, "fault"); }));
    // What no route serves: Graph's error body (the handlers' own errors already have one).
    server.set_error_handler([](Req req, Res res) {
        if (!res.body.empty()) {
            return;
        }
        const bool known = res.status == 404;
        graphError(req,
                   res,
                   known ? 400 : res.status,
                   known ? "BadRequest" : "UnknownError",
                   known ? "Resource not found for the segment '" + req.path + "'."
                         : "The request could not be served.");
    });
    server.set_exception_handler([](Req req, Res res, std::exception_ptr) {
        graphError(req, res, 500, "UnknownError", "The lab could not serve the request.");
    });
    server.set_payload_max_length(1 << 20);
    // Ctrl-C must end the lab within 2 s: no connection is kept open longer.
    server.set_keep_alive_timeout(1);
    server.set_read_timeout(std::chrono::seconds(1));
}

LabServer::LabServer(LabSession& session, std::string token)
    : impl_(std::make_unique<Impl>(session, std::move(token))) {
    impl_->routes();
}

LabServer::~LabServer() {
    stop();
}

Expected<int> LabServer::bind(int port) {
    if (port == 0) {
        const int bound = impl_->server.bind_to_any_port("127.0.0.1");
        if (bound <= 0) {
            return makeError(ErrorCode::Io, "cannot listen on 127.0.0.1");
        }
        return bound;
    }
    if (!impl_->server.bind_to_port("127.0.0.1", port)) {
        return makeError(ErrorCode::Io,
                         "cannot listen on 127.0.0.1:" + std::to_string(port) +
                             " (in use? --port 0 picks a free one)");
    }
    return port;
}

void LabServer::serve() {
    impl_->server.listen_after_bind();
}

void LabServer::stop() {
    impl_->server.stop();
}

}  // namespace wblab::harness
