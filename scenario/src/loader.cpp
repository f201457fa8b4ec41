// Scenario files: the top level of the loader (model.hpp, loader.hpp). yaml-cpp exceptions and
// the module's own LoadErrors stop at this file's boundary and become Errors with a 1-based
// file:line:column.
#include "loading.hpp"

#include <wblab/scenario/loader.hpp>
#include <wblab/support/utf8.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace wblab::scenario {

namespace detail {

namespace {

void readHeader(const Reader& r, const YAML::Node& root, Scenario& s) {
    const std::string stem = std::filesystem::path(s.file).stem().string();
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

void readSteps(const Reader& r,
               const YAML::Node& steps,
               const GeneratedUsers& generated,
               Scenario& s,
               std::vector<DirectoryExpect>& stormDirectory) {
    FaultOrder order;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string path = indexPath("steps", i);
        if (steps[i].IsMap() && steps[i]["storm"]) {
            for (auto& step : readStorm(r, steps[i], path, generated, stormDirectory)) {
                s.steps.push_back(std::move(step));
            }
            continue;
        }
        // Replays and releases count steps as run: a storm is as many steps as it has users.
        Step step = readStep(r, steps[i], path, StepContext{s, generated, s.steps.size()});
        order.check(r, steps[i], path, step, s.steps);
        s.steps.push_back(std::move(step));
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

Scenario readScenario(const Reader& r,
                      const YAML::Node& root,
                      const std::string& file,
                      const std::string& idSuffix = "") {
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
                 "expect"});
    Scenario s;
    s.file = file;
    readHeader(r, root, s);
    s.id += idSuffix;
    if (root["tenant"]) {
        s.tenant = readTenant(r, root["tenant"]);
    }
    r.require(root, "", {"onprem"});
    GeneratedUsers generated;
    s.onprem = readOnPrem(r, root["onprem"], generated);
    if (root["established"]) {
        readEstablished(r, root["established"], s);
    }
    if (!root["steps"] || !root["steps"].IsSequence()) {
        r.fail(root["steps"] ? root["steps"] : root, "steps", "expected a list of steps");
    }
    std::vector<DirectoryExpect> stormDirectory;
    readSteps(r, root["steps"], generated, s, stormDirectory);
    if (root["expect"]) {
        readEndExpectations(r, root["expect"], s);
    }
    s.expectDirectory.insert(s.expectDirectory.end(), stormDirectory.begin(), stormDirectory.end());
    deriveRequirements(s);
    deriveDirectoryNeeds(s);
    settleCriteria(r, root, s);
    return s;
}

std::vector<Scenario> loadAllRows(const Reader& reader,
                                  const std::string& path,
                                  const std::string& text) {
    // First pass: the matrix only. Parameters become a same-length plain scalar, so every
    // line and column stays where it was.
    YAML::Node root = parseYaml(maskParameters(text), path);
    if (!root.IsMap()) {
        throw LoadError{SourcePos{path, 1, 1}, "a scenario must be a YAML mapping"};
    }
    std::vector<Scenario> out;
    if (!root["matrix"]) {
        checkParameters(path, text, {});
        root = parseYaml(text, path);
        resolveIncludes(reader, root, path, {canonicalOf(path)});
        out.push_back(readScenario(reader, root, path));
        return out;
    }
    const auto matrix = readMatrix(reader, root["matrix"]);
    checkParameters(path, text, matrix.names);
    checkParametersUsed(reader, root["matrix"], text, matrix);
    for (const auto& row : matrix.rows) {
        YAML::Node expanded = parseYaml(substituteParameters(path, text, row), path);
        resolveIncludes(reader, expanded, path, {canonicalOf(path)});
        std::string suffix;
        for (const auto& [name, value] : row) {
            suffix += (suffix.empty() ? "[" : ",") + name + "=" + value;
        }
        out.push_back(readScenario(reader, expanded, path, suffix + "]"));
    }
    return out;
}

}  // namespace

}  // namespace detail

Expected<std::vector<Scenario>> loadScenarios(const std::string& path) {
    using detail::LoadError;
    try {
        const std::string text = detail::readInputFile(path, "scenario file");
        return detail::loadAllRows(detail::Reader(path), path, text);
    } catch (const LoadError& e) {
        return Error{e.code, e.message, e.where};
    } catch (const YAML::Exception& e) {
        return Error{
            ErrorCode::InvalidInput, e.msg, SourcePos{path, e.mark.line + 1, e.mark.column + 1}};
    }
}

Expected<Scenario> loadScenario(const std::string& path) {
    auto all = loadScenarios(path);
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
            return makeError(ErrorCode::NotFound, "no such scenario file or directory: " + p);
        }
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    return files;
}

}  // namespace wblab::scenario
