#pragma once
// File: crypto.hpp
//
// The envelopes for passwords in transit. The agent makes an RSA-2048 key pair at start-up and
// publishes the public half in Ready; the harness seals every password to it, as the version
// negotiated in the handshake says:
//   version 1  RSA-OAEP-256 (OAEP and MGF1 with SHA-256, no label) of the password itself: at
//              most 190 bytes;
//   version 2  a fresh AES-256-GCM key wrapped with RSA-OAEP-256, the password under AES-GCM
//              (random 96-bit nonce, 128-bit tag) with the request id and field as associated
//              data: at most 256 characters. Microsoft describes the real service's envelope as a
//              2048-bit RSA key plus 256-bit AES-GCM (docs/agent-protocol.md cites the page).
// Plaintext never crosses the wire unless the agent declared the "plaintext" capability.
//
//   auto keys = KeyPair::generate();
//   auto context = sealContext(request.id, "new_password");
//   auto sealed = seal(keys->publicKeyPem(), "N3w-Passw0rd!", kProtocolV2, context);
//   auto clear = keys->open(*sealed, context);

#include <wblab/protocol/messages.hpp>
#include <wblab/support/expected.hpp>
#include <wblab/support/utf8.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace wblab::protocol {

inline constexpr const char* kSealAlgorithm = "RSA-OAEP-256";            ///< version 1
inline constexpr const char* kSealAlgorithmV2 = "RSA-OAEP-256+A256GCM";  ///< version 2
/// Version 1: RSA-2048 with OAEP-SHA-256 carries at most 190 bytes.
inline constexpr std::size_t kMaxSealedBytes = 190;
/// Version 2: the cloud's own limit, 256 characters (Unicode code points of the UTF-8 text).
inline constexpr std::size_t kMaxPasswordCharacters = 256;

class KeyPair {
public:
    static Expected<KeyPair> generate();

    /// A key pair kept by save(): NotFound when the file is absent, InvalidInput when it is not
    /// an RSA private key of at least 2048 bits in PEM form or others may read it (mode not
    /// 0600 or stricter).
    static Expected<KeyPair> load(const std::string& path);

    /// Keeps the key pair in `path`, mode 0600, written beside it and renamed over it: a reader
    /// sees the old file or the new, never half of one.
    Expected<void> save(const std::string& path) const;

    KeyPair(KeyPair&&) noexcept;
    KeyPair& operator=(KeyPair&&) noexcept;
    ~KeyPair();

    std::string publicKeyPem() const;

    /// Decrypts a sealed secret of either version (its algorithm says which). `context` must be
    /// the one it was sealed with (version 2; version 1 ignores it). Fails on a wrong key, a
    /// wrong context, corrupt or tampered data (the GCM tag is checked), or an unknown algorithm.
    Expected<std::string> open(const Sealed& sealed, std::string_view context = {}) const;

private:
    struct Impl;
    explicit KeyPair(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// The associated data that binds a version-2 secret to its request and field, so that a relay
/// cannot move a sealed password to another request or swap old and new: "<id>:<field>", e.g.
/// "00000000-0000-4000-8000-000000000001:new_password".
std::string sealContext(std::string_view requestId, std::string_view field);

/// Encrypts plaintext to the PEM public key in the envelope of protocol `version` (1 or 2).
/// InvalidInput when the secret does not fit that version (fitsVersion), ProtocolViolation when
/// the key is not an RSA public key of at least 2048 bits.
Expected<Sealed> seal(std::string_view publicKeyPem,
                      std::string_view plaintext,
                      int version = kProtocolV1,
                      std::string_view context = {});

/// Characters of UTF-8 text (support/utf8.hpp), as the protocol counts them.
using ::wblab::utf8Characters;

/// True when an agent of protocol `version` can receive this password: version 1 carries at most
/// 190 bytes, version 2 at most 256 characters of valid UTF-8. A scenario with a password that
/// does not fit the agent's version is `unsupported` for that agent, not failed.
bool fitsVersion(std::string_view password, int version);

/// RFC 3339 UTC with seconds, e.g. "2026-11-25T10:00:00Z", for seconds since the Unix epoch.
std::string formatUtc(std::int64_t epochSeconds);
/// Parses formatUtc's output; nullopt for anything else.
std::optional<std::int64_t> parseUtc(std::string_view text);

}  // namespace wblab::protocol
