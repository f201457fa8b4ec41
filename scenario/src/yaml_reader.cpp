#include "yaml_reader.hpp"

#include "yaml_diagnosis.hpp"

#include <wblab/support/files.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace wblab::scenario::detail {

namespace {

constexpr std::uintmax_t kMaxInputBytes = 1 << 20;
constexpr std::int64_t kMaxDurationSeconds = 10LL * 365 * 86400;

std::int64_t unitSeconds(char unit) {
    switch (unit) {
        case 's':
            return 1;
        case 'm':
            return 60;
        case 'h':
            return 3600;
        case 'd':
            return 86400;
        default:
            return 0;
    }
}

bool allDigits(const std::string& text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isdigit(c) != 0;
    });
}

}  // namespace

std::string joinedNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) {
        out += (out.empty() ? "" : ", ") + name;
    }
    return out;
}

std::string joinPath(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

std::string indexPath(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

SourcePos Reader::pos(const YAML::Node& node) const {
    auto mark = node.Mark();
    return SourcePos{file_, mark.line + 1, mark.column + 1};
}

void Reader::fail(const YAML::Node& node,
                  const std::string& path,
                  const std::string& message) const {
    throw LoadError{pos(node), (path.empty() ? "" : path + ": ") + message};
}

void Reader::requireMap(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap()) {
        fail(node, path, "expected a mapping");
    }
}

void Reader::requireList(const YAML::Node& node, const std::string& path, const char* what) const {
    if (!node.IsSequence()) {
        fail(node, path, std::string("expected a list of ") + what);
    }
}

void Reader::checkKeys(const YAML::Node& node,
                       const std::string& path,
                       const std::vector<std::string>& allowed) const {
    requireMap(node, path);
    std::set<std::string> seen;
    ErrorCollector errors;
    for (const auto& kv : node) {
        errors.attempt([&] {
            if (!kv.first.IsScalar()) {
                fail(kv.first, path, "keys must be plain strings");
            }
            const auto& key = kv.first.Scalar();
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                fail(kv.first,
                     joinPath(path, key),
                     "unknown key (expected one of: " + joinedNames(allowed) + ")");
            }
            if (!seen.insert(key).second) {
                fail(kv.first, joinPath(path, key), "duplicate key (each key may appear once)");
            }
        });
    }
    errors.throwIfAny();
}

void Reader::checkKeys(const YAML::Node& node,
                       const std::string& path,
                       std::initializer_list<const char*> allowed) const {
    checkKeys(node, path, std::vector<std::string>(allowed.begin(), allowed.end()));
}

void Reader::require(const YAML::Node& node,
                     const std::string& path,
                     std::initializer_list<const char*> keys) const {
    for (const char* key : keys) {
        if (!node[key]) {
            fail(node, path, std::string("missing required key '") + key + "'");
        }
    }
}

std::string Reader::string(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) {
        fail(node, path, "expected a string");
    }
    return node.Scalar();
}

std::int64_t Reader::integer(const YAML::Node& node,
                             const std::string& path,
                             std::int64_t min,
                             std::int64_t max) const {
    if (!node.IsScalar()) {
        fail(node, path, "expected an integer");
    }
    long long value = 0;
    if (!YAML::convert<long long>::decode(node, value)) {
        fail(node, path, "expected an integer, got '" + node.Scalar() + "'");
    }
    if (value < min || value > max) {
        fail(node, path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return value;
}

bool Reader::boolean(const YAML::Node& node, const std::string& path) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
        fail(node, path, "expected true or false");
    }
    return value;
}

std::int64_t Reader::duration(const YAML::Node& node, const std::string& path) const {
    const std::string text = string(node, path);
    std::string digits = text;
    std::int64_t factor = 1;
    if (!text.empty() && std::isalpha(static_cast<unsigned char>(text.back())) != 0) {
        factor = unitSeconds(text.back());
        if (factor == 0) {
            fail(node,
                 path,
                 "unknown duration unit '" + std::string(1, text.back()) +
                     "' (expected s, m, h or d)");
        }
        digits.pop_back();
    }
    if (!allDigits(digits) || digits.size() > 9) {
        fail(node, path, "expected a duration such as 30m or 2d, got '" + text + "'");
    }
    const std::int64_t value = std::stoll(digits) * factor;
    if (value > kMaxDurationSeconds) {
        fail(node, path, "duration longer than ten years");
    }
    return value;
}

std::vector<std::string> Reader::strings(const YAML::Node& node, const std::string& path) const {
    requireList(node, path, "strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
        out.push_back(string(node[i], indexPath(path, i)));
    }
    return out;
}

std::vector<int> Reader::integers(const YAML::Node& node,
                                  const std::string& path,
                                  int min,
                                  int max) const {
    requireList(node, path, "integers");
    std::vector<int> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
        out.push_back(smallInteger(node[i], indexPath(path, i), min, max));
    }
    return out;
}

void ErrorCollector::add(const LoadError& error) {
    for (const auto& e : errors_) {
        if (e.where.file == error.where.file && e.where.line == error.where.line &&
            e.where.column == error.where.column && e.message == error.message) {
            return;
        }
    }
    if (errors_.size() >= kMaxErrorsPerFile) {
        ++dropped_;
        return;
    }
    errors_.push_back(error);
}

void ErrorCollector::throwIfAny() const {
    if (errors_.size() == 1 && dropped_ == 0) {
        throw errors_.front();
    }
    if (!errors_.empty()) {
        throw LoadErrors{errors_, dropped_};
    }
}

YAML::Node parseYaml(const std::string& text, const std::string& file) {
    try {
        return YAML::Load(text);
    } catch (const YAML::Exception& e) {
        ErrorCollector errors;
        for (auto& f : diagnoseSyntaxError(text, e.mark.line + 1, e.mark.column + 1, e.msg)) {
            errors.add({SourcePos{file, f.line, f.column}, std::move(f.message)});
        }
        errors.throwIfAny();
        throw;  // unreachable: a diagnosis is never empty
    }
}

std::string readInputFile(const std::string& path, const char* what) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        throw LoadError{
            SourcePos{path, 0, 0}, std::string("cannot read the ") + what, ErrorCode::NotFound};
    }
    if (size > kMaxInputBytes) {
        throw LoadError{SourcePos{path, 0, 0}, std::string(what) + " larger than 1 MiB"};
    }
    auto text = readFile(path);
    if (!text) {
        throw LoadError{
            SourcePos{path, 0, 0}, std::string("cannot read the ") + what, ErrorCode::NotFound};
    }
    return *text;
}

}  // namespace wblab::scenario::detail
