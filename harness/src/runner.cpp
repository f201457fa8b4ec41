// Running scenarios: workers, agents kept per worker, progress (runner.hpp).
#include "agent_slot.hpp"
#include "scenario_run.hpp"

#include <wblab/harness/progress.hpp>
#include <wblab/harness/runner.hpp>
#include <wblab/protocol/crypto.hpp>
#include <wblab/support/seed.hpp>
#include <wblab/support/version.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

namespace wblab::harness {

namespace {

/// What a scenario that did not finish because of an interrupt reports: whatever it observed
/// after the interruption is not the agent's doing.
report::CaseResult interrupted(const scenario::Scenario& s, const RunOptions& options) {
    report::CaseResult result;
    result.id = s.id;
    result.title = s.title;
    result.symptom = s.symptom;
    result.file = s.file;
    result.criteria = s.criteria;
    result.verdict = report::Verdict::Unresolved;
    result.message = "interrupted";
    result.seed = deriveSeed(options.seed, s.id);
    return result;
}

/// Drops the slots of scenarios never started (--max-failures reached) and names them.
void keepWhatRan(report::RunResult& run,
                 const std::vector<scenario::Scenario>& scenarios,
                 const std::vector<char>& ran) {
    std::vector<report::CaseResult> cases;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
        if (ran[i] != 0) {
            cases.push_back(std::move(run.cases[i]));
        } else {
            run.notRun.push_back(scenarios[i].id);
        }
    }
    run.cases = std::move(cases);
}

Expected<AgentCommand> referenceAgent(const std::string& spec, const std::string& selfPath) {
    std::error_code ec;
    auto self = std::filesystem::canonical(selfPath, ec);
    std::filesystem::path dir =
        ec ? std::filesystem::path(selfPath).parent_path() : self.parent_path();
    for (const auto& c : {dir / "wblab-agent", dir / ".." / "agent" / "wblab-agent"}) {
        if (std::filesystem::exists(c, ec)) {
            AgentCommand cmd{{std::filesystem::weakly_canonical(c, ec).string()}, spec};
            std::istringstream rest(spec.substr(std::string("reference").size()));
            for (std::string word; rest >> word;) {
                cmd.argv.push_back(word);
            }
            return cmd;
        }
    }
    return makeError(ErrorCode::NotFound,
                     "the reference agent (wblab-agent) is not beside " + selfPath);
}

}  // namespace

const char* toString(DirectoryFlavour flavour) {
    return flavour == DirectoryFlavour::Samba ? "samba" : "slapd";
}

std::optional<DirectoryFlavour> directoryFlavourFromString(const std::string& name) {
    if (name == "slapd") {
        return DirectoryFlavour::Slapd;
    }
    if (name == "samba") {
        return DirectoryFlavour::Samba;
    }
    return std::nullopt;
}

Expected<AgentCommand> resolveAgent(const std::string& spec, const std::string& selfPath) {
    if (spec == "reference" || spec.rfind("reference ", 0) == 0) {
        return referenceAgent(spec, selfPath);
    }
    AgentCommand cmd;
    cmd.label = spec;
    std::string word;
    bool quoted = false;
    bool any = false;
    for (char c : spec) {
        if (c == '"') {
            quoted = !quoted;
            any = true;
        } else if (c == ' ' && !quoted) {
            if (any) {
                cmd.argv.push_back(word);
            }
            word.clear();
            any = false;
        } else {
            word += c;
            any = true;
        }
    }
    if (quoted) {
        return makeError(ErrorCode::InvalidInput, "unbalanced quote in --agent: " + spec);
    }
    if (any) {
        cmd.argv.push_back(word);
    }
    if (cmd.argv.empty()) {
        return makeError(ErrorCode::InvalidInput, "--agent needs a command");
    }
    return cmd;
}

report::CaseResult runScenario(const scenario::Scenario& s, const RunOptions& options) {
    AgentSlot slot;
    auto result = ScenarioRun(s, options, slot).run();
    // The agent's log up to its exit belongs to this scenario.
    slot.settleLater(result);
    slot.close();
    redactResult(result);
    return result;
}

report::RunResult runScenarios(const std::vector<scenario::Scenario>& scenarios,
                               const RunOptions& options,
                               std::ostream* progress) {
    const auto started = Clock::now();
    report::RunResult run;
    run.toolVersion = kVersion;
    run.seed = options.seed;
    run.agent = options.agent.label;
    run.directories = {toString(options.directory)};
    run.startedAt = protocol::formatUtc(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
    // Workers take scenarios in order; results land in their scenario's slot, so reports do not
    // depend on which worker finished first. Each scenario has its own fixture; an agent that
    // declares "rehandshake" serves its worker's scenarios in turn, any other is started for each.
    run.cases.resize(scenarios.size());
    std::vector<char> ran(scenarios.size(), 0);
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> failures{0};
    auto enoughFailures = [&] {
        return options.maxFailures > 0 && failures.load() >= options.maxFailures;
    };
    std::mutex progressMutex;
    std::ostringstream discard;
    Progress shown(progress != nullptr ? *progress : discard,
                   scenarios.size(),
                   options.progressStyle,
                   options.progressWidth);
    auto worker = [&] {
        AgentSlot slot;
        FixturePool fixtures;
        for (std::size_t i = next++; i < scenarios.size() && !enoughFailures(); i = next++) {
            {
                std::lock_guard lock(progressMutex);
                shown.started(scenarios[i].id);
            }
            report::CaseResult result;
            if (!processesStopped()) {
                result = ScenarioRun(scenarios[i], options, slot, &fixtures).run();
            }
            if (processesStopped()) {
                result = interrupted(scenarios[i], options);
            }
            if (report::isFailure(result.verdict)) {
                ++failures;
            }
            std::lock_guard lock(progressMutex);
            ran[i] = 1;
            run.cases[i] = std::move(result);
            // A kept agent's log of this scenario ends at the next hello or at its exit.
            slot.settleLater(run.cases[i]);
            shown.finished(run.cases[i].id,
                           report::toString(run.cases[i].verdict),
                           report::isFailure(run.cases[i].verdict));
        }
        slot.close();
        fixtures.close();
    };
    const std::size_t jobs =
        std::clamp<std::size_t>(options.jobs, 1, std::max<std::size_t>(1, scenarios.size()));
    std::vector<std::thread> workers;
    for (std::size_t j = 1; j < jobs; ++j) {
        workers.emplace_back(worker);
    }
    worker();
    for (auto& t : workers) {
        t.join();
    }
    shown.done();
    keepWhatRan(run, scenarios, ran);
    run.maxFailures = options.maxFailures;
    for (auto& c : run.cases) {
        redactResult(c);  // what the settled log checks added, and every secret known by now
    }
    run.interrupted = processesStopped();
    run.durationMs = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    return run;
}

}  // namespace wblab::harness
