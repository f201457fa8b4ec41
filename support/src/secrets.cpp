// Finding and redacting secrets in their many spellings (secrets.hpp).
#include <wblab/support/secrets.hpp>

#include <algorithm>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>
#include <tuple>

namespace wblab {

namespace {

constexpr std::size_t kFilterBits = std::size_t{1} << 18;

const char* const kHexLower = "0123456789abcdef";
const char* const kHexUpper = "0123456789ABCDEF";

/// Unicode code points of UTF-8 text; a byte that is not part of valid UTF-8 stands for itself
/// (as Latin-1 would read it), so that any secret has a UTF-16 form.
std::vector<std::uint32_t> codePoints(std::string_view text) {
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = lead < 0x80             ? 1
                             : (lead & 0xE0) == 0xC0 ? 2
                             : (lead & 0xF0) == 0xE0 ? 3
                             : (lead & 0xF8) == 0xF0 ? 4
                                                     : 0;
        std::uint32_t point = length <= 1 ? lead : lead & (0x7Fu >> length);
        bool valid = length > 0 && i + length <= text.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            valid = (next & 0xC0) == 0x80;
            point = (point << 6) | (next & 0x3Fu);
        }
        if (!valid) {
            out.push_back(lead);
            ++i;
            continue;
        }
        out.push_back(point);
        i += length;
    }
    return out;
}

std::string utf16(std::string_view text, bool bigEndian) {
    std::string out;
    auto unit = [&](std::uint32_t u) {
        const char hi = static_cast<char>((u >> 8) & 0xFF);
        const char lo = static_cast<char>(u & 0xFF);
        out += bigEndian ? hi : lo;
        out += bigEndian ? lo : hi;
    };
    for (std::uint32_t point : codePoints(text)) {
        if (point >= 0x10000) {
            point -= 0x10000;
            unit(0xD800 + (point >> 10));
            unit(0xDC00 + (point & 0x3FF));
        } else {
            unit(point);
        }
    }
    return out;
}

/// JSON string escapes as encoders write them: only what must be escaped, or (`asciiOnly`)
/// every non-ASCII character as \uXXXX too.
std::string jsonEscaped(std::string_view text, bool asciiOnly) {
    std::string out;
    auto escapeUnit = [&](std::uint32_t u) {
        out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4) {
            out += kHexLower[(u >> shift) & 0xF];
        }
    };
    for (std::uint32_t point : codePoints(text)) {
        if (point == '"' || point == '\\') {
            out += '\\';
            out += static_cast<char>(point);
        } else if (point < 0x20) {
            escapeUnit(point);
        } else if (point < 0x80 || !asciiOnly) {
            // Re-encode as UTF-8 (a stray byte was read as Latin-1 and goes out as such).
            if (point < 0x80) {
                out += static_cast<char>(point);
            } else if (point < 0x800) {
                out += static_cast<char>(0xC0 | (point >> 6));
                out += static_cast<char>(0x80 | (point & 0x3F));
            } else if (point < 0x10000) {
                out += static_cast<char>(0xE0 | (point >> 12));
                out += static_cast<char>(0x80 | ((point >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (point & 0x3F));
            } else {
                out += static_cast<char>(0xF0 | (point >> 18));
                out += static_cast<char>(0x80 | ((point >> 12) & 0x3F));
                out += static_cast<char>(0x80 | ((point >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (point & 0x3F));
            }
        } else if (point >= 0x10000) {
            escapeUnit(0xD800 + ((point - 0x10000) >> 10));
            escapeUnit(0xDC00 + ((point - 0x10000) & 0x3FF));
        } else {
            escapeUnit(point);
        }
    }
    return out;
}

std::string percentEncoded(std::string_view text) {
    std::string out;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += kHexUpper[c >> 4];
            out += kHexUpper[c & 0xF];
        }
    }
    return out;
}

std::string hexOf(std::string_view text, const char* digits) {
    std::string out;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        out += digits[c >> 4];
        out += digits[c & 0xF];
    }
    return out;
}

/// The base64 characters that depend on `text` alone when it starts `align` bytes into a
/// longer base64-encoded stream: the same whatever surrounds it.
std::string base64Fragment(std::string_view text, std::size_t align, bool urlSafe) {
    static const char* const kStd =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char* const kUrl =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char* alphabet = urlSafe ? kUrl : kStd;
    const std::size_t firstBit = 8 * align;
    const std::size_t endBit = 8 * (align + text.size());
    std::string out;
    for (std::size_t j = (firstBit + 5) / 6; 6 * j + 6 <= endBit; ++j) {
        unsigned value = 0;
        for (std::size_t bit = 6 * j; bit < 6 * j + 6; ++bit) {
            const std::size_t byte = bit / 8 - align;
            const auto c = static_cast<unsigned char>(text[byte]);
            value = (value << 1) | ((c >> (7 - bit % 8)) & 1u);
        }
        out += alphabet[value];
    }
    return out;
}

std::uint64_t keyOf(const char* bytes, std::size_t n) {
    std::uint64_t key = 0;
    for (std::size_t i = 0; i < n; ++i) {
        key = (key << 8) | static_cast<unsigned char>(bytes[i]);
    }
    return key;
}

std::size_t filterSlot(std::uint64_t key) {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 46) & (kFilterBits - 1);
}

}  // namespace

const char* toString(SecretForm form) {
    switch (form) {
        case SecretForm::Plain:
            return "plain";
        case SecretForm::Escaped:
            return "escaped";
        case SecretForm::Base64:
            return "base64";
        case SecretForm::Hex:
            return "hex";
        case SecretForm::Utf16:
            return "UTF-16";
    }
    return "?";
}

SecretScanner::SecretScanner(std::vector<Secret> secrets) {
    std::set<std::string> seen;
    for (auto& s : secrets) {
        if (s.value.size() >= kMinSecretBytes && seen.insert(s.value).second) {
            secrets_.push_back(std::move(s));
        }
    }
    std::set<std::string> patternsSeen;
    for (std::size_t i = 0; i < secrets_.size(); ++i) {
        const std::string& v = secrets_[i].value;
        auto add = [&](std::string bytes, SecretForm form) {
            if (!bytes.empty() && patternsSeen.insert(bytes).second) {
                patterns_.push_back(Pattern{std::move(bytes), i, form});
            }
        };
        add(v, SecretForm::Plain);
        add(jsonEscaped(v, false), SecretForm::Escaped);
        add(jsonEscaped(v, true), SecretForm::Escaped);
        add(percentEncoded(v), SecretForm::Escaped);
        for (bool urlSafe : {false, true}) {
            for (std::size_t align = 0; align < 3; ++align) {
                add(base64Fragment(v, align, urlSafe), SecretForm::Base64);
            }
        }
        add(hexOf(v, kHexLower), SecretForm::Hex);
        add(hexOf(v, kHexUpper), SecretForm::Hex);
        add(utf16(v, false), SecretForm::Utf16);
        add(utf16(v, true), SecretForm::Utf16);
    }
    if (patterns_.empty()) {
        return;
    }
    keyBytes_ = 8;
    for (const auto& p : patterns_) {
        keyBytes_ = std::min(keyBytes_, p.bytes.size());
        longest_ = std::max(longest_, p.bytes.size());
    }
    filter_.assign(kFilterBits / 64, 0);
    for (std::size_t k = 0; k < patterns_.size(); ++k) {
        const std::uint64_t key = keyOf(patterns_[k].bytes.data(), keyBytes_);
        byKey_[key].push_back(static_cast<std::uint32_t>(k));
        const std::size_t slot = filterSlot(key);
        filter_[slot / 64] |= std::uint64_t{1} << (slot % 64);
    }
}

std::shared_ptr<const SecretScanner> SecretScanner::joined(
    const std::vector<std::shared_ptr<const SecretScanner>>& parts) {
    auto out = std::make_shared<SecretScanner>();
    for (const auto& part : parts) {
        if (!part || part->empty()) {
            continue;
        }
        out->partOffsets_.push_back(out->secrets_.size());
        out->secrets_.insert(out->secrets_.end(), part->secrets_.begin(), part->secrets_.end());
        out->longest_ = std::max(out->longest_, part->longest_);
        out->parts_.push_back(part);
    }
    return out;
}

void SecretScanner::scanParts(std::string_view text,
                              const std::function<void(const SecretFinding&)>& onMatch) const {
    // A match an earlier part made at the same place, in the same form, is the same value.
    std::set<std::tuple<std::uint64_t, std::size_t, SecretForm>> seen;
    for (std::size_t k = 0; k < parts_.size(); ++k) {
        parts_[k]->scan(text, [&](SecretFinding f) {
            if (seen.emplace(f.offset, f.length, f.form).second) {
                f.secret += partOffsets_[k];
                onMatch(f);
            }
        });
    }
}

template <typename OnMatch>
void SecretScanner::scan(std::string_view text, OnMatch onMatch) const {
    if (!parts_.empty()) {
        scanParts(text, onMatch);
        return;
    }
    if (patterns_.empty() || text.size() < keyBytes_) {
        return;
    }
    const std::uint64_t mask =
        keyBytes_ == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * keyBytes_)) - 1;
    std::uint64_t window = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        window = ((window << 8) | static_cast<unsigned char>(text[i])) & mask;
        if (i + 1 < keyBytes_) {
            continue;
        }
        const std::size_t slot = filterSlot(window);
        if ((filter_[slot / 64] & (std::uint64_t{1} << (slot % 64))) == 0) {
            continue;
        }
        auto it = byKey_.find(window);
        if (it == byKey_.end()) {
            continue;
        }
        const std::size_t start = i + 1 - keyBytes_;
        for (std::uint32_t k : it->second) {
            const auto& p = patterns_[k];
            if (start + p.bytes.size() <= text.size() &&
                std::memcmp(text.data() + start, p.bytes.data(), p.bytes.size()) == 0) {
                onMatch(SecretFinding{p.secret, p.form, start, p.bytes.size()});
            }
        }
    }
}

std::vector<SecretFinding> SecretScanner::find(std::string_view text) const {
    std::vector<SecretFinding> out;
    scan(text, [&](const SecretFinding& f) { out.push_back(f); });
    if (parts_.size() > 1) {  // each part's findings are in text order, not all of them
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
            return a.offset < b.offset;
        });
    }
    return out;
}

bool SecretScanner::any(std::string_view text) const {
    bool found = false;
    scan(text, [&](const SecretFinding&) { found = true; });
    return found;
}

namespace {

/// `text` with each of `spans` ([start, end), in any order, overlapping or not) replaced by
/// kRedacted, overlapping and touching spans as one.
std::string withSpansRedacted(std::string_view text,
                              std::vector<std::pair<std::size_t, std::size_t>> spans) {
    if (spans.empty()) {
        return std::string(text);
    }
    std::sort(spans.begin(), spans.end());
    std::string out;
    std::size_t at = 0;
    for (std::size_t i = 0; i < spans.size();) {
        std::size_t start = spans[i].first;
        std::size_t end = spans[i].second;
        for (++i; i < spans.size() && spans[i].first <= end; ++i) {
            end = std::max(end, spans[i].second);
        }
        out.append(text.substr(at, start - at));
        out += kRedacted;
        at = end;
    }
    out.append(text.substr(at));
    return out;
}

}  // namespace

std::string SecretScanner::redact(std::string_view text) const {
    std::vector<std::pair<std::size_t, std::size_t>> spans;  // [start, end)
    scan(text, [&](const SecretFinding& f) {
        const auto start = static_cast<std::size_t>(f.offset);
        spans.emplace_back(start, start + f.length);
    });
    return withSpansRedacted(text, std::move(spans));
}

std::string SecretScanner::summarize(const std::vector<SecretFinding>& findings) {
    std::set<std::size_t> secrets;
    std::set<std::string> forms;
    for (const auto& f : findings) {
        secrets.insert(f.secret);
        forms.insert(toString(f.form));
    }
    std::string list;
    for (const auto& form : forms) {
        list += (list.empty() ? "" : ", ") + form;
    }
    return std::to_string(secrets.size()) + " (" + list + ")";
}

void addGeneration(std::vector<std::shared_ptr<const SecretScanner>>& generations,
                   std::vector<Secret> secrets) {
    while (!generations.empty() && generations.back()->secrets().size() <= 2 * secrets.size()) {
        const auto& older = generations.back()->secrets();
        secrets.insert(secrets.end(), older.begin(), older.end());
        generations.pop_back();
    }
    generations.push_back(std::make_shared<SecretScanner>(std::move(secrets)));
}

SecretStream::SecretStream(std::shared_ptr<const SecretScanner> scanner)
    : scanner_(std::move(scanner)) {}

std::vector<SecretFinding> SecretStream::feed(std::string_view chunk) {
    std::vector<SecretFinding> found;
    if (!scanner_ || scanner_->empty()) {
        bytes_ += chunk.size();
        return found;
    }
    std::string text = carry_;
    text.append(chunk);
    const std::uint64_t textStart = bytes_ - carry_.size();
    for (auto f : scanner_->find(text)) {
        // A match that lies wholly in the carried bytes was found with the previous chunk.
        if (f.offset + f.length > carry_.size()) {
            f.offset += textStart;
            found.push_back(f);
        }
    }
    const std::size_t keep = scanner_->longestPattern() - 1;
    carry_ = text.size() > keep ? text.substr(text.size() - keep) : text;
    bytes_ += chunk.size();
    findings_.insert(findings_.end(), found.begin(), found.end());
    return found;
}

// Secrets arrive a few at a time all through a run (each scenario's, each request's), and a
// scanner costs its secrets' encodings to build. So the redactor keeps scanners in generations,
// each at most half the size of the one before it, like a binary counter: a new secret is
// built into a small generation, which merges with older ones only when it has grown as large.
// Every secret's patterns are built O(log n) times in a run instead of once per later secret
// (a run of 120 scenarios spent a quarter of wblab's CPU rebuilding one scanner).
struct Redactor::State {
    std::mutex mutex;
    std::set<std::string> values;
    std::vector<std::string> pending;  ///< in values, in no generation yet
    std::vector<std::shared_ptr<const SecretScanner>> generations;  ///< oldest (largest) first

    /// Builds the pending secrets into a generation and merges generations until each is
    /// more than twice the size of the next.
    void settle() {
        if (pending.empty()) {
            return;
        }
        std::vector<Secret> secrets;
        for (auto& v : pending) {
            secrets.push_back({std::move(v), "a secret"});
        }
        pending.clear();
        addGeneration(generations, std::move(secrets));
    }
};

Redactor::Redactor() : state_(std::make_shared<State>()) {}

void Redactor::add(const std::vector<std::string>& values) {
    std::lock_guard lock(state_->mutex);
    for (const auto& v : values) {
        if (v.size() >= kMinSecretBytes && state_->values.insert(v).second) {
            state_->pending.push_back(v);
        }
    }
}

void Redactor::add(const std::string& value) {
    add(std::vector<std::string>{value});
}

std::string Redactor::redact(std::string_view text) const {
    std::vector<std::shared_ptr<const SecretScanner>> generations;
    {
        std::lock_guard lock(state_->mutex);
        state_->settle();
        generations = state_->generations;
    }
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const auto& g : generations) {
        for (const auto& f : g->find(text)) {
            const auto start = static_cast<std::size_t>(f.offset);
            spans.emplace_back(start, start + f.length);
        }
    }
    return withSpansRedacted(text, std::move(spans));
}

void Redactor::clear() {
    std::lock_guard lock(state_->mutex);
    state_->values.clear();
    state_->pending.clear();
    state_->generations.clear();
}

Redactor& processRedactor() {
    static Redactor redactor;
    return redactor;
}

std::string redact(std::string_view text) {
    return processRedactor().redact(text);
}

std::string printable(std::string_view text, bool keepNewlines) {
    std::string out;
    auto escaped = [&](unsigned value, bool unicode) {
        out += unicode ? "\\u00" : "\\x";
        out += kHexLower[(value >> 4) & 0xF];
        out += kHexLower[value & 0xF];
    };
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            const bool allowed = c >= 0x20 && c != 0x7F;
            const bool newline = keepNewlines && (c == '\n' || c == '\t');
            if (allowed || newline) {
                out += static_cast<char>(c);
            } else {
                escaped(c, false);
            }
            ++i;
            continue;
        }
        const std::size_t length = (c & 0xE0) == 0xC0   ? 2
                                   : (c & 0xF0) == 0xE0 ? 3
                                   : (c & 0xF8) == 0xF0 ? 4
                                                        : 0;
        const std::string_view sequence =
            length == 0 || i + length > text.size() ? std::string_view() : text.substr(i, length);
        const auto points = codePoints(sequence);
        const bool valid = !sequence.empty() && points.size() == 1 && points[0] >= 0x80 &&
                           !(points[0] >= 0xD800 && points[0] <= 0xDFFF) &&
                           (length != 2 || points[0] >= 0x80) &&
                           (length != 3 || points[0] >= 0x800) &&
                           (length != 4 || (points[0] >= 0x10000 && points[0] <= 0x10FFFF));
        if (!valid) {
            escaped(c, false);
            ++i;
        } else if (points[0] <= 0x9F) {
            escaped(points[0], true);  // a C1 control character
            i += length;
        } else {
            out.append(sequence);
            i += length;
        }
    }
    return out;
}

}  // namespace wblab
