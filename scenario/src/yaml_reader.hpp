#pragma once
// Private to the scenario module: the one YAML reader that the scenario loader, the criteria
// catalog and the baseline share. It wraps yaml-cpp (which never leaves this module), checks keys
// and types, and turns every problem into a LoadError with a 1-based file:line:column and the key
// path, thrown inside the module and returned as an Error at its boundary.

#include <wblab/support/expected.hpp>

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wblab::scenario::detail {

struct LoadError {
    SourcePos where;
    std::string message;
    ErrorCode code = ErrorCode::InvalidInput;
};

/// Several errors at once: every likely cause of a syntax error, every unknown key of a mapping,
/// the errors of a file's independent parts.
struct LoadErrors {
    std::vector<LoadError> errors;
    std::size_t dropped = 0;  ///< beyond kMaxErrorsPerFile: counted, not kept
};

/// At most this many errors are reported for one file; the rest are counted.
inline constexpr std::size_t kMaxErrorsPerFile = 20;

/// Gathers the errors of the independent parts of a file (each step, each section), so that one
/// run reports them all instead of the first; an error met twice (once per matrix row) counts
/// once.
class ErrorCollector {
public:
    /// Runs `part`; false (and its errors kept) when it throws a LoadError or LoadErrors.
    template <typename Part>
    bool attempt(Part&& part) {
        try {
            part();
            return true;
        } catch (const LoadError& e) {
            add(e);
        } catch (const LoadErrors& e) {
            for (const auto& one : e.errors) {
                add(one);
            }
            dropped_ += e.dropped;
        }
        return false;
    }

    void add(const LoadError& error);

    bool empty() const { return errors_.empty(); }

    /// Throws what was gathered (LoadError for one, LoadErrors for more); nothing when empty.
    void throwIfAny() const;

    const std::vector<LoadError>& errors() const { return errors_; }

    /// Errors beyond kMaxErrorsPerFile, counted but not kept.
    std::size_t dropped() const { return dropped_; }

private:
    std::vector<LoadError> errors_;
    std::size_t dropped_ = 0;
};

/// "a, b, c" for error messages.
std::string joinedNames(const std::vector<std::string>& names);

/// "path.key", or "key" at the top.
std::string joinPath(const std::string& path, const std::string& key);

/// "path[i]".
std::string indexPath(const std::string& path, std::size_t i);

/// How a value or key is quoted in an error message: 'text', printable, at most 40 characters.
std::string quoted(const std::string& text);

/// The files a scenario's nodes came from: the scenario itself and what it includes. Included
/// nodes are marked with their file's index (in their tag, which nothing else reads), so that
/// an error about a node merged from a shared file points into that file.
class Origins {
public:
    /// Marks every node under `root` that is not marked yet as coming from `file`.
    void adopt(YAML::Node root, const std::string& file);

    /// The file `node` came from, or empty for the file being read.
    std::string fileOf(const YAML::Node& node) const;

    std::size_t count() const { return files_.size(); }

private:
    std::vector<std::string> files_;
};

class Reader {
public:
    explicit Reader(std::string file,
                    std::shared_ptr<Origins> origins = std::make_shared<Origins>())
        : file_(std::move(file)), origins_(std::move(origins)) {}

    const std::string& file() const { return file_; }

    /// Shared by every reader of one scenario (its file and the files it includes).
    const std::shared_ptr<Origins>& origins() const { return origins_; }

    /// Where `node` is: in this reader's file, or in the included file it was merged from.
    SourcePos pos(const YAML::Node& node) const;

    [[noreturn]] void fail(const YAML::Node& node,
                           const std::string& path,
                           const std::string& message) const;

    void requireMap(const YAML::Node& node, const std::string& path) const;

    void requireList(const YAML::Node& node, const std::string& path, const char* what) const;

    /// A mapping whose keys are plain strings, each one of `allowed`, none twice; every key that
    /// breaks the rule is reported.
    void checkKeys(const YAML::Node& node,
                   const std::string& path,
                   const std::vector<std::string>& allowed) const;

    void checkKeys(const YAML::Node& node,
                   const std::string& path,
                   std::initializer_list<const char*> allowed) const;

    /// Fails with "missing required key" unless every key is present.
    void require(const YAML::Node& node,
                 const std::string& path,
                 std::initializer_list<const char*> keys) const;

    /// A string without control characters (they would reach LDIF, slapd.conf or a terminal)
    /// and in valid UTF-8.
    std::string string(const YAML::Node& node, const std::string& path) const;

    std::int64_t integer(const YAML::Node& node,
                         const std::string& path,
                         std::int64_t min,
                         std::int64_t max) const;

    int smallInteger(const YAML::Node& node, const std::string& path, int min, int max) const {
        return static_cast<int>(integer(node, path, min, max));
    }

    bool boolean(const YAML::Node& node, const std::string& path) const;

    /// Seconds, written as an integer or with a unit: "90s", "30m", "12h", "2d"; at most ten
    /// years.
    std::int64_t duration(const YAML::Node& node, const std::string& path) const;

    std::vector<std::string> strings(const YAML::Node& node, const std::string& path) const;

    std::vector<int> integers(const YAML::Node& node,
                              const std::string& path,
                              int min,
                              int max) const;

    /// A name from a closed vocabulary: `parse` decides, `names` lists what is allowed.
    template <typename Enum, typename Parse>
    Enum oneOf(const YAML::Node& node,
               const std::string& path,
               Parse parse,
               const std::vector<std::string>& names) const {
        const std::string value = string(node, path);
        std::optional<Enum> parsed = parse(value);
        if (!parsed) {
            fail(node,
                 path,
                 "unknown value " + quoted(value) + " (expected one of: " + joinedNames(names) +
                     ")");
        }
        return *parsed;
    }

    /// A list of names from a closed vocabulary.
    template <typename Enum, typename Parse>
    std::vector<Enum> listOf(const YAML::Node& node,
                             const std::string& path,
                             Parse parse,
                             const std::vector<std::string>& names) const {
        requireList(node, path, "names");
        std::vector<Enum> out;
        for (std::size_t i = 0; i < node.size(); ++i) {
            out.push_back(oneOf<Enum>(node[i], indexPath(path, i), parse, names));
        }
        return out;
    }

private:
    std::string file_;
    std::shared_ptr<Origins> origins_;
};

/// Parses YAML text; a syntax error becomes a LoadError at its position in `file`, or LoadErrors
/// naming its likely causes each at its own line (a tab, a misindented line; yaml_diagnosis.hpp).
/// Aliases may not blow a document up: expanded, it may have at most twice its own nodes (plus
/// 1000), and 100,000 nodes in all; nesting stops at 64 levels.
YAML::Node parseYaml(const std::string& text, const std::string& file);

/// Reads a whole input file (scenario, shared setup, baseline) with the module's size limit.
std::string readInputFile(const std::string& path, const char* what);

}  // namespace wblab::scenario::detail
