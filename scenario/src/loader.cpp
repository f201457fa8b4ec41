// Scenario files: the top level of the loader (model.hpp, loader.hpp). yaml-cpp exceptions and
// the module's own LoadErrors stop at this file's boundary and become Errors with a 1-based
// file:line:column.
#include "loading.hpp"

#include <wblab/scenario/loader.hpp>
#include <wblab/support/secrets.hpp>
#include <wblab/support/utf8.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

namespace wblab::scenario {

namespace detail {

namespace {

void readHeader(const Reader& r, const YAML::Node& root, Scenario& s) {
    const std::string stem = std::filesystem::path(s.file).stem().string();
    if (printable(stem) != stem || !utf8Characters(stem)) {
        // The id is the file's name: it reaches the terminal and every report.
        throw LoadError{SourcePos{s.file, 1, 1},
                        "the file name " + quoted(stem) +
                            " has a control character or is not UTF-8 (it is the scenario's id)"};
    }
    s.id = root["id"] ? r.string(root["id"], "id") : stem;
    if (root["id"] && s.id != stem) {
        r.fail(root["id"], "id", "must equal the file name without extension ('" + stem + "')");
    }
    if (root["title"]) {
        s.title = r.string(root["title"], "title");
    }
    if (root["symptom"]) {
        s.symptom = r.string(root["symptom"], "symptom");
    }
    if (root["tags"]) {
        s.tags = r.strings(root["tags"], "tags");
    }
    if (root["timeout"]) {
        s.timeoutSeconds = r.duration(root["timeout"], "timeout");
        if (s.timeoutSeconds == 0) {
            r.fail(root["timeout"], "timeout", "a scenario needs some time: give more than 0");
        }
    }
    if (root["requires"]) {
        s.requires_ = r.listOf<Capability>(
            root["requires"], "requires", capabilityFromString, capabilityNames());
    }
    if (root["directory_requires"]) {
        s.directoryNeeds = r.listOf<DirectoryNeed>(root["directory_requires"],
                                                   "directory_requires",
                                                   directoryNeedFromString,
                                                   directoryNeedNames());
    }
    if (root["criteria"]) {
        s.criteria = r.strings(root["criteria"], "criteria");
        for (std::size_t i = 0; i < s.criteria.size(); ++i) {
            checkCriterionId(r, root["criteria"][i], indexPath("criteria", i), s.criteria[i]);
        }
    }
}

/// `established:` names parts of the scenario that evidence fixed (wblab import writes it).
void readEstablished(const Reader& r, const YAML::Node& node, Scenario& s) {
    s.established = r.strings(node, "established");
    for (std::size_t i = 0; i < s.established.size(); ++i) {
        const auto& part = s.established[i];
        const std::string path = indexPath("established", i);
        if (part == "tenant" || part == "policy" || part == "connector") {
            continue;
        }
        if (part.rfind("user:", 0) == 0) {
            checkSam(r, node[i], path, part.substr(5), s.onprem);
            continue;
        }
        r.fail(node[i],
               path,
               "unknown part '" + part + "' (expected tenant, policy, connector or user:SAM)");
    }
}

/// Reads every step, each on its own: a bad step is reported and the next one is read.
void readSteps(const Reader& r,
               const YAML::Node& steps,
               const GeneratedUsers& generated,
               Scenario& s,
               std::vector<DirectoryExpect>& stormDirectory,
               ErrorCollector& errors) {
    FaultOrder order;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string path = indexPath("steps", i);
        errors.attempt([&] {
            if (steps[i].IsMap() && steps[i]["storm"]) {
                for (auto& step : readStorm(r, steps[i], path, generated, stormDirectory)) {
                    s.steps.push_back(std::move(step));
                }
                return;
            }
            // Replays and releases count steps as run: a storm is as many steps as it has users.
            Step step = readStep(r, steps[i], path, StepContext{s, generated, s.steps.size()});
            order.check(r, steps[i], path, step, s.steps);
            s.steps.push_back(std::move(step));
        });
    }
}

void readEndExpectations(const Reader& r, const YAML::Node& node, Scenario& s) {
    r.checkKeys(node, "expect", {"directory", "risk"});
    if (node["directory"]) {
        s.expectDirectory = readDirectoryExpect(r, node["directory"], s.onprem);
    }
    if (const auto& risk = node["risk"]) {
        r.requireList(risk, "expect.risk", "per-user risk expectations");
        for (std::size_t i = 0; i < risk.size(); ++i) {
            const std::string path = indexPath("expect.risk", i);
            auto e = readRiskExpect(r, risk[i], path, nullptr);
            r.require(risk[i], path, {"user"});
            checkCloudUser(r, risk[i]["user"], path + ".user", e.user, s);
            s.expectRisk.push_back(std::move(e));
        }
    }
}

/// Each step's operation is a capability the agent must declare.
void deriveRequirements(Scenario& s) {
    for (const auto& step : s.steps) {
        auto need = capabilityOf(step.action);
        if (need && std::find(s.requires_.begin(), s.requires_.end(), *need) == s.requires_.end()) {
            s.requires_.push_back(*need);
        }
    }
}

bool isReset(const Action& action) {
    return std::holds_alternative<SsprReset>(action) ||
           std::holds_alternative<AdminReset>(action) || std::holds_alternative<GraphReset>(action);
}

template <typename T>
void addOnce(std::vector<T>& list, T value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) {
        list.push_back(value);
    }
}

/// The policy that governs the user's password: the first fine-grained policy that lists the
/// user, else the domain's.
const PolicySpec& policyFor(const Scenario& s, const std::string& signInName) {
    if (const auto* user = s.userSigningInAs(signInName)) {
        for (const auto& pso : s.onprem.fineGrainedPolicies) {
            if (std::find(pso.users.begin(), pso.users.end(), user->sam) != pso.users.end()) {
                return pso.policy;
            }
        }
    }
    return s.onprem.policy;
}

/// True when length or the character categories alone refuse the password, which every flavour
/// checks on a reset.
bool refusedByLengthOrCategories(const PolicySpec& p, const std::string& password) {
    if (utf8Characters(password).value_or(0) < static_cast<std::size_t>(p.minLength)) {
        return true;
    }
    if (!p.complexity) {
        return false;
    }
    bool upper = false, lower = false, digit = false, other = false;
    for (unsigned char c : password) {
        upper = upper || std::isupper(c) != 0;
        lower = lower || std::islower(c) != 0;
        digit = digit || std::isdigit(c) != 0;
        other = other || (c >= 0x80 || std::ispunct(c) != 0);
    }
    return int(upper) + int(lower) + int(digit) + int(other) < 3;
}

/// The user and the new password of a reset step.
std::pair<std::string, std::string> resetOf(const Action& action) {
    return std::visit(
        [](const auto& a) -> std::pair<std::string, std::string> {
            if constexpr (requires {
                              a.user;
                              a.newPassword;
                          }) {
                return {a.user, a.newPassword};
            } else {
                return {};
            }
        },
        action);
}

/// The AD behaviours the scenario's expectations rely on. A reset expected to be refused by a
/// policy with history or a minimum age, with a password that length and complexity let
/// through, relies on the policy-hints control; a reset by a connector without Unexpire
/// Password, with must-change expected set afterwards, on AD leaving it set.
void deriveDirectoryNeeds(Scenario& s) {
    bool resets = false;
    for (const auto& step : s.steps) {
        if (!isReset(step.action)) {
            continue;
        }
        resets = true;
        if (!step.expect.outcome ||
            step.expect.outcome->value != sim::Outcome::OnPremisesPolicyViolation) {
            continue;
        }
        const auto [user, password] = resetOf(step.action);
        const auto& policy = policyFor(s, user);
        if ((policy.history > 0 || policy.minAgeSeconds > 0) &&
            !refusedByLengthOrCategories(policy, password)) {
            addOnce(s.directoryNeeds, DirectoryNeed::ResetPolicyHints);
        }
    }
    if (resets && !s.onprem.connector.unexpirePassword) {
        for (const auto& e : s.expectDirectory) {
            if (e.mustChange && e.mustChange->value) {
                addOnce(s.directoryNeeds, DirectoryNeed::ResetKeepsMustChange);
            }
        }
    }
}

/// The declared criteria must each be backed by an expectation (or be checked by the harness
/// itself); the criteria the expectations name join the list.
void settleCriteria(const Reader& r, const YAML::Node& root, Scenario& s) {
    const auto evidenced = criteriaOfExpectations(s);
    for (std::size_t i = 0; i < s.criteria.size(); ++i) {
        const auto& id = s.criteria[i];
        if (evidenced.count(id) == 0 && !criteria::isAutomatic(id)) {
            r.fail(root["criteria"][i],
                   indexPath("criteria", i),
                   "no expectation of this scenario is evidence for '" + id +
                       "': say 'criterion: " + id +
                       "' beside the expectations that check it, or remove it");
        }
    }
    for (const auto& id : evidenced) {
        if (std::find(s.criteria.begin(), s.criteria.end(), id) == s.criteria.end()) {
            s.criteria.push_back(id);
        }
    }
}

/// `isolates:` the behaviours the scenario tests alone, each of a criterion it checks.
void readIsolates(const Reader& r, const YAML::Node& node, Scenario& s) {
    r.requireList(node, "isolates", "behaviours the scenario tests alone");
    static const std::regex faultName("[a-z0-9]+(-[a-z0-9]+)*");
    for (std::size_t i = 0; i < node.size(); ++i) {
        const std::string path = indexPath("isolates", i);
        r.checkKeys(node[i], path, {"criterion", "behaviour", "fault"});
        r.require(node[i], path, {"criterion", "behaviour", "fault"});
        Isolation iso;
        iso.where = r.pos(node[i]);
        iso.criterion = r.string(node[i]["criterion"], path + ".criterion");
        checkCriterionId(r, node[i]["criterion"], path + ".criterion", iso.criterion);
        if (std::find(s.criteria.begin(), s.criteria.end(), iso.criterion) == s.criteria.end()) {
            r.fail(node[i]["criterion"],
                   path + ".criterion",
                   "the scenario makes no check of '" + iso.criterion + "'");
        }
        iso.behaviour = r.string(node[i]["behaviour"], path + ".behaviour");
        iso.fault = r.string(node[i]["fault"], path + ".fault");
        if (iso.behaviour.empty()) {
            r.fail(node[i]["behaviour"], path + ".behaviour", "say which behaviour");
        }
        if (!std::regex_match(iso.fault, faultName)) {
            r.fail(node[i]["fault"],
                   path + ".fault",
                   "expected a fault name as the agent lists it (wblab-agent --list-bugs)");
        }
        s.isolates.push_back(std::move(iso));
    }
}

Scenario readScenario(const Reader& r,
                      const YAML::Node& root,
                      const std::string& file,
                      const std::string& idSuffix = "") {
    ErrorCollector errors;
    errors.attempt([&] {
        r.checkKeys(root,
                    "",
                    {"include",
                     "matrix",
                     "id",
                     "title",
                     "symptom",
                     "established",
                     "criteria",
                     "tags",
                     "requires",
                     "directory_requires",
                     "timeout",
                     "tenant",
                     "onprem",
                     "steps",
                     "expect",
                     "isolates"});
    });
    Scenario s;
    s.file = file;
    // Independent parts are read each on its own, so that one run names every mistake; the
    // steps and expectations name the users, so they wait for a readable onprem.
    errors.attempt([&] { readHeader(r, root, s); });
    s.id += idSuffix;
    if (root["tenant"]) {
        errors.attempt([&] { s.tenant = readTenant(r, root["tenant"]); });
    }
    GeneratedUsers generated;
    if (!errors.attempt([&] {
            r.require(root, "", {"onprem"});
            s.onprem = readOnPrem(r, root["onprem"], generated);
        })) {
        errors.throwIfAny();
    }
    if (root["established"]) {
        errors.attempt([&] { readEstablished(r, root["established"], s); });
    }
    std::vector<DirectoryExpect> stormDirectory;
    if (!root["steps"] || !root["steps"].IsSequence()) {
        errors.attempt([&] {
            r.fail(root["steps"] ? root["steps"] : root, "steps", "expected a list of steps");
        });
    } else {
        readSteps(r, root["steps"], generated, s, stormDirectory, errors);
    }
    if (root["expect"]) {
        errors.attempt([&] { readEndExpectations(r, root["expect"], s); });
    }
    // Criteria are settled against every expectation: only a file read whole can say one is
    // missing.
    errors.throwIfAny();
    s.expectDirectory.insert(s.expectDirectory.end(), stormDirectory.begin(), stormDirectory.end());
    deriveRequirements(s);
    deriveDirectoryNeeds(s);
    settleCriteria(r, root, s);
    if (root["isolates"]) {
        readIsolates(r, root["isolates"], s);
    }
    return s;
}

/// Where each scalar of a document starts (byte offset) and what it says, in text order.
std::vector<std::pair<std::size_t, std::string>> scalarStarts(const YAML::Node& root) {
    std::vector<std::pair<std::size_t, std::string>> out;
    std::vector<YAML::Node> todo{root};
    while (!todo.empty()) {
        const YAML::Node node = todo.back();
        todo.pop_back();
        if (node.IsScalar()) {
            out.emplace_back(static_cast<std::size_t>(std::max(0, node.Mark().pos)), node.Scalar());
        } else if (node.IsMap()) {
            for (const auto& kv : node) {
                todo.push_back(kv.first);
                todo.push_back(kv.second);
            }
        } else if (node.IsSequence()) {
            for (const auto& item : node) {
                todo.push_back(item);
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// The parameters of a row that land in a password (the scalar holding them is one of the
/// scenario's secrets, or a {n} pattern that makes one).
std::set<std::string> secretParameters(
    const Substituted& row,
    const std::vector<std::pair<std::size_t, std::string>>& scalars,
    const Scenario& s) {
    const auto secrets = s.secrets();
    auto isSecret = [&](const std::string& value) {
        const std::string filled =
            value.find("{n}") == std::string::npos ? value : numbered(value, 1);
        return std::find(secrets.begin(), secrets.end(), filled) != secrets.end();
    };
    std::set<std::string> out;
    for (const auto& [name, offset] : row.uses) {
        auto after = std::upper_bound(
            scalars.begin(), scalars.end(), std::make_pair(offset, std::string("\xff\xff")));
        if (after != scalars.begin() && isSecret(std::prev(after)->second)) {
            out.insert(name);
        }
    }
    return out;
}

/// A row's id suffix: "[name=value,...]", with a value that is (part of) a password shown as
/// "secret-K", K its place among the parameter's values: ids are printed everywhere.
std::string idSuffix(const Matrix& m, const MatrixRow& row, const std::set<std::string>& secret) {
    std::string suffix;
    for (const auto& [name, value] : row) {
        std::string shown = value;
        if (secret.count(name) != 0) {
            std::vector<std::string> distinct;
            for (const auto& other : m.rows) {
                for (const auto& [n, v] : other) {
                    if (n == name &&
                        std::find(distinct.begin(), distinct.end(), v) == distinct.end()) {
                        distinct.push_back(v);
                    }
                }
            }
            const auto at = std::find(distinct.begin(), distinct.end(), value) - distinct.begin();
            shown = "secret-" + std::to_string(at + 1);
        }
        suffix += (suffix.empty() ? "[" : ",") + name + "=" + shown;
    }
    return suffix + "]";
}

std::vector<Scenario> loadAllRows(const Reader& reader,
                                  const std::string& path,
                                  const std::string& text,
                                  const std::string& treeRoot) {
    // First pass: the matrix only. Parameters become a same-length plain scalar, so every
    // line and column stays where it was.
    const std::string masked = maskParameters(text);
    YAML::Node root = parseYaml(masked, path);
    if (!root.IsMap()) {
        throw LoadError{SourcePos{path, 1, 1}, "a scenario must be a YAML mapping"};
    }
    std::vector<Scenario> out;
    if (!root["matrix"]) {
        checkParameters(path, text, {});
        if (masked != text) {
            root = parseYaml(text, path);  // with no parameter masked, the same document
        }
        resolveIncludes(reader, root, path, treeRoot, {canonicalOf(path)});
        out.push_back(readScenario(reader, root, path));
        return out;
    }
    const auto matrix = readMatrix(reader, root["matrix"]);
    checkParameters(path, text, matrix.names);
    checkParametersUsed(reader, root["matrix"], text, matrix);
    // Every row is read; a mistake that every row makes is reported once.
    ErrorCollector errors;
    for (const auto& row : matrix.rows) {
        errors.attempt([&] {
            const Substituted substituted = substituteParameters(path, text, row);
            YAML::Node expanded = parseYaml(substituted.text, path);
            // Before the includes: their nodes carry positions in other files.
            const auto scalars = scalarStarts(expanded);
            // Each row reads its includes afresh, with a count of its own.
            const Reader rowReader(path);
            resolveIncludes(rowReader, expanded, path, treeRoot, {canonicalOf(path)});
            Scenario s = readScenario(rowReader, expanded, path);
            s.id += idSuffix(matrix, row, secretParameters(substituted, scalars, s));
            out.push_back(std::move(s));
        });
    }
    errors.throwIfAny();
    return out;
}

/// The directory includes must stay in: the option's, else the scenario's own directory.
std::string treeRootFor(const std::string& path, const LoadOptions& options) {
    const std::string root = options.includeRoot.empty()
                                 ? std::filesystem::path(canonicalOf(path)).parent_path().string()
                                 : canonicalOf(options.includeRoot);
    return root;
}

}  // namespace

}  // namespace detail

FileLoad loadScenarioFile(const std::string& path, const LoadOptions& options) {
    using detail::LoadError;
    FileLoad loaded;
    auto toError = [](const LoadError& e) { return Error{e.code, printable(e.message), e.where}; };
    try {
        const std::string text = detail::readInputFile(path, "scenario file");
        loaded.scenarios = detail::loadAllRows(
            detail::Reader(path), path, text, detail::treeRootFor(path, options));
        // Every password of every scenario read is a secret of the process: whatever prints
        // or writes anything redacts them (secrets.hpp).
        for (const auto& s : loaded.scenarios) {
            processRedactor().add(s.secrets());
        }
    } catch (const LoadError& e) {
        loaded.errors.push_back(toError(e));
    } catch (const detail::LoadErrors& e) {
        for (const auto& one : e.errors) {
            loaded.errors.push_back(toError(one));
        }
        if (e.dropped > 0) {
            loaded.errors.push_back(Error{ErrorCode::InvalidInput,
                                          "and " + std::to_string(e.dropped) +
                                              " more error(s) in this file, not shown (at most " +
                                              std::to_string(detail::kMaxErrorsPerFile) + " are)",
                                          SourcePos{path, 0, 0}});
        }
    } catch (const YAML::Exception& e) {
        loaded.errors.push_back(Error{ErrorCode::InvalidInput,
                                      printable(e.msg),
                                      SourcePos{path, e.mark.line + 1, e.mark.column + 1}});
    }
    if (!loaded.errors.empty()) {
        loaded.scenarios.clear();
    }
    return loaded;
}

Expected<std::vector<Scenario>> loadScenarios(const std::string& path, const LoadOptions& options) {
    auto loaded = loadScenarioFile(path, options);
    if (!loaded.errors.empty()) {
        return loaded.errors.front();
    }
    return std::move(loaded.scenarios);
}

Expected<Scenario> loadScenario(const std::string& path, const LoadOptions& options) {
    auto all = loadScenarios(path, options);
    if (!all) {
        return all.error();
    }
    if (all->size() != 1) {
        return Error{ErrorCode::InvalidInput,
                     "the matrix expands this file into " + std::to_string(all->size()) +
                         " scenarios; this needs exactly one",
                     SourcePos{path, 1, 1}};
    }
    return std::move(all->front());
}

Expected<std::vector<std::string>> collectScenarioFiles(const std::vector<std::string>& paths) {
    std::vector<std::string> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(p, ec)) {
            for (const auto& entry : std::filesystem::recursive_directory_iterator(p, ec)) {
                auto ext = entry.path().extension().string();
                // Files starting with '_' hold shared setup for `include:`, not scenarios.
                const bool shared = entry.path().filename().string().rfind('_', 0) == 0;
                if (entry.is_regular_file() && !shared && (ext == ".yaml" || ext == ".yml")) {
                    files.push_back(entry.path().string());
                }
            }
        } else if (std::filesystem::is_regular_file(p, ec)) {
            files.push_back(p);
        } else {
            return makeError(ErrorCode::NotFound,
                             "no such scenario file or directory: " + printable(p));
        }
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    return files;
}

}  // namespace wblab::scenario
