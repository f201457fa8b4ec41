// Shared setup (`include:`): other files' `tenant:` and `onprem:` merged under a scenario's own.
#include "loading.hpp"

#include <algorithm>
#include <filesystem>

namespace wblab::scenario::detail {

namespace {

constexpr std::size_t kMaxIncludeDepth = 8;
constexpr std::size_t kMaxIncludedFiles = 32;

/// Merges `source` under `target`: what target has wins; mappings merge key by key; users
/// lists join (the included ones first).
void mergeUnder(YAML::Node target, const YAML::Node& source) {
    for (const auto& kv : source) {
        const std::string key = kv.first.Scalar();
        const YAML::Node& mine = static_cast<const YAML::Node&>(target)[key];
        if (!mine) {
            target[key] = kv.second;
        } else if (mine.IsMap() && kv.second.IsMap()) {
            mergeUnder(target[key], kv.second);
        } else if (key == "users" && mine.IsSequence() && kv.second.IsSequence()) {
            YAML::Node joined(YAML::NodeType::Sequence);
            for (const auto& u : kv.second) {
                joined.push_back(u);
            }
            for (const auto& u : mine) {
                joined.push_back(u);
            }
            target[key] = joined;
        }
    }
}

/// A shared file's sections are checked on their own, so that its errors point into it. Its
/// users may come from the including scenario: the rest is checked on an empty list.
void checkShared(const Reader& reader, YAML::Node root) {
    if (root["tenant"]) {
        readTenant(reader, root["tenant"]);
    }
    if (!root["onprem"]) {
        return;
    }
    YAML::Node onprem = root["onprem"];
    const bool hasUsers = static_cast<bool>(static_cast<const YAML::Node&>(onprem)["users"]);
    if (!hasUsers) {
        onprem["users"] = YAML::Node(YAML::NodeType::Sequence);
    }
    GeneratedUsers generated;
    readOnPrem(reader, onprem, generated);
    if (!hasUsers) {
        onprem.remove("users");
    }
}

/// Loads one shared-setup file with its own includes resolved; its nodes are marked as its own
/// (Origins), so that errors about them point into it even after they are merged.
YAML::Node loadShared(const Reader& including,
                      const std::string& path,
                      const std::string& treeRoot,
                      std::vector<std::string> chain) {
    const std::string text = readInputFile(chain.back(), "scenario file");
    Reader reader(path, including.origins());
    YAML::Node root = parseYaml(text, path);
    if (!root.IsMap()) {
        throw LoadError{SourcePos{path, 1, 1}, "shared setup must be a YAML mapping"};
    }
    checkParameters(path, text, {});
    reader.checkKeys(root, "", {"include", "tenant", "onprem"});
    resolveIncludes(reader, root, path, treeRoot, std::move(chain));
    checkShared(reader, root);
    reader.origins()->adopt(root, path);
    return root;
}

bool inside(const std::string& path, const std::string& directory) {
    if (directory.empty()) {
        return false;
    }
    const std::string prefix = directory.back() == '/' ? directory : directory + "/";
    return path.rfind(prefix, 0) == 0;
}

/// The file an include names (as the error messages show it, and canonical), checked before it
/// is read: a YAML file inside the tree.
std::pair<std::string, std::string> includeTarget(const Reader& r,
                                                  const YAML::Node& node,
                                                  const std::string& name,
                                                  const std::string& file,
                                                  const std::string& treeRoot) {
    const auto target = std::filesystem::path(file).parent_path() / name;
    const std::string ext = target.extension().string();
    if (name.empty() || (ext != ".yaml" && ext != ".yml")) {
        r.fail(node, "include", "an include names a .yaml or .yml file, not " + quoted(name));
    }
    const std::string canonical = canonicalOf(target.string());
    if (!inside(canonical, treeRoot)) {
        r.fail(node,
               "include",
               quoted(name) + " is outside the scenario tree " + treeRoot +
                   " (--include-root DIR allows another)");
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(canonical, ec)) {
        r.fail(node,
               "include",
               "no such file " + quoted(name) + " (looked for " + target.string() + ")");
    }
    return {target.lexically_normal().string(), canonical};
}

std::vector<std::pair<std::string, YAML::Node>> includeTargets(const Reader& r,
                                                               const YAML::Node& include) {
    std::vector<std::pair<std::string, YAML::Node>> targets;
    if (include.IsSequence()) {
        for (std::size_t i = 0; i < include.size(); ++i) {
            targets.emplace_back(r.string(include[i], indexPath("include", i)), include[i]);
        }
    } else {
        targets.emplace_back(r.string(include, "include"), include);
    }
    return targets;
}

void mergeShared(YAML::Node root, const YAML::Node& shared) {
    for (const char* section : {"tenant", "onprem"}) {
        const YAML::Node part = shared[section];
        if (!part) {
            continue;
        }
        const YAML::Node mine = static_cast<const YAML::Node&>(root)[section];
        if (!mine) {
            root[section] = part;
        } else if (mine.IsMap()) {
            mergeUnder(root[section], part);
        }
    }
}

}  // namespace

std::string canonicalOf(const std::string& path) {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(path, ec);
    return ec ? path : canonical.string();
}

void resolveIncludes(const Reader& r,
                     YAML::Node root,
                     const std::string& file,
                     const std::string& treeRoot,
                     std::vector<std::string> chain) {
    const YAML::Node include = static_cast<const YAML::Node&>(root)["include"];
    if (!include) {
        return;
    }
    if (chain.size() > kMaxIncludeDepth) {
        r.fail(include,
               "include",
               "includes nest deeper than " + std::to_string(kMaxIncludeDepth) + " files");
    }
    for (const auto& [name, node] : includeTargets(r, include)) {
        if (r.origins()->count() >= kMaxIncludedFiles) {
            r.fail(node,
                   "include",
                   "the scenario includes more than " + std::to_string(kMaxIncludedFiles) +
                       " files in all");
        }
        const auto [shown, canonical] = includeTarget(r, node, name, file, treeRoot);
        if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
            std::string cycle;
            for (const auto& c : chain) {
                cycle += std::filesystem::path(c).filename().string() + " -> ";
            }
            r.fail(
                node,
                "include",
                "include cycle: " + cycle + std::filesystem::path(canonical).filename().string());
        }
        auto next = chain;
        next.push_back(canonical);
        mergeShared(root, loadShared(r, shown, treeRoot, next));
    }
    root.remove("include");
}

}  // namespace wblab::scenario::detail
