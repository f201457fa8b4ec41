#pragma once
// Private to the scenario module: the pieces of the loader, one file each (setup, steps,
// expectations and their criteria, storms, includes and matrices), and what they share.

#include "yaml_reader.hpp"

#include <wblab/scenario/catalog.hpp>
#include <wblab/scenario/model.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace wblab::scenario::detail {

/// Users made by `onprem.generate_users` (for storms): sam_prefix1 .. sam_prefixN.
struct GeneratedUsers {
    int count = 0;
    std::string samPrefix;
    std::string passwordPattern;  ///< "{n}" stands for the user's number
    std::string upnDomain;        ///< from onprem.base_dn
    SourcePos where;
};

/// `pattern` with every "{n}" replaced by `n`.
std::string numbered(const std::string& pattern, int n);

/// A password pattern with "{n}" that still fits one password when filled in for `largest`.
std::string readPasswordPattern(const Reader& r,
                                const YAML::Node& node,
                                const std::string& path,
                                int largest);

/// A password given in a scenario: 6 to 256 characters of UTF-8 (the cloud's limit; a shorter
/// one could not be told apart in the agent's log).
std::string readPassword(const Reader& r, const YAML::Node& node, const std::string& path);

/// A list of passwords, each as readPassword says.
std::vector<std::string> readPasswords(const Reader& r,
                                       const YAML::Node& node,
                                       const std::string& path);

TenantSpec readTenant(const Reader& r, const YAML::Node& node);

/// A `tenant_change` step: the settings `node` gives (the keys of `tenant:` but cloud_users)
/// over the tenant as it stood before the step (`base`).
TenantSpec readTenantChange(const Reader& r,
                            const YAML::Node& node,
                            const std::string& path,
                            TenantSpec base);

/// The cloud-side fields of a user (groups, methods, roles, licence).
void readCloudSide(const Reader& r,
                   const YAML::Node& u,
                   const std::string& path,
                   CloudSideSpec& spec);
OnPremSpec readOnPrem(const Reader& r, const YAML::Node& node, GeneratedUsers& generated);

/// A catalog criterion id; exit criteria and unknown ids are errors at `node`.
void checkCriterionId(const Reader& r,
                      const YAML::Node& node,
                      const std::string& path,
                      const std::string& id);

/// What `criterion:` beside a set of expectations says: one criterion for all of them, or one
/// per expectation key. Each expectation asks for its own; an expectation whose kind does not
/// decide its criterion and that the scenario leaves unattributed is an error.
class Attribution {
public:
    /// Reads `site[criterion]` (absent: nothing attributed); `keys` are the expectation keys
    /// the site allows.
    static Attribution read(const Reader& r,
                            const YAML::Node& site,
                            const std::string& path,
                            const std::vector<std::string>& keys);

    /// The criterion of expectation `key` (at `node`): the scenario's word, else `kindDefault`,
    /// else an error that says how to name one.
    std::string of(const Reader& r,
                   const YAML::Node& node,
                   const std::string& path,
                   const std::string& key,
                   const char* kindDefault = nullptr);

    /// A per-key criterion that names no expectation present at the site is an error.
    void checkAllUsed(const Reader& r, const std::string& path) const;

    /// Every criterion used so far.
    const std::set<std::string>& used() const { return usedIds_; }

private:
    std::string all_;
    std::map<std::string, std::pair<std::string, YAML::Node>> byKey_;
    std::set<std::string> usedKeys_;
    std::set<std::string> usedIds_;
};

/// Everything a step reader needs to check references against.
struct StepContext {
    const Scenario& scenario;
    const GeneratedUsers& generated;
    std::size_t index;  ///< the step's 1-based number minus one, counting expanded storms
};

Step readStep(const Reader& r, const YAML::Node& node, const std::string& path, StepContext ctx);

/// `storm:`: one cloud operation per generated user, and the directory checks of both sides.
std::vector<Step> readStorm(const Reader& r,
                            const YAML::Node& node,
                            const std::string& path,
                            const GeneratedUsers& generated,
                            std::vector<DirectoryExpect>& directory);

/// A step's `expect:`; `keys` are the expectation keys this kind of step may have. A storm also
/// asks for the criterion of the directory checks its outcome implies (`directory`).
StepExpect readStepExpect(const Reader& r,
                          const YAML::Node& node,
                          const std::string& path,
                          const std::vector<std::string>& keys,
                          std::string* directoryCriterion = nullptr);

std::vector<DirectoryExpect> readDirectoryExpect(const Reader& r,
                                                 const YAML::Node& node,
                                                 const OnPremSpec& onprem);

/// One riskyUser expectation (`expect.risk[i]` or a step's `expect.risk`), attributed by the
/// criterion beside it or, failing that, by `outer` (the step's expect).
RiskExpect readRiskExpect(const Reader& r,
                          const YAML::Node& node,
                          const std::string& path,
                          Attribution* outer);

/// Faults must make sense in order: stop only what runs, start only what is down, release only
/// a held request, once, and replay only a step that sent a request.
class FaultOrder {
public:
    /// Checks `step` (read from `node` at `path`) after the `earlier` steps.
    void check(const Reader& r,
               const YAML::Node& node,
               const std::string& path,
               const Step& step,
               const std::vector<Step>& earlier);

private:
    bool agentUp_ = true;
    bool directoryUp_ = true;
    std::set<int> released_;
};

/// Every criterion the scenario's expectations are evidence for (automatic ones aside).
std::set<std::string> criteriaOfExpectations(const Scenario& s);

/// The user a cloud step names must sign in to the cloud: an on-premises user's sign-in name or
/// a cloud-only user.
void checkCloudUser(const Reader& r,
                    const YAML::Node& node,
                    const std::string& path,
                    const std::string& upn,
                    const Scenario& s);

/// The sam an on-premises step or expectation names must be an on-premises user's.
void checkSam(const Reader& r,
              const YAML::Node& node,
              const std::string& path,
              const std::string& sam,
              const OnPremSpec& onprem);

// ---- Shared setup and matrices -----------------------------------------------------------

/// Replaces `include:` (a path or a list, relative to the including file) by the shared setup it
/// names. `chain` holds the files being included, outermost first, to report cycles. Included
/// files must lie inside `treeRoot` (a canonical directory); a scenario includes at most 32
/// files in all, 8 deep.
void resolveIncludes(const Reader& r,
                     YAML::Node root,
                     const std::string& file,
                     const std::string& treeRoot,
                     std::vector<std::string> chain);

std::string canonicalOf(const std::string& path);

using MatrixRow = std::vector<std::pair<std::string, std::string>>;

struct Matrix {
    std::vector<std::string> names;
    std::vector<MatrixRow> rows;
};

/// `matrix: {name: [values…], …}` (every combination, the first name varying slowest) or
/// `matrix: [{name: value, …}, …]` (these rows).
Matrix readMatrix(const Reader& r, const YAML::Node& node);

/// Parameters become a same-length plain scalar, so that lines and columns stay put.
std::string maskParameters(std::string text);

/// Every `${name}` must be one of `names` (none at all without a matrix).
void checkParameters(const std::string& file,
                     const std::string& text,
                     const std::vector<std::string>& names);

/// Every matrix parameter must be used.
void checkParametersUsed(const Reader& r,
                         const YAML::Node& node,
                         const std::string& text,
                         const Matrix& m);

/// A row's text, and where each parameter's value landed in it.
struct Substituted {
    std::string text;
    std::vector<std::pair<std::string, std::size_t>> uses;  ///< (name, byte offset in text)
};

Substituted substituteParameters(const std::string& file,
                                 const std::string& text,
                                 const MatrixRow& row);

}  // namespace wblab::scenario::detail
