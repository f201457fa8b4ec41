#pragma once
// Private to the evidence module: what every reader shares. Text decoding (byte-order marks,
// UTF-16 from ldifde -u and PowerShell), lines, times in the shapes the exports use, base64,
// Windows GUIDs, and errors at file:line.

#include <wblab/support/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wblab::evidence::detail {

/// The export as UTF-8: a UTF-8 byte-order mark dropped, UTF-16 (with its mark) converted,
/// NUL bytes and invalid UTF-8 refused.
Expected<std::string> decodeText(std::string_view bytes, const std::string& name);

/// The 1-based line of a byte offset.
int lineAt(std::string_view text, std::size_t offset);

/// An error at file:line (column 0: not shown).
Error errorAt(const std::string& name, int line, const std::string& message);

std::string lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
std::string trim(std::string_view text);
bool startsWith(std::string_view text, std::string_view prefix);

/// ISO 8601: 2026-03-02T09:15:00Z, with fractions, an offset or none (UTC), or a space for T.
std::optional<std::int64_t> parseIsoTime(std::string_view text);
/// Windows PowerShell 5.1's ConvertTo-Json: /Date(1772442900000)/ (milliseconds).
std::optional<std::int64_t> parseDotNetDate(std::string_view text);
/// LDAP GeneralizedTime: 20260302091500.0Z.
std::optional<std::int64_t> parseGeneralizedTime(std::string_view text);
/// en-US Event Viewer: 3/2/2026 9:15:00 AM (month first, 12-hour clock).
std::optional<std::int64_t> parseUsDateTime(std::string_view text);
/// Seconds since the epoch from UTC calendar fields (no range checks beyond plausibility).
std::optional<std::int64_t> utcSeconds(
    int year, int month, int day, int hour, int minute, int second);

/// A FILETIME (100 ns since 1601-01-01) as seconds since the epoch.
std::int64_t fromFileTime(std::int64_t fileTime);

/// An AD interval (a negative count of 100 ns, as minPwdAge): seconds, or -1 for "never" (the
/// most negative value).
std::optional<std::int64_t> adInterval(std::string_view text);

std::optional<std::int64_t> parseInteger(std::string_view text);

/// "2026-03-02 09:15:00 UTC".
std::string formatUtc(std::int64_t seconds);

/// RFC 4648 base64; nullopt for bad input.
std::optional<std::string> base64Decode(std::string_view text);

/// A 16-byte GUID as Windows writes it (the first three fields little-endian).
std::string guidText(std::string_view bytes16);

/// Looks like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
bool isGuid(std::string_view text);

}  // namespace wblab::evidence::detail
