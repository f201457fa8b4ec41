#pragma once
// File: secrets.hpp
//
// Secrets in text: finding them in the forms a careless or hostile program writes them (plain,
// JSON- or percent-escaped, base64 at any alignment, hex, UTF-16) and redacting them from
// everything wblab prints or writes. One scanner serves both: the security check that searches
// an agent's log (the criterion sec-never-logged) and the redactor every output passes through.
//
//   SecretScanner scan({{"Cloud-Reset-2026!", "the new password of step 1"}});
//   for (const auto& f : scan.find(log)) { ... scan.secrets()[f.secret].label ... }
//   std::string safe = scan.redact(text);             // "... [redacted] ..."
//
//   SecretStream stream(scan);                        // the same over a stream of chunks
//   stream.feed(chunk1); stream.feed(chunk2);         // a match may span chunks
//
//   processRedactor().add(scenario.secrets());        // every secret of the run, process-wide
//   std::cout << redact(message);

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wblab {

/// Secrets shorter than this many bytes cannot be told apart from ordinary text: the scanner
/// ignores them, and the scenario loader refuses passwords that short.
inline constexpr std::size_t kMinSecretBytes = 6;

/// What redacted text shows in place of a secret.
inline constexpr const char* kRedacted = "[redacted]";

/// How a secret was written.
enum class SecretForm {
    Plain,
    Escaped,  ///< JSON string escapes (\" \\ \uXXXX) or percent-encoding
    Base64,   ///< standard or URL-safe alphabet, at any byte alignment
    Hex,      ///< lower or upper case
    Utf16,    ///< UTF-16, little- or big-endian
};

const char* toString(SecretForm form);

struct Secret {
    std::string value;
    std::string label;  ///< which secret, without its value: "the new password of step 1"
};

struct SecretFinding {
    std::size_t secret = 0;  ///< index into SecretScanner::secrets()
    SecretForm form = SecretForm::Plain;
    std::uint64_t offset = 0;  ///< where the match starts in the text (or the stream)
    std::size_t length = 0;
};

/// An immutable set of secrets and every pattern they may appear as.
class SecretScanner {
public:
    SecretScanner() = default;
    /// Secrets shorter than kMinSecretBytes, and duplicates, are dropped.
    explicit SecretScanner(std::vector<Secret> secrets);

    /// One scanner over scanners already built, without building their patterns again (a kept
    /// agent's log is searched for this scenario's secrets and every earlier one's): secrets()
    /// is theirs in order, and a match that two of them make alike (one value under two
    /// labels) is found once, for the first. Null parts are skipped.
    static std::shared_ptr<const SecretScanner> joined(
        const std::vector<std::shared_ptr<const SecretScanner>>& parts);

    const std::vector<Secret>& secrets() const { return secrets_; }

    bool empty() const { return patterns_.empty() && parts_.empty(); }

    /// Every occurrence of every form of every secret, in text order (overlaps included).
    std::vector<SecretFinding> find(std::string_view text) const;

    /// True when `text` holds any secret in any form.
    bool any(std::string_view text) const;

    /// `text` with every occurrence replaced by kRedacted.
    std::string redact(std::string_view text) const;

    /// The longest pattern, in bytes: a stream scanner keeps that much minus one between chunks.
    std::size_t longestPattern() const { return longest_; }

    /// How many secrets findings name, each once, and which forms: "2 (base64, plain)".
    static std::string summarize(const std::vector<SecretFinding>& findings);

private:
    struct Pattern {
        std::string bytes;
        std::size_t secret;
        SecretForm form;
    };

    template <typename OnMatch>
    void scan(std::string_view text, OnMatch onMatch) const;
    void scanParts(std::string_view text,
                   const std::function<void(const SecretFinding&)>& onMatch) const;

    std::vector<Secret> secrets_;
    std::vector<Pattern> patterns_;
    std::size_t keyBytes_ = 0;  ///< every pattern is at least this long (1..8)
    std::size_t longest_ = 0;
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> byKey_;
    std::vector<std::uint64_t> filter_;  ///< a bit per hashed key: most positions stop here
    /// joined(): the scanners searched instead of patterns of its own, and where each one's
    /// secrets start in secrets_.
    std::vector<std::shared_ptr<const SecretScanner>> parts_;
    std::vector<std::size_t> partOffsets_;
};

/// Adds `secrets` to scanners kept in generations of falling size, like a binary counter: the
/// new scanner merges with older ones (built again from their secrets) only once it is as large,
/// so each secret's patterns are built O(log n) times however many additions come. A scanner
/// joined() over `generations` finds every secret added.
void addGeneration(std::vector<std::shared_ptr<const SecretScanner>>& generations,
                   std::vector<Secret> secrets);

/// A SecretScanner over a stream that arrives in chunks: findings carry stream offsets, and a
/// match that spans two chunks is found once.
class SecretStream {
public:
    explicit SecretStream(std::shared_ptr<const SecretScanner> scanner);

    /// Scans the next chunk; returns what was found in it (also kept in findings()).
    std::vector<SecretFinding> feed(std::string_view chunk);

    const std::vector<SecretFinding>& findings() const { return findings_; }

    std::uint64_t bytes() const { return bytes_; }

private:
    std::shared_ptr<const SecretScanner> scanner_;
    std::string carry_;  ///< the last longestPattern()-1 bytes seen
    std::uint64_t bytes_ = 0;
    std::vector<SecretFinding> findings_;
};

/// Every secret the process knows of (the run's passwords, matrix values used as passwords,
/// the directory's connector and admin passwords), for redacting what reaches any output.
/// Thread-safe.
class Redactor {
public:
    Redactor();

    void add(const std::vector<std::string>& values);
    void add(const std::string& value);

    /// `text` with every known secret, in any form, replaced by kRedacted.
    std::string redact(std::string_view text) const;

    /// Forgets every secret (tests).
    void clear();

private:
    struct State;
    std::shared_ptr<State> state_;
};

/// The process's redactor.
Redactor& processRedactor();

/// processRedactor().redact(text).
std::string redact(std::string_view text);

/// Text made safe for a terminal or a one-line report field: control characters (C0, DEL, C1)
/// become a visible escape such as "\x1b", and invalid UTF-8 bytes become "\xNN"; newlines and
/// tabs too unless `keepNewlines`.
std::string printable(std::string_view text, bool keepNewlines = false);

}  // namespace wblab
