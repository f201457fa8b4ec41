// Reading report.json back and merging the reports of a sharded run.
#include <wblab/report/run_result.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace wblab::report {

namespace {

std::optional<Verdict> verdictFrom(const std::string& name) {
    for (auto v : allVerdicts()) {
        if (name == toString(v)) {
            return v;
        }
    }
    return std::nullopt;
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
        run.baselineProblems =
            doc.at("summary").value("baselineProblems", std::vector<std::string>{});
        for (const auto& s : doc.at("scenarios")) {
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
            c.timeline = s.value("timeline", std::vector<std::string>{});
            c.warnings = s.value("warnings", std::vector<std::string>{});
            c.directory = s.value("directory", "");
            for (const auto& check : s.value("checks", json::array())) {
                c.checks.push_back({check.at("criterion").get<std::string>(),
                                    check.at("what").get<std::string>(),
                                    check.at("expected").get<std::string>(),
                                    check.at("observed").get<std::string>(),
                                    check.at("passed").get<bool>(),
                                    check.value("made", true)});
            }
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

Expected<RunResult> mergeRuns(const std::vector<RunResult>& shards) {
    if (shards.empty()) {
        return makeError(ErrorCode::InvalidInput, "no report to merge");
    }
    RunResult merged;
    merged.toolVersion = shards.front().toolVersion;
    merged.seed = shards.front().seed;
    merged.agent = shards.front().agent;
    merged.startedAt = shards.front().startedAt;
    merged.exitCriteria = shards.front().exitCriteria;
    merged.catalog = shards.front().catalog;
    merged.directories = shards.front().directories;
    std::set<std::string> ids;
    std::set<std::string> problems;
    for (const auto& shard : shards) {
        if (shard.seed != merged.seed || shard.agent != merged.agent ||
            shard.directories != merged.directories) {
            return makeError(ErrorCode::InvalidInput,
                             "the reports come from different runs (seed, agent or directories "
                             "differ)");
        }
        merged.startedAt = std::min(merged.startedAt, shard.startedAt);
        merged.durationMs =
            std::max(merged.durationMs, shard.durationMs);  // shards run side by side
        merged.interrupted = merged.interrupted || shard.interrupted;
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
    std::stable_sort(merged.cases.begin(),
                     merged.cases.end(),
                     [](const CaseResult& a, const CaseResult& b) { return a.file < b.file; });
    return merged;
}

}  // namespace wblab::report
