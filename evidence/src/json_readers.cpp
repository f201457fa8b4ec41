// Graph JSON exports (readers.hpp). Shapes from Microsoft Learn:
//   directoryAudit  https://learn.microsoft.com/en-us/graph/api/resources/directoryaudit
//   list            https://learn.microsoft.com/en-us/graph/api/directoryaudit-list
//   riskyUser       https://learn.microsoft.com/en-us/graph/api/resources/riskyuser
//   riskDetection   https://learn.microsoft.com/en-us/graph/api/resources/riskdetection
//   authenticationMethodsPolicy
//                   https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodspolicy
//   authorizationPolicy (allowedToUseSSPR)
//                   https://learn.microsoft.com/en-us/graph/api/resources/authorizationpolicy
// A collection comes as {"value": [...]} from the REST API and as a bare array (PascalCase
// property names) from `Get-Mg... | ConvertTo-Json`; ConvertTo-Json cuts objects deeper than
// -Depth (2 by default) down to their type name, and Windows PowerShell writes dates as
// /Date(ms)/
// (https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.utility/convertto-json).
#include "readers.hpp"

#include <nlohmann/json.hpp>

namespace wblab::evidence::detail {

namespace {

using nlohmann::json;

/// A property by name, whatever its case (Graph is camelCase, PowerShell PascalCase).
const json* field(const json& object, std::string_view name) {
    if (!object.is_object()) {
        return nullptr;
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (iequals(it.key(), name)) {
            return &it.value();
        }
    }
    return nullptr;
}

std::string text(const json& object, std::string_view name) {
    const json* v = field(object, name);
    return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

/// The byte offset of each element of the collection: the root array, or the root object's
/// "value" array. Offsets point at each element's first character.
std::vector<std::size_t> elementOffsets(std::string_view t) {
    std::vector<std::size_t> out;
    std::vector<char> stack;
    bool inString = false, escaped = false;
    std::string lastKey, token;
    int targetDepth = -1;
    bool expectElement = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
                lastKey = token;
            } else {
                token += c;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        }
        const int depth = static_cast<int>(stack.size());
        if (expectElement && depth == targetDepth && c != ']') {
            out.push_back(i);
            expectElement = false;
        }
        if (c == '"') {
            inString = true;
            token.clear();
        } else if (c == '{' || c == '[') {
            const bool target =
                c == '[' &&
                ((depth == 0) || (depth == 1 && stack[0] == '{' && iequals(lastKey, "value")));
            stack.push_back(c);
            if (target && targetDepth < 0) {
                targetDepth = depth + 1;
                expectElement = true;
            }
        } else if (c == '}' || c == ']') {
            if (!stack.empty()) {
                stack.pop_back();
            }
        } else if (c == ',' && depth == targetDepth) {
            expectElement = true;
        }
    }
    return out;
}

std::optional<std::int64_t> timeOf(const json& object, std::string_view name) {
    const std::string value = text(object, name);
    if (auto t = parseIsoTime(value)) {
        return t;
    }
    return parseDotNetDate(value);
}

/// ConvertTo-Json replaced objects deeper than its -Depth by their type name.
bool cutByDepth(const json* v) {
    if (v == nullptr) {
        return false;
    }
    if (v->is_string()) {
        return startsWith(v->get<std::string>(), "Microsoft.Graph.");
    }
    if (v->is_array()) {
        for (const auto& item : *v) {
            if (item.is_string()) {
                return true;
            }
        }
    }
    return false;
}

Expected<AuditRecord> auditOf(const json& e, const SourcePos& where) {
    AuditRecord a;
    a.where = where;
    for (const char* nested : {"targetResources", "initiatedBy", "additionalDetails"}) {
        if (cutByDepth(field(e, nested))) {
            return errorAt(where.file,
                           where.line,
                           std::string(nested) +
                               " was cut to a type name by ConvertTo-Json's default -Depth (2): "
                               "export again with ConvertTo-Json -Depth 6");
        }
    }
    auto time = timeOf(e, "activityDateTime");
    if (!time) {
        return errorAt(where.file,
                       where.line,
                       "activityDateTime: expected an ISO 8601 time like 2026-03-02T09:15:00Z "
                       "(or /Date(ms)/ from Windows PowerShell), got '" +
                           text(e, "activityDateTime") + "'");
    }
    a.time = *time;
    a.activity = text(e, "activityDisplayName");
    a.service = text(e, "loggedByService");
    a.category = text(e, "category");
    a.result = lower(text(e, "result"));
    a.resultReason = text(e, "resultReason");
    a.correlationId = text(e, "correlationId");
    if (const json* by = field(e, "initiatedBy")) {
        if (const json* user = field(*by, "user"); user != nullptr && user->is_object()) {
            a.actorUpn = text(*user, "userPrincipalName");
        }
        if (const json* app = field(*by, "app"); a.actorUpn.empty() && app && app->is_object()) {
            a.actorUpn = text(*app, "displayName");
        }
    }
    if (const json* targets = field(e, "targetResources"); targets && targets->is_array()) {
        for (const auto& t : *targets) {
            if (a.targetUpn.empty() && !text(t, "userPrincipalName").empty()) {
                a.targetUpn = text(t, "userPrincipalName");
                a.targetDisplayName = text(t, "displayName");
            }
        }
    }
    if (const json* details = field(e, "additionalDetails"); details && details->is_array()) {
        for (const auto& d : *details) {
            a.details.emplace_back(text(d, "key"), text(d, "value"));
        }
    }
    return a;
}

enum class Collection { Unknown, Audits, RiskyUsers, Detections };

Collection kindOf(const json& element) {
    if (field(element, "activityDisplayName") != nullptr) {
        return Collection::Audits;
    }
    if (field(element, "riskEventType") != nullptr) {
        return Collection::Detections;
    }
    if (field(element, "riskState") != nullptr && field(element, "userPrincipalName") != nullptr) {
        return Collection::RiskyUsers;
    }
    return Collection::Unknown;
}

Expected<std::string> readCollection(const json& items,
                                     std::string_view source,
                                     const std::string& name,
                                     Evidence& into) {
    const auto offsets = elementOffsets(source);
    Collection kind = Collection::Unknown;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const json& e = items[i];
        const SourcePos where{name, i < offsets.size() ? lineAt(source, offsets[i]) : 1, 0};
        const Collection k = kindOf(e);
        if (k == Collection::Unknown || (kind != Collection::Unknown && k != kind)) {
            return errorAt(name,
                           where.line,
                           "expected a directoryAudit (activityDisplayName), a riskyUser "
                           "(riskState, userPrincipalName) or a riskDetection (riskEventType), "
                           "all of one kind");
        }
        kind = k;
        if (k == Collection::Audits) {
            WBLAB_TRY_ASSIGN(auto a, auditOf(e, where), "");
            into.audits.push_back(std::move(a));
        } else if (k == Collection::RiskyUsers) {
            into.riskyUsers.push_back({text(e, "userPrincipalName"),
                                       text(e, "riskLevel"),
                                       text(e, "riskState"),
                                       text(e, "riskDetail"),
                                       timeOf(e, "riskLastUpdatedDateTime").value_or(0),
                                       where});
        } else {
            auto detected = timeOf(e, "detectedDateTime");
            if (!detected) {
                detected = timeOf(e, "activityDateTime");
            }
            if (!detected) {
                return errorAt(name, where.line, "detectedDateTime: expected an ISO 8601 time");
            }
            into.detections.push_back({text(e, "userPrincipalName"),
                                       text(e, "riskEventType"),
                                       text(e, "riskLevel"),
                                       text(e, "riskState"),
                                       *detected,
                                       where});
        }
    }
    const char* what = kind == Collection::Audits       ? "Graph directoryAudits JSON"
                       : kind == Collection::RiskyUsers ? "Graph riskyUsers JSON"
                                                        : "Graph riskDetections JSON";
    return std::string(what) + ", " + std::to_string(items.size()) + " entries";
}

std::string readMethodsPolicy(const json& root,
                              std::string_view source,
                              const std::string& name,
                              Evidence& into) {
    const json& configs = *field(root, "authenticationMethodConfigurations");
    const auto idAt = std::string(source).find("authenticationMethodConfigurations");
    int line = lineAt(source, idAt);
    for (const auto& c : configs) {
        const std::string id = text(c, "id");
        // Each configuration's line: where its id first appears after the previous one.
        const auto at = std::string(source).find("\"" + id + "\"", idAt);
        line = at == std::string::npos ? line : lineAt(source, at);
        into.methods.push_back(
            {id, iequals(text(c, "state"), "enabled"), SourcePos{name, line, 0}});
    }
    return "Graph authenticationMethodsPolicy JSON, " + std::to_string(configs.size()) +
           " method configurations";
}

}  // namespace

Expected<std::string> readJson(std::string_view source, const std::string& name, Evidence& into) {
    json root;
    try {
        root = json::parse(source.begin(), source.end());
    } catch (const json::parse_error& e) {
        return errorAt(name,
                       lineAt(source, e.byte > 0 ? e.byte - 1 : 0),
                       std::string("not valid JSON: ") + e.what());
    }
    const json* items = root.is_array() ? &root : field(root, "value");
    if (items != nullptr && items->is_array()) {
        if (items->empty()) {
            return std::string("an empty JSON collection");
        }
        return readCollection(*items, source, name, into);
    }
    if (const json* c = field(root, "authenticationMethodConfigurations"); c && c->is_array()) {
        return readMethodsPolicy(root, source, name, into);
    }
    if (const json* sspr = field(root, "allowedToUseSSPR"); sspr && sspr->is_boolean()) {
        into.allowedToUseSspr = {
            sspr->get<bool>(),
            SourcePos{name, lineAt(source, std::string(source).find("llowedToUseSSPR")), 0}};
        return std::string("Graph authorizationPolicy JSON");
    }
    if (root.is_object() && kindOf(root) != Collection::Unknown) {
        return readCollection(json::array({root}), source, name, into);
    }
    return errorAt(name,
                   1,
                   "expected a Graph collection ({\"value\": [...]} or a JSON array of "
                   "directoryAudits, riskyUsers or riskDetections), an authenticationMethodsPolicy "
                   "or an authorizationPolicy");
}

}  // namespace wblab::evidence::detail
