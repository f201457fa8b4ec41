#pragma once
// File: crypto.hpp
//
// The envelope for passwords in transit: RSA-2048 keys, RSA-OAEP with SHA-256. The agent makes a
// key pair at start-up and publishes the public half in Ready; the harness seals every password
// to it. Plaintext never crosses the wire unless the agent declared the "plaintext" capability.
//
//   auto keys = KeyPair::generate();
//   auto sealed = seal(keys->publicKeyPem(), "N3w-Passw0rd!");
//   auto clear = keys->open(*sealed);

#include <wblab/protocol/messages.hpp>
#include <wblab/support/expected.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace wblab::protocol {

inline constexpr const char* kSealAlgorithm = "RSA-OAEP-256";
/// RSA-2048 with OAEP-SHA-256 carries at most 190 bytes.
inline constexpr std::size_t kMaxSealedBytes = 190;

class KeyPair {
public:
    static Expected<KeyPair> generate();

    KeyPair(KeyPair&&) noexcept;
    KeyPair& operator=(KeyPair&&) noexcept;
    ~KeyPair();

    std::string publicKeyPem() const;

    /// Decrypts a sealed secret; fails on a wrong key, corrupt data or an unknown algorithm.
    Expected<std::string> open(const Sealed& sealed) const;

private:
    struct Impl;
    explicit KeyPair(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Encrypts plaintext to the PEM public key.
Expected<Sealed> seal(std::string_view publicKeyPem, std::string_view plaintext);

/// RFC 3339 UTC with seconds, e.g. "2026-11-25T10:00:00Z", for seconds since the Unix epoch.
std::string formatUtc(std::int64_t epochSeconds);
/// Parses formatUtc's output; nullopt for anything else.
std::optional<std::int64_t> parseUtc(std::string_view text);

}  // namespace wblab::protocol
