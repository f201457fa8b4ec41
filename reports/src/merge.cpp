// Reading report.json back and merging the reports of a sharded run.
#include <wblab/report/run_result.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace wblab::report {

namespace {

/// "N" of a shard "K/N", or "1" for a whole run.
std::string shardCount(const std::string& shard) {
    const auto slash = shard.find('/');
    return slash == std::string::npos ? "1 (a whole run)" : shard.substr(slash + 1);
}

std::optional<Verdict> verdictFrom(const std::string& name) {
    for (auto v : allVerdicts()) {
        if (name == toString(v)) {
            return v;
        }
    }
    return std::nullopt;
}

std::string nameOf(const std::vector<std::string>& names, std::size_t i) {
    return i < names.size() ? names[i] : "report " + std::to_string(i + 1);
}

/// "seed differs: a.json has 1, b.json has 2" for every field on which a report disagrees with
/// the first; the shards of one run agree on all of them (the directories of a differential run
/// too).
Expected<void> checkSameRun(const std::vector<RunResult>& shards,
                            const std::vector<std::string>& names) {
    using Field = std::pair<const char*, std::string (*)(const RunResult&)>;
    static const Field fields[] = {
        {"seed", [](const RunResult& r) { return std::to_string(r.seed); }},
        {"run id", [](const RunResult& r) { return r.runId.empty() ? "(none)" : r.runId; }},
        {"agent", [](const RunResult& r) { return r.agent; }},
        {"wblab version", [](const RunResult& r) { return r.toolVersion; }},
        {"shard count", [](const RunResult& r) { return shardCount(r.shard); }},
        {"directories",
         [](const RunResult& r) {
             std::string list;
             for (const auto& d : r.directories) {
                 list += (list.empty() ? "" : ",") + d;
             }
             return list.empty() ? std::string("(none)") : list;
         }},
    };
    std::string differences;
    for (const auto& [field, valueOf] : fields) {
        const std::string first = valueOf(shards.front());
        for (std::size_t i = 1; i < shards.size(); ++i) {
            const std::string other = valueOf(shards[i]);
            if (other != first) {
                differences += std::string(differences.empty() ? "" : "; ") + field +
                               " differs: " + nameOf(names, 0) + " has " + first + ", " +
                               nameOf(names, i) + " has " + other;
                break;
            }
        }
    }
    if (differences.empty()) {
        return {};
    }
    return makeError(ErrorCode::InvalidInput,
                     "the reports come from different runs: " + differences +
                         ". The shards of one run must share the seed and the agent: give every "
                         "shard the same --seed or --run-id (in CI the run id is read from "
                         "GITHUB_RUN_ID, CI_PIPELINE_ID, ...; docs/ci.md)");
}

/// The run's order: by position in the unsharded selection when every case has one, else by
/// file (reports from before positions were recorded).
void putInRunOrder(std::vector<CaseResult>& cases) {
    const bool positioned = std::all_of(
        cases.begin(), cases.end(), [](const CaseResult& c) { return c.position >= 0; });
    std::stable_sort(cases.begin(), cases.end(), [&](const CaseResult& a, const CaseResult& b) {
        return positioned ? a.position < b.position : a.file < b.file;
    });
}

/// One scenario of report.json; fields added after schema 3 began are optional.
Expected<CaseResult> caseFromJson(const nlohmann::json& s) {
    CaseResult c;
    c.id = s.at("id").get<std::string>();
    c.title = s.value("title", "");
    c.file = s.value("file", "");
    c.criteria = s.value("criteria", std::vector<std::string>{});
    auto verdict = verdictFrom(s.at("verdict").get<std::string>());
    if (!verdict) {
        return makeError(ErrorCode::InvalidInput, "unknown verdict in scenario " + c.id);
    }
    c.verdict = *verdict;
    c.message = s.value("message", "");
    c.seed = s.value("seed", std::uint64_t{0});
    c.durationMs = s.value("durationMs", 0.0);
    c.stepsMs = s.value("stepsMs", 0.0);
    c.timeline = s.value("timeline", std::vector<std::string>{});
    c.warnings = s.value("warnings", std::vector<std::string>{});
    c.directory = s.value("directory", "");
    c.startedAt = s.value("startedAt", std::string());
    c.position = s.value("position", std::int64_t{-1});
    c.agentStderr = s.value("agentStderr", std::string());
    c.keptDirectory = s.value("keptDirectory", std::string());
    c.rerun = s.value("rerun", std::string());
    c.symptom = s.value("symptom", std::string());
    for (const auto& check : s.value("checks", nlohmann::json::array())) {
        c.checks.push_back({check.at("criterion").get<std::string>(),
                            check.at("what").get<std::string>(),
                            check.at("expected").get<std::string>(),
                            check.at("observed").get<std::string>(),
                            check.at("passed").get<bool>(),
                            check.value("made", true)});
    }
    return c;
}

}  // namespace

Expected<RunResult> fromJson(const std::string& text) {
    using nlohmann::json;
    json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
        return makeError(ErrorCode::InvalidInput, "not a JSON report");
    }
    try {
        const int version = doc.value("schemaVersion", 0);
        if (version != 3) {
            return makeError(ErrorCode::InvalidInput,
                             "unsupported schemaVersion " + std::to_string(version) +
                                 " (this wblab reads version 3: earlier reports' checks name no "
                                 "criterion; run the shards again with this wblab)");
        }
        RunResult run;
        run.toolVersion = doc.at("tool").at("version").get<std::string>();
        const auto& r = doc.at("run");
        run.seed = r.at("seed").get<std::uint64_t>();
        run.agent = r.at("agent").get<std::string>();
        run.startedAt = r.at("startedAt").get<std::string>();
        run.durationMs = r.at("durationMs").get<double>();
        run.interrupted = r.value("interrupted", false);
        run.directories = r.value("directories", std::vector<std::string>{});
        run.runId = r.value("runId", std::string());
        run.shard = r.value("shard", std::string());
        run.maxFailures = r.value("maxFailures", std::size_t{0});
        run.baselineProblems =
            doc.at("summary").value("baselineProblems", std::vector<std::string>{});
        run.notRun = doc.at("summary").value("notRun", std::vector<std::string>{});
        for (const auto& s : doc.at("scenarios")) {
            WBLAB_TRY_ASSIGN(auto c, caseFromJson(s), "");
            run.cases.push_back(std::move(c));
        }
        // The catalog the run was judged against.
        for (const auto& e : doc.value("exitCriteria", json::array())) {
            run.exitCriteria.push_back(
                {e.at("id").get<std::string>(), e.value("title", std::string())});
        }
        if (!run.exitCriteria.empty()) {
            for (const auto& c : doc.value("criteria", json::array())) {
                CriterionInfo info{c.at("id").get<std::string>(),
                                   c.value("title", std::string()),
                                   c.value("level", std::string()),
                                   c.value("exitCriterion", std::string()),
                                   c.value("source", std::string())};
                if (info.exitCriterion != "uncategorised") {
                    run.catalog.push_back(std::move(info));
                }
            }
        }
        return run;
    } catch (const json::exception& e) {
        return makeError(ErrorCode::InvalidInput, std::string("malformed report: ") + e.what());
    }
}

Expected<RunResult> mergeRuns(const std::vector<RunResult>& shards,
                              const std::vector<std::string>& names) {
    if (shards.empty()) {
        return makeError(ErrorCode::InvalidInput, "no report to merge");
    }
    WBLAB_TRY(checkSameRun(shards, names), "");
    RunResult merged;
    merged.toolVersion = shards.front().toolVersion;
    merged.seed = shards.front().seed;
    merged.agent = shards.front().agent;
    merged.runId = shards.front().runId;
    merged.startedAt = shards.front().startedAt;
    merged.exitCriteria = shards.front().exitCriteria;
    merged.catalog = shards.front().catalog;
    merged.directories = shards.front().directories;
    std::set<std::string> ids;
    std::set<std::string> problems;
    for (const auto& shard : shards) {
        merged.startedAt = std::min(merged.startedAt, shard.startedAt);
        merged.durationMs =
            std::max(merged.durationMs, shard.durationMs);  // shards run side by side
        merged.interrupted = merged.interrupted || shard.interrupted;
        merged.maxFailures = std::max(merged.maxFailures, shard.maxFailures);
        merged.notRun.insert(merged.notRun.end(), shard.notRun.begin(), shard.notRun.end());
        problems.insert(shard.baselineProblems.begin(), shard.baselineProblems.end());
        for (const auto& c : shard.cases) {
            if (!ids.insert(c.id + '\n' + c.directory).second) {
                return makeError(
                    ErrorCode::InvalidInput,
                    "scenario " + caseLabel(merged, c) + " is in more than one report");
            }
            merged.cases.push_back(c);
        }
    }
    merged.baselineProblems.assign(problems.begin(), problems.end());
    putInRunOrder(merged.cases);
    return merged;
}

}  // namespace wblab::report
