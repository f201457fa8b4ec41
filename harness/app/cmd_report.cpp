// `wblab report merge`: the reports of a sharded run joined into one set.
#include "command.hpp"

#include <wblab/support/files.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <set>

namespace wblab::app {

namespace {

struct MergeFlags {
    std::vector<std::string> inputs;
    std::string reportDir = "wblab-reports";
};

/// The shards of "K/N" that none of the reports is: a merge without them covers part of a run.
std::vector<std::string> missingShards(const std::vector<report::RunResult>& shards) {
    std::set<int> have;
    int count = 0;
    for (const auto& s : shards) {
        const auto slash = s.shard.find('/');
        if (slash == std::string::npos) {
            return {};  // a whole run among them: nothing to complete
        }
        have.insert(std::atoi(s.shard.substr(0, slash).c_str()));
        count = std::atoi(s.shard.substr(slash + 1).c_str());
    }
    std::vector<std::string> missing;
    for (int k = 1; k <= count; ++k) {
        if (have.count(k) == 0) {
            missing.push_back(std::to_string(k) + "/" + std::to_string(count));
        }
    }
    return missing;
}

int mergeCommand(const MergeFlags& f) {
    std::vector<report::RunResult> shards;
    for (const auto& path : f.inputs) {
        auto text = readFile(path);
        auto part = text ? report::fromJson(*text) : Expected<report::RunResult>(text.error());
        if (!part) {
            std::cerr << "wblab: " << path << ": " << part.error().message << "\n";
            return kExitUsage;
        }
        shards.push_back(std::move(*part));
    }
    if (interrupted()) {
        return kExitInterrupted;
    }
    auto merged = report::mergeRuns(shards, f.inputs);
    if (!merged) {
        std::cerr << "wblab: " << merged.error().message << "\n";
        return kExitUsage;
    }
    auto lock = DirectoryLock::acquire(f.reportDir);
    if (!lock) {
        std::cerr << "wblab: the report directory: " << lock.error().describe() << "\n";
        return kExitReports;
    }
    if (!writeReports(*merged, f.reportDir)) {
        return kExitReports;
    }
    report::printSummary(*merged, std::cout);
    const auto missing = missingShards(shards);
    for (const auto& shard : missing) {
        std::cerr << "wblab: shard " << shard
                  << " is missing: the merged report covers only part of the run\n";
    }
    return merged->anyFailure() || !missing.empty() ? kExitFailures : kExitPass;
}

}  // namespace

Command addReportCommand(CLI::App& app) {
    auto* reportCmd = app.add_subcommand("report", "Work with reports");
    reportCmd->require_subcommand(1);
    auto* merge = reportCmd->add_subcommand(
        "merge", "Join the report.json files of a sharded run into one set of reports");
    auto flags = std::make_shared<MergeFlags>();
    merge->add_option("reports", flags->inputs, "report.json files of the shards")->required();
    merge->add_option("--report-dir", flags->reportDir, "Where the merged reports go")
        ->capture_default_str();
    return {reportCmd, [flags] { return mergeCommand(*flags); }};
}

}  // namespace wblab::app
