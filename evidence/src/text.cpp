// What the evidence readers share (text.hpp).
#include "text.hpp"

#include <wblab/support/utf8.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace wblab::evidence::detail {

namespace {

void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// UTF-16 (after its mark) to UTF-8; nullopt for an odd length or a lone surrogate.
std::optional<std::string> fromUtf16(std::string_view bytes, bool littleEndian) {
    if (bytes.size() % 2 != 0) {
        return std::nullopt;
    }
    auto unit = [&](std::size_t i) -> std::uint32_t {
        const auto a = static_cast<unsigned char>(bytes[i]);
        const auto b = static_cast<unsigned char>(bytes[i + 1]);
        return littleEndian ? (a | (b << 8)) : ((a << 8) | b);
    };
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
        std::uint32_t u = unit(i);
        if (u >= 0xD800 && u < 0xDC00) {
            if (i + 3 >= bytes.size()) {
                return std::nullopt;
            }
            const std::uint32_t low = unit(i + 2);
            if (low < 0xDC00 || low >= 0xE000) {
                return std::nullopt;
            }
            u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
            i += 2;
        } else if (u >= 0xDC00 && u < 0xE000) {
            return std::nullopt;
        }
        appendUtf8(out, u);
    }
    return out;
}

std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// Reads `count` digits at `pos` (advancing it); nullopt unless all are digits.
std::optional<int> digits(std::string_view text, std::size_t& pos, std::size_t count) {
    if (pos + count > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = text[pos + i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    pos += count;
    return value;
}

bool expectChar(std::string_view text, std::size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

/// "Z", "+hh:mm", "-hhmm" or nothing: the offset in seconds to subtract for UTC.
std::optional<std::int64_t> zoneOffset(std::string_view text, std::size_t pos) {
    if (pos == text.size() || (pos + 1 == text.size() && (text[pos] == 'Z' || text[pos] == 'z'))) {
        return 0;
    }
    if (text[pos] != '+' && text[pos] != '-') {
        return std::nullopt;
    }
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    auto h = digits(text, pos, 2);
    expectChar(text, pos, ':');
    auto m = digits(text, pos, 2);
    if (!h || !m || pos != text.size()) {
        return std::nullopt;
    }
    return sign * (*h * 3600 + *m * 60);
}

}  // namespace

Expected<std::string> decodeText(std::string_view bytes, const std::string& name) {
    std::string text;
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
        static_cast<unsigned char>(bytes[1]) == 0xFE) {
        auto converted = fromUtf16(bytes.substr(2), true);
        if (!converted) {
            return errorAt(name, 1, "the file starts as UTF-16 but is not valid UTF-16");
        }
        text = std::move(*converted);
    } else if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFE &&
               static_cast<unsigned char>(bytes[1]) == 0xFF) {
        auto converted = fromUtf16(bytes.substr(2), false);
        if (!converted) {
            return errorAt(name, 1, "the file starts as UTF-16 but is not valid UTF-16");
        }
        text = std::move(*converted);
    } else if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
        text = std::string(bytes.substr(3));
    } else {
        text = std::string(bytes);
    }
    if (auto nul = text.find('\0'); nul != std::string::npos) {
        return errorAt(name,
                       lineAt(text, nul),
                       "a NUL byte: expected text (UTF-8, or UTF-16 with a byte-order mark)");
    }
    if (!utf8Characters(text)) {
        return errorAt(name, 1, "expected UTF-8 text (or UTF-16 with a byte-order mark)");
    }
    return text;
}

int lineAt(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    return 1 + static_cast<int>(
                   std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

Error errorAt(const std::string& name, int line, const std::string& message) {
    return Error{ErrorCode::InvalidInput, message, SourcePos{name, line, 0}};
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && lower(a) == lower(b);
}

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

std::optional<std::int64_t> utcSeconds(
    int year, int month, int day, int hour, int minute, int second) {
    if (year < 1601 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60 || hour < 0 || minute < 0 || second < 0) {
        return std::nullopt;
    }
    return daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
           hour * 3600 + minute * 60 + second;
}

std::optional<std::int64_t> parseIsoTime(std::string_view text) {
    std::size_t pos = 0;
    auto y = digits(text, pos, 4);
    bool ok = y && expectChar(text, pos, '-');
    auto mo = digits(text, pos, 2);
    ok = ok && mo && expectChar(text, pos, '-');
    auto d = digits(text, pos, 2);
    ok = ok && d && (expectChar(text, pos, 'T') || expectChar(text, pos, ' '));
    auto h = digits(text, pos, 2);
    ok = ok && h && expectChar(text, pos, ':');
    auto mi = digits(text, pos, 2);
    ok = ok && mi && expectChar(text, pos, ':');
    auto s = digits(text, pos, 2);
    if (!ok || !s) {
        return std::nullopt;
    }
    if (expectChar(text, pos, '.')) {
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
            ++pos;
        }
    }
    auto zone = zoneOffset(text, pos);
    auto base = utcSeconds(*y, *mo, *d, *h, *mi, *s);
    if (!zone || !base) {
        return std::nullopt;
    }
    return *base - *zone;
}

std::optional<std::int64_t> parseDotNetDate(std::string_view text) {
    if (!startsWith(text, "/Date(") || text.size() < 9 || text.substr(text.size() - 2) != ")/") {
        return std::nullopt;
    }
    auto inner = text.substr(6, text.size() - 8);
    const auto zone = inner.find_first_of("+-", 1);  // /Date(ms+0100)/ carries an offset
    auto ms = parseInteger(inner.substr(0, zone));
    if (!ms) {
        return std::nullopt;
    }
    return *ms / 1000;
}

std::optional<std::int64_t> parseGeneralizedTime(std::string_view text) {
    std::size_t pos = 0;
    auto y = digits(text, pos, 4);
    auto mo = digits(text, pos, 2);
    auto d = digits(text, pos, 2);
    auto h = digits(text, pos, 2);
    auto mi = digits(text, pos, 2);
    auto s = digits(text, pos, 2);
    if (!y || !mo || !d || !h || !mi || !s) {
        return std::nullopt;
    }
    if (expectChar(text, pos, '.') || expectChar(text, pos, ',')) {
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
            ++pos;
        }
    }
    auto zone = zoneOffset(text, pos);
    auto base = utcSeconds(*y, *mo, *d, *h, *mi, *s);
    if (!zone || !base) {
        return std::nullopt;
    }
    return *base - *zone;
}

std::optional<std::int64_t> parseUsDateTime(std::string_view text) {
    int month = 0, day = 0, year = 0, hour = 0, minute = 0, second = 0;
    char half[3] = {0, 0, 0};
    const std::string s(text);
    int used = 0;
    const int n = std::sscanf(s.c_str(),
                              "%d/%d/%d %d:%d:%d %2s%n",
                              &month,
                              &day,
                              &year,
                              &hour,
                              &minute,
                              &second,
                              half,
                              &used);
    if (n < 6) {
        return std::nullopt;
    }
    if (n == 7) {
        const std::string h = lower(half);
        if ((h != "am" && h != "pm") || hour < 1 || hour > 12 ||
            static_cast<std::size_t>(used) != s.size()) {
            return std::nullopt;
        }
        hour = hour % 12 + (h == "pm" ? 12 : 0);
    }
    return utcSeconds(year, month, day, hour, minute, second);
}

std::int64_t fromFileTime(std::int64_t fileTime) {
    return fileTime / 10000000 - 11644473600LL;
}

std::optional<std::int64_t> parseInteger(std::string_view text) {
    const std::string s = trim(text);
    if (s.empty() || s.size() > 20) {
        return std::nullopt;
    }
    std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size()) {
        return std::nullopt;
    }
    unsigned long long value = 0;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return std::nullopt;
        }
        const unsigned long long next = value * 10 + static_cast<unsigned>(s[i] - '0');
        if (next / 10 != value) {
            return std::nullopt;
        }
        value = next;
    }
    if (s[0] == '-') {
        if (value > 9223372036854775808ULL) {
            return std::nullopt;
        }
        return value == 9223372036854775808ULL ? INT64_MIN : -static_cast<std::int64_t>(value);
    }
    if (value > static_cast<unsigned long long>(INT64_MAX)) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(value);
}

std::optional<std::int64_t> adInterval(std::string_view text) {
    auto value = parseInteger(text);
    if (!value) {
        return std::nullopt;
    }
    if (*value == INT64_MIN) {
        return -1;
    }
    return (*value < 0 ? -*value : *value) / 10000000;
}

std::string formatUtc(std::int64_t seconds) {
    std::int64_t days = seconds / 86400;
    std::int64_t rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    // civil from days (Howard Hinnant's algorithm)
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
    char buf[40];
    std::snprintf(buf,
                  sizeof buf,
                  "%04lld-%02u-%02u %02lld:%02lld:%02lld UTC",
                  static_cast<long long>(y),
                  m,
                  d,
                  static_cast<long long>(rest / 3600),
                  static_cast<long long>(rest / 60 % 60),
                  static_cast<long long>(rest % 60));
    return buf;
}

std::optional<std::string> base64Decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    std::size_t padding = 0;
    for (char c : text) {
        int v;
        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            v = c - '0' + 52;
        } else if (c == '+') {
            v = 62;
        } else if (c == '/') {
            v = 63;
        } else if (c == '=') {
            ++padding;
            continue;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        } else {
            return std::nullopt;
        }
        if (padding > 0) {
            return std::nullopt;  // data after '='
        }
        buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    if (padding > 2 || bits >= 6) {
        return std::nullopt;
    }
    return out;
}

std::string guidText(std::string_view b) {
    if (b.size() != 16) {
        return {};
    }
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    const char* hex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out += '-';
        }
        const auto byte = static_cast<unsigned char>(b[static_cast<std::size_t>(order[i])]);
        out += hex[byte >> 4];
        out += hex[byte & 15];
    }
    return out;
}

bool isGuid(std::string_view t) {
    if (t.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < t.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? t[i] != '-' : std::isxdigit(static_cast<unsigned char>(t[i])) == 0) {
            return false;
        }
    }
    return true;
}

}  // namespace wblab::evidence::detail
