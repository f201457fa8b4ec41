// Where a run's seed comes from (seeding.hpp).
#include <wblab/harness/seeding.hpp>
#include <wblab/support/seed.hpp>

namespace wblab::harness {

const std::vector<std::string>& ciRunIdVariables() {
    // Each names the whole pipeline run, not one job: every shard of it sees the same value.
    static const std::vector<std::string> names = {
        "GITHUB_RUN_ID",           // GitHub Actions
        "CI_PIPELINE_ID",          // GitLab CI/CD
        "BUILD_BUILDID",           // Azure Pipelines
        "BUILDKITE_BUILD_ID",      // Buildkite
        "CIRCLE_WORKFLOW_ID",      // CircleCI
        "BITBUCKET_BUILD_NUMBER",  // Bitbucket Pipelines
        "TRAVIS_BUILD_ID",         // Travis CI
        "BUILD_TAG",               // Jenkins
    };
    return names;
}

std::uint64_t seedOfRunId(const std::string& runId) {
    return deriveSeed(0, "wblab-run-id:" + runId);
}

SeedChoice chooseSeed(std::optional<std::uint64_t> seed,
                      const std::string& runId,
                      const std::function<const char*(const char*)>& env,
                      std::uint64_t now) {
    if (seed) {
        return {*seed, "", "--seed"};
    }
    if (!runId.empty()) {
        return {seedOfRunId(runId), runId, "--run-id"};
    }
    for (const auto& name : ciRunIdVariables()) {
        const char* value = env(name.c_str());
        if (value != nullptr && *value != '\0') {
            return {seedOfRunId(value), value, name};
        }
    }
    return {now, "", "clock"};
}

}  // namespace wblab::harness
