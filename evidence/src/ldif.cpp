// LDIF content records (readers.hpp), as RFC 2849 defines them
// (https://www.rfc-editor.org/rfc/rfc2849): an optional "version: 1", records separated by
// blank lines, "dn:" first, "attr: value", "attr:: base64" for values that are not safe
// strings, lines folded by a leading space, comments starting with "#". ldifde writes each
// entry as "changetype: add" (accepted as content; other change types are refused) and
// base64 for binary values (https://learn.microsoft.com/en-us/windows/win32/ad/ldif-scripts);
// ldapsearch ends with "search:" and "result:" lines, which are skipped.
#include "readers.hpp"

namespace wblab::evidence::detail {

namespace {

struct Logical {
    std::string text;
    int line = 0;
};

/// Unfolded lines; a blank line is an empty Logical, comments are dropped.
std::vector<Logical> unfold(std::string_view source) {
    std::vector<Logical> out;
    bool inComment = false;
    int line = 0;
    std::size_t start = 0;
    while (start <= source.size()) {
        auto end = source.find('\n', start);
        if (end == std::string_view::npos) {
            end = source.size();
        }
        std::string_view raw = source.substr(start, end - start);
        ++line;
        if (!raw.empty() && raw.back() == '\r') {
            raw.remove_suffix(1);
        }
        if (!raw.empty() && raw[0] == ' ') {
            if (!inComment && !out.empty() && !out.back().text.empty()) {
                out.back().text += std::string(raw.substr(1));
            }
        } else if (!raw.empty() && raw[0] == '#') {
            inComment = true;
        } else {
            inComment = false;
            out.push_back({std::string(raw), line});
        }
        if (end == source.size()) {
            break;
        }
        start = end + 1;
    }
    return out;
}

struct Pair {
    std::string name;
    std::string value;
};

Expected<Pair> splitLine(const Logical& l, const std::string& file) {
    const auto colon = l.text.find(':');
    if (colon == std::string::npos || colon == 0) {
        return errorAt(
            file,
            l.line,
            "expected 'attribute: value' (RFC 2849), got '" + l.text.substr(0, 60) + "'");
    }
    Pair p{l.text.substr(0, colon), {}};
    std::string rest = l.text.substr(colon + 1);
    if (!rest.empty() && rest[0] == ':') {
        auto decoded = base64Decode(trim(rest.substr(1)));
        if (!decoded) {
            return errorAt(file, l.line, p.name + ":: expected a base64 value");
        }
        p.value = std::move(*decoded);
    } else if (!rest.empty() && rest[0] == '<') {
        return errorAt(
            file, l.line, p.name + ":< a value given by URL is not read: export it inline");
    } else {
        p.value = rest.substr(rest.find_first_not_of(' ') == std::string::npos
                                  ? rest.size()
                                  : rest.find_first_not_of(' '));
    }
    return p;
}

/// One record (lines between blank lines); false when it is ldapsearch's summary.
Expected<bool> readRecord(const std::vector<Logical>& lines,
                          std::size_t from,
                          std::size_t to,
                          const std::string& file,
                          DirectoryEntry& entry) {
    WBLAB_TRY_ASSIGN(auto first, splitLine(lines[from], file), "");
    if (iequals(first.name, "search") || iequals(first.name, "result")) {
        return false;
    }
    if (!iequals(first.name, "dn")) {
        return errorAt(
            file, lines[from].line, "a record starts with 'dn:', not '" + first.name + ":'");
    }
    entry.dn = first.value;
    entry.where = SourcePos{file, lines[from].line, 0};
    for (std::size_t i = from + 1; i < to; ++i) {
        WBLAB_TRY_ASSIGN(auto p, splitLine(lines[i], file), "");
        if (iequals(p.name, "changetype")) {
            if (!iequals(p.value, "add")) {
                return errorAt(file,
                               lines[i].line,
                               "changetype: " + p.value +
                                   ": expected an export (content records, or ldifde's "
                                   "changetype: add), not changes");
            }
            continue;
        }
        const std::string attribute = p.name.substr(0, p.name.find(';'));
        entry.values.emplace_back(attribute, std::move(p.value));
        entry.lines.push_back(lines[i].line);
    }
    return true;
}

}  // namespace

Expected<std::string> readLdif(std::string_view source, const std::string& name, Evidence& into) {
    const auto lines = unfold(source);
    std::size_t i = 0;
    while (i < lines.size() && lines[i].text.empty()) {
        ++i;
    }
    if (i < lines.size() && startsWith(lower(lines[i].text), "version:")) {
        if (trim(lines[i].text.substr(8)) != "1") {
            return errorAt(name, lines[i].line, "expected 'version: 1' (RFC 2849)");
        }
        ++i;
    }
    int records = 0;
    while (i < lines.size()) {
        if (lines[i].text.empty()) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < lines.size() && !lines[end].text.empty()) {
            ++end;
        }
        DirectoryEntry entry;
        WBLAB_TRY_ASSIGN(const bool isEntry, readRecord(lines, i, end, name, entry), "");
        if (isEntry) {
            into.entries.push_back(std::move(entry));
            ++records;
        }
        i = end;
    }
    if (records == 0) {
        return errorAt(name, 1, "no LDIF record (a record starts with 'dn:')");
    }
    return "LDIF, " + std::to_string(records) + " entries";
}

}  // namespace wblab::evidence::detail
