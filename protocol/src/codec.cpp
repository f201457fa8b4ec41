#include <wblab/protocol/messages.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace wblab::protocol {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

struct OperationName {
    Operation op;
    const char* name;
};

constexpr OperationName kOperations[] = {
    {Operation::Reset, "reset"},
    {Operation::Change, "change"},
    {Operation::AdminReset, "admin_reset"},
    {Operation::UnlockOnly, "unlock_only"},
    {Operation::ForcedChange, "forced_change"},
};

/// Reads fields of one JSON object and remembers the first problem, naming the field.
class FieldReader {
public:
    FieldReader(const json& object, std::string kind) : object_(object), kind_(std::move(kind)) {}

    template <typename T>
    T get(const char* field) {
        auto it = object_.find(field);
        if (it == object_.end()) {
            fail(std::string("missing field '") + field + "'");
            return T{};
        }
        return as<T>(*it, field);
    }

    template <typename T>
    T getOr(const char* field, T fallback) {
        auto it = object_.find(field);
        if (it == object_.end() || it->is_null()) {
            return fallback;
        }
        return as<T>(*it, field);
    }

    std::optional<Sealed> sealed(const char* field) {
        auto it = object_.find(field);
        if (it == object_.end() || it->is_null()) {
            return std::nullopt;
        }
        if (!it->is_object()) {
            fail(std::string("field '") + field + "' must be an object");
            return std::nullopt;
        }
        FieldReader inner(*it, kind_ + "." + field);
        Sealed s{inner.get<std::string>("alg"),
                 inner.get<std::string>("data"),
                 inner.getOr<std::string>("key", ""),
                 inner.getOr<std::string>("iv", ""),
                 inner.getOr<std::string>("tag", "")};
        if (inner.error_ && !error_) {
            error_ = inner.error_;
        }
        return s;
    }

    const std::optional<std::string>& error() const { return error_; }

    void fail(std::string message) {
        if (!error_) {
            error_ = kind_ + ": " + message;
        }
    }

private:
    template <typename T>
    T as(const json& value, const char* field) {
        bool ok = false;
        if constexpr (std::is_same_v<T, std::string>) {
            ok = value.is_string();
        } else if constexpr (std::is_same_v<T, bool>) {
            ok = value.is_boolean();
        } else if constexpr (std::is_same_v<T, int>) {
            ok = value.is_number_integer() && value.get<long long>() >= INT32_MIN &&
                 value.get<long long>() <= INT32_MAX;
        } else if constexpr (std::is_same_v<T, std::vector<int>>) {
            ok = value.is_array();
            for (const auto& v : value) {
                ok = ok && v.is_number_integer() && v.get<long long>() >= 0 &&
                     v.get<long long>() <= INT32_MAX;
            }
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            ok = value.is_array();
            for (const auto& v : value) {
                ok = ok && v.is_string();
            }
        }
        if (!ok) {
            fail(std::string("field '") + field + "' has the wrong type");
            return T{};
        }
        return value.get<T>();
    }

    const json& object_;
    std::string kind_;
    std::optional<std::string> error_;
};

ordered_json sealedToJson(const std::optional<Sealed>& s) {
    if (!s) {
        return nullptr;
    }
    ordered_json out{{"alg", s->algorithm}};
    // Version 2's parts, in the order they are used: unwrap the key, then decrypt and check.
    for (const auto& [name, value] : {std::pair{"key", &s->key}, std::pair{"iv", &s->iv}}) {
        if (!value->empty()) {
            out[name] = *value;
        }
    }
    out["data"] = s->data;
    if (!s->tag.empty()) {
        out["tag"] = s->tag;
    }
    return out;
}

struct Encoder {
    ordered_json operator()(const Hello& m) const {
        return {{"type", "hello"},
                {"protocol", m.protocol},
                {"protocols", m.protocols},
                {"directory",
                 {{"url", m.directoryUrl},
                  {"tls_ca_file",
                   m.tlsCaFile.empty() ? ordered_json(nullptr) : ordered_json(m.tlsCaFile)},
                  {"base_dn", m.baseDn},
                  {"anchor_attribute", m.anchorAttribute},
                  {"flavour", m.flavour}}},
                {"connector", {{"dn", m.connectorDn}, {"password", m.connectorPassword}}}};
    }

    ordered_json operator()(const Ready& m) const {
        ordered_json out = {{"type", "ready"},
                            {"protocol", m.protocol},
                            {"agent", {{"name", m.agentName}, {"version", m.agentVersion}}},
                            {"capabilities", m.capabilities},
                            {"public_key", m.publicKeyPem},
                            {"events", m.events}};
        if (m.window != 1) {
            out["window"] = m.window;
        }
        return out;
    }

    ordered_json operator()(const Request& m) const {
        return {{"type", "request"},
                {"id", m.id},
                {"operation", toString(m.operation)},
                {"anchor", m.anchor},
                {"upn", m.upn},
                {"new_password", sealedToJson(m.newPassword)},
                {"old_password", sealedToJson(m.oldPassword)},
                {"unlock", m.unlock},
                {"must_change", m.mustChange},
                {"issued_at", m.issuedAt},
                {"expires_at", m.expiresAt}};
    }

    ordered_json operator()(const Answer& m) const {
        return {{"type", "answer"},
                {"id", m.id},
                {"result", m.result == Result::Success ? "success" : "failure"},
                {"events", m.events},
                {"reason", m.reason},
                {"detail", m.detail}};
    }

    ordered_json operator()(const Shutdown&) const { return {{"type", "shutdown"}}; }

    ordered_json operator()(const Bye& m) const { return {{"type", "bye"}, {"events", m.events}}; }

    ordered_json operator()(const Heartbeat& m) const {
        return {{"type", "heartbeat"}, {"events", m.events}};
    }
};

Expected<Message> decodeHello(const json& j, FieldReader& r) {
    Hello m;
    m.protocol = r.get<int>("protocol");
    // A version-1 harness sends no offer: it speaks only the version it names.
    m.protocols = r.getOr<std::vector<int>>("protocols", {m.protocol});
    auto dir = j.find("directory");
    auto conn = j.find("connector");
    if (dir == j.end() || !dir->is_object() || conn == j.end() || !conn->is_object()) {
        return makeError(ErrorCode::ProtocolViolation,
                         "hello: needs objects 'directory' and 'connector'");
    }
    FieldReader d(*dir, "hello.directory");
    m.directoryUrl = d.get<std::string>("url");
    m.tlsCaFile = d.getOr<std::string>("tls_ca_file", "");
    m.baseDn = d.get<std::string>("base_dn");
    m.anchorAttribute = d.get<std::string>("anchor_attribute");
    m.flavour = d.get<std::string>("flavour");
    FieldReader c(*conn, "hello.connector");
    m.connectorDn = c.get<std::string>("dn");
    m.connectorPassword = c.get<std::string>("password");
    for (const auto* sub : {&d, &c}) {
        if (sub->error()) {
            return makeError(ErrorCode::ProtocolViolation, *sub->error());
        }
    }
    return Message(m);
}

Expected<Message> decodeReady(const json& j, FieldReader& r) {
    Ready m;
    m.protocol = r.get<int>("protocol");
    auto agent = j.find("agent");
    if (agent == j.end() || !agent->is_object()) {
        return makeError(ErrorCode::ProtocolViolation, "ready: needs an object 'agent'");
    }
    FieldReader a(*agent, "ready.agent");
    m.agentName = a.get<std::string>("name");
    m.agentVersion = a.get<std::string>("version");
    if (a.error()) {
        return makeError(ErrorCode::ProtocolViolation, *a.error());
    }
    m.capabilities = r.getOr<std::vector<std::string>>("capabilities", {});
    // An unknown capability is most likely a misspelt one ("unlock" for "unlock_only"): the
    // agent would then be treated as lacking it, so say so rather than ignore it silently.
    for (const auto& capability : m.capabilities) {
        if (!isKnownCapability(capability)) {
            m.warnings.push_back("ready: unknown capability '" + capability +
                                 "' (not defined by docs/agent-protocol.md; ignored)");
        }
    }
    m.publicKeyPem = r.getOr<std::string>("public_key", "");
    m.events = r.getOr<std::vector<int>>("events", {});
    m.window = r.getOr<int>("window", 1);
    if (!r.error() && (m.window < 1 || m.window > kMaxWindow)) {
        return makeError(ErrorCode::ProtocolViolation,
                         "ready: 'window' must be 1 to " + std::to_string(kMaxWindow) + ", not " +
                             std::to_string(m.window));
    }
    return Message(m);
}

Message decodeRequest(FieldReader& r) {
    Request m;
    m.id = r.get<std::string>("id");
    auto opName = r.get<std::string>("operation");
    if (!r.error()) {
        auto op = operationFromString(opName);
        if (!op) {
            r.fail("unknown operation '" + opName + "'");
        } else {
            m.operation = *op;
        }
    }
    m.anchor = r.get<std::string>("anchor");
    m.upn = r.getOr<std::string>("upn", "");
    m.newPassword = r.sealed("new_password");
    m.oldPassword = r.sealed("old_password");
    m.unlock = r.getOr<bool>("unlock", false);
    m.mustChange = r.getOr<bool>("must_change", false);
    m.issuedAt = r.get<std::string>("issued_at");
    m.expiresAt = r.get<std::string>("expires_at");
    return m;
}

Message decodeAnswer(FieldReader& r) {
    Answer m;
    m.id = r.get<std::string>("id");
    auto result = r.get<std::string>("result");
    if (!r.error() && result != "success" && result != "failure") {
        r.fail("result must be \"success\" or \"failure\", not '" + result + "'");
    }
    m.result = result == "success" ? Result::Success : Result::Failure;
    m.events = r.getOr<std::vector<int>>("events", {});
    m.reason = r.getOr<int>("reason", 0);
    m.detail = r.getOr<std::string>("detail", "");
    return m;
}

Expected<Message> decodeObject(const json& j) {
    if (!j.is_object()) {
        return makeError(ErrorCode::ProtocolViolation, "a message must be a JSON object");
    }
    auto typeIt = j.find("type");
    if (typeIt == j.end() || !typeIt->is_string()) {
        return makeError(ErrorCode::ProtocolViolation, "a message needs a string field 'type'");
    }
    const std::string type = typeIt->get<std::string>();
    FieldReader r(j, type);
    Expected<Message> out = Message(Shutdown{});
    if (type == "hello") {
        out = decodeHello(j, r);
    } else if (type == "ready") {
        out = decodeReady(j, r);
    } else if (type == "request") {
        out = decodeRequest(r);
    } else if (type == "answer") {
        out = decodeAnswer(r);
    } else if (type == "shutdown") {
        out = Message(Shutdown{});
    } else if (type == "bye") {
        out = Message(Bye{r.getOr<std::vector<int>>("events", {})});
    } else if (type == "heartbeat") {
        out = Message(Heartbeat{r.getOr<std::vector<int>>("events", {})});
    } else {
        return makeError(ErrorCode::ProtocolViolation, "unknown message type '" + type + "'");
    }
    if (out && r.error()) {
        return makeError(ErrorCode::ProtocolViolation, *r.error());
    }
    return out;
}

}  // namespace

bool isKnownCapability(std::string_view capability) {
    if (capability.substr(0, kDirectoryCapabilityPrefix.size()) == kDirectoryCapabilityPrefix) {
        const auto flavour = capability.substr(kDirectoryCapabilityPrefix.size());
        return std::find(std::begin(kDirectoryFlavours), std::end(kDirectoryFlavours), flavour) !=
               std::end(kDirectoryFlavours);
    }
    return std::find(std::begin(kCapabilities), std::end(kCapabilities), capability) !=
           std::end(kCapabilities);
}

bool writesToFlavour(const std::vector<std::string>& capabilities, std::string_view flavour) {
    bool declaresAny = false;
    for (const auto& c : capabilities) {
        if (std::string_view(c).substr(0, kDirectoryCapabilityPrefix.size()) ==
            kDirectoryCapabilityPrefix) {
            declaresAny = true;
            if (std::string_view(c).substr(kDirectoryCapabilityPrefix.size()) == flavour) {
                return true;
            }
        }
    }
    return !declaresAny;
}

const char* toString(Operation op) {
    for (const auto& entry : kOperations) {
        if (entry.op == op) {
            return entry.name;
        }
    }
    return "unknown";
}

std::optional<Operation> operationFromString(std::string_view s) {
    for (const auto& entry : kOperations) {
        if (s == entry.name) {
            return entry.op;
        }
    }
    return std::nullopt;
}

std::string encode(const Message& message) {
    return std::visit(Encoder{}, message).dump();
}

Expected<Message> decode(std::string_view line) {
    if (line.size() > kMaxLineBytes) {
        return makeError(ErrorCode::ProtocolViolation, "line longer than 1 MiB");
    }
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        return makeError(ErrorCode::ProtocolViolation, "not a JSON document");
    }
    return decodeObject(j);
}

const char* kindOf(const Message& message) {
    static constexpr const char* kNames[] = {
        "hello", "ready", "request", "answer", "shutdown", "bye", "heartbeat"};
    return kNames[message.index()];
}

}  // namespace wblab::protocol
