#include "yaml_reader.hpp"

#include "yaml_diagnosis.hpp"

#include <wblab/support/files.hpp>
#include <wblab/support/secrets.hpp>
#include <wblab/support/utf8.hpp>

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace wblab::scenario::detail {

namespace {

constexpr std::uintmax_t kMaxInputBytes = 1 << 20;
constexpr std::int64_t kMaxDurationSeconds = 10LL * 365 * 86400;
constexpr std::uint64_t kMaxExpandedNodes = 100000;
constexpr std::uint64_t kMaxAliasGrowth = 1000;
constexpr std::size_t kMaxDepth = 64;
constexpr const char* kOriginTag = "!wblab-origin:";

/// Counts a document's nodes as parsed and as its aliases expand it, without building it.
class SizeCounter : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark&) override {}

    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, 1); }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        auto it = sizes_.find(anchor);
        leaf(mark, 0, it == sizes_.end() ? 1 : it->second);
    }

    void OnScalar(const YAML::Mark& mark,
                  const std::string&,
                  YAML::anchor_t anchor,
                  const std::string&) override {
        leaf(mark, anchor, 1);
    }

    void OnSequenceStart(const YAML::Mark& mark,
                         const std::string&,
                         YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }

    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& mark,
                    const std::string&,
                    YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }

    void OnMapEnd() override { close(); }

    std::uint64_t parsed = 0;
    std::uint64_t expanded = 0;
    std::optional<std::pair<YAML::Mark, std::string>> problem;

private:
    struct Open {
        YAML::anchor_t anchor;
        std::uint64_t size;
    };

    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, std::uint64_t size) {
        ++parsed;
        add(mark, size);
        if (anchor != YAML::NullAnchor) {
            sizes_[anchor] = size;
        }
    }

    void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
        ++parsed;
        if (stack_.size() >= kMaxDepth && !problem) {
            problem.emplace(mark, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
        }
        stack_.push_back({anchor, 1});
        last_ = mark;
    }

    void close() {
        if (stack_.empty()) {
            return;
        }
        const Open done = stack_.back();
        stack_.pop_back();
        if (done.anchor != YAML::NullAnchor) {
            sizes_[done.anchor] = done.size;
        }
        if (stack_.empty()) {
            expanded = std::min(expanded + done.size, kMaxExpandedNodes + 1);
        } else {
            stack_.back().size = std::min(stack_.back().size + done.size, kMaxExpandedNodes + 1);
        }
        check(last_);
    }

    void add(const YAML::Mark& mark, std::uint64_t size) {
        last_ = mark;
        if (stack_.empty()) {
            expanded = std::min(expanded + size, kMaxExpandedNodes + 1);
        } else {
            stack_.back().size = std::min(stack_.back().size + size, kMaxExpandedNodes + 1);
        }
        check(mark);
    }

    void check(const YAML::Mark& mark) {
        std::uint64_t total = expanded;
        for (const auto& o : stack_) {
            total += o.size;
        }
        if (problem) {
            return;
        }
        if (total > kMaxExpandedNodes) {
            problem.emplace(mark,
                            "the document expands to more than " +
                                std::to_string(kMaxExpandedNodes) + " nodes");
        } else if (total > 2 * parsed + kMaxAliasGrowth) {
            problem.emplace(mark,
                            "aliases expand the document to " + std::to_string(total) +
                                " nodes from " + std::to_string(parsed) +
                                " written (at most twice as many, plus " +
                                std::to_string(kMaxAliasGrowth) + ")");
        }
    }

    std::map<YAML::anchor_t, std::uint64_t> sizes_;
    std::vector<Open> stack_;
    YAML::Mark last_;
};

/// Why `text` cannot be a scenario string, or empty.
std::string badCharacters(const std::string& text) {
    if (!utf8Characters(text)) {
        return "is not valid UTF-8";
    }
    if (printable(text) != text) {
        return "contains a control character (" + quoted(text) +
               "): strings reach LDIF, slapd.conf and the terminal";
    }
    return std::string();
}

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

std::string quoted(const std::string& text) {
    std::string shown = printable(text);
    if (shown.size() > 40) {
        std::size_t cut = 37;
        while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) {
            --cut;
        }
        shown = shown.substr(0, cut) + "...";
    }
    return "'" + shown + "'";
}

void Origins::adopt(YAML::Node root, const std::string& file) {
    const std::string tag = kOriginTag + std::to_string(files_.size());
    files_.push_back(file);
    std::vector<YAML::Node> todo{root};
    while (!todo.empty()) {
        YAML::Node node = todo.back();
        todo.pop_back();
        if (node.Tag().rfind(kOriginTag, 0) == 0) {
            continue;  // from a file this one includes
        }
        node.SetTag(tag);
        if (node.IsMap()) {
            for (auto kv : node) {
                todo.push_back(kv.first);
                todo.push_back(kv.second);
            }
        } else if (node.IsSequence()) {
            for (auto item : node) {
                todo.push_back(item);
            }
        }
    }
}

std::string Origins::fileOf(const YAML::Node& node) const {
    const std::string& tag = node.Tag();
    if (tag.rfind(kOriginTag, 0) != 0) {
        return std::string();
    }
    const std::size_t index = std::stoul(tag.substr(std::strlen(kOriginTag)));
    return index < files_.size() ? files_[index] : std::string();
}

SourcePos Reader::pos(const YAML::Node& node) const {
    auto mark = node.Mark();
    std::string file = origins_->fileOf(node);
    return SourcePos{file.empty() ? file_ : file, mark.line + 1, mark.column + 1};
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
                const std::string shown = quoted(key);
                fail(kv.first,
                     joinPath(path, shown.substr(1, shown.size() - 2)),
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
    if (const auto bad = badCharacters(node.Scalar()); !bad.empty()) {
        fail(node, path, "the string " + bad);
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
        fail(node, path, "expected an integer, got " + quoted(node.Scalar()));
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
        fail(node, path, "expected a duration such as 30m or 2d, got " + quoted(text));
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
        // Sizes first, from the parser's events: a document that aliases blow up is refused
        // before it is built, let alone walked.
        std::istringstream in(text);
        YAML::Parser parser(in);
        SizeCounter counter;
        while (!counter.problem && parser.HandleNextDocument(counter)) {
        }
        if (counter.problem) {
            const auto& [mark, message] = *counter.problem;
            throw LoadError{SourcePos{file, mark.line + 1, mark.column + 1}, message};
        }
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
