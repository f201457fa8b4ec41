#pragma once
// File: messages.hpp
//
// Agent protocol (versions 1 and 2): the messages that the harness (playing the cloud relay) and a
// writeback agent exchange as JSON Lines over the agent's stdin and stdout. docs/agent-protocol.md
// is the public description; this header is its C++ form, shared by the harness and the reference
// agent (the only code they share).
//
//   auto line = protocol::encode(protocol::Shutdown{});
//   auto msg = protocol::decode(line);        // Expected<Message>
//   if (msg && std::holds_alternative<protocol::Shutdown>(*msg)) { ... }

#include <wblab/support/expected.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace wblab::protocol {

/// Protocol versions. Version 2 seals each password with a fresh AES-256-GCM key wrapped to the
/// agent's RSA key (passwords up to 256 characters); version 1 with RSA-OAEP alone (190 bytes).
inline constexpr int kProtocolV1 = 1;
inline constexpr int kProtocolV2 = 2;
/// The versions this codec speaks, oldest first: what the harness offers in Hello::protocols.
inline constexpr int kProtocolVersions[] = {kProtocolV1, kProtocolV2};
/// The most requests an agent may have in flight (Ready::window, protocol 2.1).
inline constexpr int kMaxWindow = 64;
/// Longest line either side may send, newline excluded.
inline constexpr std::size_t kMaxLineBytes = 1 << 20;

enum class Operation { Reset, Change, AdminReset, UnlockOnly, ForcedChange };

const char* toString(Operation op);
std::optional<Operation> operationFromString(std::string_view s);

/// The capabilities docs/agent-protocol.md defines: the operations, "plaintext", "rehandshake"
/// and the directory flavours below.
/// Anything else in Ready::capabilities is reported as a handshake warning.
inline constexpr std::string_view kCapabilities[] = {
    "reset", "change", "admin_reset", "unlock_only", "forced_change", "plaintext", "rehandshake"};

/// The directory flavours of hello.directory.flavour. An agent that writes only to some lists
/// each as the capability "directory:<flavour>"; one that lists none takes any.
inline constexpr std::string_view kDirectoryFlavours[] = {"openldap-ad", "samba-ad"};
inline constexpr std::string_view kDirectoryCapabilityPrefix = "directory:";

bool isKnownCapability(std::string_view capability);

/// True when capabilities declare no directory flavour, or declare `flavour`.
bool writesToFlavour(const std::vector<std::string>& capabilities, std::string_view flavour);

/// A secret encrypted to the agent's public key (crypto.hpp seals and opens it). algorithm is
/// "RSA-OAEP-256" (version 1: RSA-OAEP with SHA-256 and MGF1-SHA-256, the secret itself),
/// "RSA-OAEP-256+A256GCM" (version 2: a fresh AES-256-GCM key wrapped with RSA-OAEP-256, the
/// secret under AES-GCM), or "plain" only for agents that declare the plaintext capability.
struct Sealed {
    std::string algorithm;
    std::string data;  ///< base64 ciphertext (or the plaintext for "plain")
    std::string key;   ///< v2: base64 of the AES key wrapped with RSA-OAEP-256; else empty
    std::string iv;    ///< v2: base64 of the 96-bit GCM nonce; else empty
    std::string tag;   ///< v2: base64 of the 128-bit GCM tag; else empty
};

/// harness → agent, first line: where the directory is and how to bind to it.
struct Hello {
    /// Always 1 on the wire: what a version-1 agent reads. The offer is `protocols`.
    int protocol = kProtocolV1;
    /// Every version the harness speaks, oldest first; the agent names one of them in Ready.
    std::vector<int> protocols{std::begin(kProtocolVersions), std::end(kProtocolVersions)};
    std::string directoryUrl;
    std::string tlsCaFile;  ///< empty when the URL is ldapi://
    std::string baseDn;
    std::string anchorAttribute;
    std::string flavour;  ///< "openldap-ad": slapd with the AD-shaped schema of wblab
    std::string connectorDn;
    std::string connectorPassword;
};

/// agent → harness, answer to Hello.
struct Ready {
    int protocol = kProtocolV1;  ///< the version chosen from Hello::protocols
    std::string agentName;
    std::string agentVersion;
    std::vector<std::string> capabilities;
    std::string publicKeyPem;  ///< RSA-2048 public key, SubjectPublicKeyInfo PEM
    std::vector<int> events;   ///< onboarding events logged: 31004, 31017, 31018, 31005
    /// How many requests the agent takes before answering one (1..kMaxWindow; protocol 2.1). On
    /// the wire only when above 1: an agent that sends none gets one request at a time.
    int window = 1;
    /// Not on the wire: what decode() found questionable but not wrong (an unknown capability).
    /// The harness reports them as handshake warnings.
    std::vector<std::string> warnings;
};

/// harness → agent: one writeback operation.
struct Request {
    std::string id;
    Operation operation = Operation::Reset;
    std::string anchor;
    std::string upn;
    std::optional<Sealed> newPassword;
    std::optional<Sealed> oldPassword;  ///< only for Change and ForcedChange
    bool unlock = false;
    bool mustChange = false;
    std::string issuedAt;   ///< RFC 3339 UTC, e.g. 2026-11-25T10:00:00Z
    std::string expiresAt;  ///< the agent must not apply the request after this instant
};

enum class Result { Success, Failure };

/// agent → harness: the outcome of one Request.
struct Answer {
    std::string id;
    Result result = Result::Failure;
    std::vector<int> events;  ///< event ids logged, in order (31001, 31002, ...)
    int reason = 0;           ///< 0 on success, else the 33xxx/32xxx reason
    std::string detail;       ///< short human text; never a password
};

/// harness → agent: stop cleanly.
struct Shutdown {};

/// agent → harness: last line before exiting.
struct Bye {
    std::vector<int> events;  ///< 31016
};

/// agent → harness, at any time between answers.
struct Heartbeat {
    std::vector<int> events;  ///< 31019
};

using Message = std::variant<Hello, Ready, Request, Answer, Shutdown, Bye, Heartbeat>;

/// One JSON line, without the trailing newline.
std::string encode(const Message& message);

/// Parses one line. Unknown message types, missing fields and wrong types are ProtocolViolation
/// errors whose message names the field. Unknown extra fields are ignored (forward compatible);
/// unknown capabilities in a ready are kept and listed in Ready::warnings.
Expected<Message> decode(std::string_view line);

/// Name of the message kind ("hello", "ready", ...), for diagnostics.
const char* kindOf(const Message& message);

}  // namespace wblab::protocol
