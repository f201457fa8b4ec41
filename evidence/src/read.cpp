// Reading an export (evidence.hpp): decode the text, recognise the format from its content,
// hand it to its reader.
#include "readers.hpp"

#include <wblab/support/files.hpp>

#include <fstream>

namespace wblab::evidence {

namespace {

// Exports larger than this are refused rather than read into memory: filter them first.
constexpr std::size_t kMaxExportBytes = 64 * 1024 * 1024;

}  // namespace

const std::string* DirectoryEntry::first(std::string_view name) const {
    for (const auto& [attribute, value] : values) {
        if (detail::iequals(attribute, name)) {
            return &value;
        }
    }
    return nullptr;
}

std::vector<std::string> DirectoryEntry::all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [attribute, value] : values) {
        if (detail::iequals(attribute, name)) {
            out.push_back(value);
        }
    }
    return out;
}

int DirectoryEntry::lineOf(std::string_view name) const {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (detail::iequals(values[i].first, name)) {
            return lines[i];
        }
    }
    return where.line;
}

bool DirectoryEntry::hasObjectClass(std::string_view objectClass) const {
    for (const auto& value : all("objectClass")) {
        if (detail::iequals(value, objectClass)) {
            return true;
        }
    }
    return false;
}

Expected<void> readEvidence(std::string_view bytes,
                            const std::string& name,
                            Evidence& into,
                            const ReadOptions& options) {
    using namespace detail;
    if (bytes.size() > kMaxExportBytes) {
        return errorAt(
            name, 0, "larger than 64 MiB: filter the export to the users and days in question");
    }
    WBLAB_TRY_ASSIGN(const std::string text, decodeText(bytes, name), "");
    const auto start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) {
        return errorAt(name, 1, "an empty file");
    }
    const char c = text[start];
    const std::string head = lower(text.substr(start, 8));
    Expected<std::string> read = std::string();
    if (c == '{' || c == '[') {
        read = readJson(text, name, into);
    } else if (c == '<') {
        read = readEventXml(text, name, into);
    } else if (c == '#' || startsWith(head, "version:") || startsWith(head, "dn:") ||
               startsWith(head, "dn::")) {
        read = readLdif(text, name, into);
    } else if (text.find(',') != std::string::npos) {
        read = readCsv(text, name, into, options);
    } else {
        return errorAt(name,
                       lineAt(text, start),
                       "unknown format: expected Graph JSON, wevtutil XML, LDIF or a CSV export "
                       "(docs/import.md)");
    }
    if (!read) {
        return read.error();
    }
    into.files.push_back(name + ": " + *read);
    return {};
}

Expected<void> readEvidenceFile(const std::string& path,
                                Evidence& into,
                                const ReadOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error{ErrorCode::NotFound, "cannot read " + path, std::nullopt};
    }
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0 || static_cast<std::size_t>(size) > kMaxExportBytes) {
        return detail::errorAt(path, 0, "larger than 64 MiB: filter the export first");
    }
    in.seekg(0);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    in.read(bytes.data(), size);
    return readEvidence(bytes, path, into, options);
}

}  // namespace wblab::evidence
