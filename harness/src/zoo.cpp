// The mutation score over an agent's faults (zoo.hpp), credited from failed checks only.
#include "agent_slot.hpp"
#include "scenario_run.hpp"

#include <wblab/harness/zoo.hpp>
#include <wblab/sim/lab_mutation.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/process.hpp>

#include <algorithm>
#include <atomic>
#include <iomanip>
#include <mutex>
#include <sstream>
#include <thread>

namespace wblab::harness {

Expected<std::vector<std::string>> listFaults(const AgentCommand& agent) {
    WBLAB_TRY_ASSIGN(auto dir, RunDirectory::create("zoo"), "");
    ProcessSpec spec;
    spec.argv = agent.argv;
    spec.argv.push_back("--list-bugs");
    spec.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"LANG", "C.UTF-8"}};
    spec.stdoutPath = dir.path() + "/bugs.txt";
    spec.stderrPath = dir.path() + "/bugs.err";
    WBLAB_TRY_ASSIGN(const auto status,
                     runProcess(spec, std::chrono::milliseconds(10000)),
                     "running " + agent.label + " --list-bugs");
    if (!status.success()) {
        return makeError(ErrorCode::Unavailable,
                         "'" + agent.label + " --list-bugs' failed (" + status.describe() +
                             "): the agent must list its faults (docs/agent-protocol.md)");
    }
    WBLAB_TRY_ASSIGN(const auto text, readFile(spec.stdoutPath), "");
    std::vector<std::string> faults;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) {
            faults.push_back(line.substr(0, line.find('\t')));
        }
    }
    if (faults.empty()) {
        return makeError(ErrorCode::InvalidInput,
                         "'" + agent.label + " --list-bugs' listed no fault");
    }
    return faults;
}

std::set<std::string> creditedCriteria(const report::CaseResult& result) {
    const bool silent =
        std::any_of(result.checks.begin(), result.checks.end(), [](const report::CheckOutcome& c) {
            return !c.passed && c.criterion == scenario::criteria::kAnswersInTime;
        });
    std::set<std::string> out;
    for (const auto& check : result.checks) {
        if (check.passed) {
            continue;
        }
        if (!silent || !check.made || check.criterion == scenario::criteria::kAnswersInTime) {
            out.insert(check.criterion);
        }
    }
    return out;
}

std::vector<std::string> labMutationNames() {
    std::vector<std::string> names;
    for (const auto& m : sim::labMutations()) {
        names.emplace_back(m.name);
    }
    return names;
}

bool ZooResult::failed(const std::string& fault, const std::string& criterion) const {
    return failedBy.count({fault, criterion}) != 0;
}

std::vector<std::string> ZooResult::criteriaFailedBy(const std::string& fault) const {
    std::vector<std::string> out;
    for (const auto& c : criteria) {
        if (failed(fault, c)) {
            out.push_back(c);
        }
    }
    return out;
}

namespace {

/// A half: its faults, the criteria of its subject, and which of each the other side reached.
ZooHalf halfOf(const ZooResult& zoo, const std::vector<std::string>& faults, bool cloud) {
    ZooHalf half;
    half.faults = faults;
    for (const auto& c : zoo.criteria) {
        if ((zoo.cloudCriteria.count(c) != 0) == cloud) {
            half.criteria.push_back(c);
        }
    }
    for (const auto& f : faults) {
        if (!zoo.criteriaFailedBy(f).empty()) {
            half.caught.push_back(f);
        }
    }
    for (const auto& c : half.criteria) {
        if (std::any_of(faults.begin(), faults.end(), [&](const std::string& f) {
                return zoo.failed(f, c);
            })) {
            half.killed.push_back(c);
        }
    }
    return half;
}

}  // namespace

double ZooHalf::score() const {
    const auto total = faults.size() + criteria.size();
    if (total == 0) {
        return 0;
    }
    return 100.0 * static_cast<double>(caught.size() + killed.size()) / static_cast<double>(total);
}

bool ZooHalf::complete() const {
    return !faults.empty() && caught.size() == faults.size() && killed.size() == criteria.size();
}

ZooHalf ZooResult::agentHalf() const {
    return halfOf(*this, faults, false);
}

ZooHalf ZooResult::labHalf() const {
    return halfOf(*this, mutations, true);
}

bool ZooResult::complete() const {
    return !interrupted && controlFailures.empty() && agentHalf().complete() &&
           (mutations.empty() || labHalf().complete());
}

namespace {

/// What the zoo needs to know while faults run side by side.
struct ZooState {
    ZooResult& zoo;
    const std::vector<scenario::Scenario>& scenarios;
    /// scenario index -> the criteria its checks are evidence for (from the control run)
    std::vector<std::set<std::string>> checked;
    std::set<std::string> killed[2];  ///< criteria failed so far by the agent's faults, the lab's
    std::mutex lock;
};

/// The control: the correct agent must pass every scenario, or a "caught" fault proves nothing.
/// Its checks also say which criteria each scenario is evidence for.
void runControl(ZooState& state,
                const scenario::Catalog& catalog,
                const RunOptions& options,
                std::ostream* progress) {
    auto control = runScenarios(state.scenarios, options, nullptr);
    std::set<std::string> checkedAnywhere;
    state.checked.resize(state.scenarios.size());
    for (std::size_t i = 0; i < control.cases.size(); ++i) {
        const auto& c = control.cases[i];
        if (report::isFailure(c.verdict)) {
            state.zoo.controlFailures.push_back(c.id);
        }
        for (const auto& check : c.checks) {
            state.checked[i].insert(check.criterion);
            checkedAnywhere.insert(check.criterion);
        }
    }
    for (const auto& c : catalog.criteria) {
        (checkedAnywhere.count(c.id) ? state.zoo.criteria : state.zoo.uncovered).push_back(c.id);
        if (c.subject == "cloud") {
            state.zoo.cloudCriteria.insert(c.id);
        }
    }
    if (progress != nullptr) {
        *progress << "control (" << options.agent.label << "): " << control.cases.size()
                  << " scenarios, " << state.zoo.controlFailures.size() << " failed\n"
                  << std::flush;
    }
}

/// Runs one fault over the scenarios that can still tell something, on the worker's directory
/// (kept between faults as between a run's scenarios; each fault has agents of its own).
void runFault(ZooState& state,
              const std::string& fault,
              const RunOptions& faulty,
              bool lab,
              bool quick,
              FixturePool& fixtures) {
    std::set<std::string> failedHere;
    int ran = 0;
    AgentSlot slot;
    // The previous scenario's result: its log check is settled when the kept agent takes the
    // next hello or exits, and credited again then.
    report::CaseResult previous;
    auto credit = [&](const report::CaseResult& result) {
        std::lock_guard guard(state.lock);
        for (const auto& criterion : creditedCriteria(result)) {
            state.killed[lab].insert(criterion);
            if (failedHere.insert(criterion).second) {
                state.zoo.failedBy[{fault, criterion}] = result.id;
            }
        }
    };
    for (std::size_t i = 0; i < state.scenarios.size() && !processesStopped(); ++i) {
        {
            std::lock_guard guard(state.lock);
            // Full: skip when every checked criterion has failed under this fault already.
            // Quick: once this fault is caught, skip when other faults failed them all.
            const auto& known = quick && !failedHere.empty() ? state.killed[lab] : failedHere;
            const auto& mine = state.checked[i];
            if (std::all_of(mine.begin(), mine.end(), [&](const std::string& c) {
                    return known.count(c) != 0;
                })) {
                continue;
            }
        }
        ++ran;
        auto result = ScenarioRun(state.scenarios[i], faulty, slot, &fixtures).run();
        if (processesStopped()) {
            break;
        }
        credit(previous);
        credit(result);
        previous = std::move(result);
        slot.settleLater(previous);
    }
    slot.close();
    if (!processesStopped()) {
        credit(previous);
    }
}

}  // namespace

ZooResult runZoo(const std::vector<scenario::Scenario>& scenarios,
                 const scenario::Catalog& catalog,
                 const AgentCommand& agent,
                 const ZooFaults& faults,
                 const RunOptions& options,
                 bool quick,
                 std::ostream* progress) {
    ZooResult zoo;
    zoo.agent = agent.label;
    zoo.faults = faults.agent;
    zoo.mutations = faults.lab;
    zoo.quick = quick;
    ZooState state{zoo, scenarios, {}, {}, {}};
    RunOptions control = options;
    control.agent = agent;
    control.labMutation.clear();
    runControl(state, catalog, control, progress);
    // The agent's faults first, then the lab's mutations (with the correct agent).
    const std::size_t total = faults.agent.size() + faults.lab.size();
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        FixturePool fixtures;
        for (std::size_t i = next++; i < total && !processesStopped(); i = next++) {
            const bool lab = i >= faults.agent.size();
            const auto& name = lab ? faults.lab[i - faults.agent.size()] : faults.agent[i];
            RunOptions faulty = control;
            if (lab) {
                faulty.labMutation = name;
            } else {
                faulty.agent.argv.push_back("--bug");
                faulty.agent.argv.push_back(name);
                faulty.agent.label = agent.label + " --bug " + name;
            }
            const auto started = Clock::now();
            runFault(state, name, faulty, lab, quick, fixtures);
            const auto took = std::chrono::duration<double>(Clock::now() - started).count();
            if (progress != nullptr && !processesStopped()) {
                std::lock_guard guard(state.lock);
                *progress << (lab ? "lab mutation " : "fault ") << name << ": "
                          << zoo.criteriaFailedBy(name).size() << " criteria failed (" << std::fixed
                          << std::setprecision(1) << took << " s)\n"
                          << std::flush;
            }
        }
        fixtures.close();
    };
    std::vector<std::thread> workers;
    for (std::size_t j = 0; j < std::max<std::size_t>(1, options.jobs); ++j) {
        workers.emplace_back(worker);
    }
    for (auto& w : workers) {
        w.join();
    }
    zoo.interrupted = processesStopped();
    return zoo;
}

namespace {

void printMatrix(const ZooResult& zoo,
                 const ZooHalf& half,
                 const char* faultsAre,
                 std::ostream& out) {
    out << "\n" << faultsAre << " (columns):\n";
    for (std::size_t i = 0; i < half.faults.size(); ++i) {
        out << "  " << std::setw(2) << i + 1 << "  " << half.faults[i] << "\n";
    }
    std::size_t width = 9;
    for (const auto& c : half.criteria) {
        width = std::max(width, c.size());
    }
    out << "\n"
        << std::left << std::setw(static_cast<int>(width)) << "criterion"
        << " ";
    for (std::size_t i = 0; i < half.faults.size(); ++i) {
        out << std::right << std::setw(3) << i + 1;
    }
    out << "\n";
    for (const auto& c : half.criteria) {
        out << std::left << std::setw(static_cast<int>(width)) << c << " ";
        for (const auto& f : half.faults) {
            out << std::right << std::setw(3) << (zoo.failed(f, c) ? "X" : ".");
        }
        out << "\n";
    }
    out << std::left;
}

void printGaps(const ZooHalf& half, const char* fault, std::ostream& out) {
    for (const auto& f : half.faults) {
        if (std::find(half.caught.begin(), half.caught.end(), f) == half.caught.end()) {
            out << fault << " not caught by any criterion: " << f << "\n";
        }
    }
    for (const auto& c : half.criteria) {
        if (std::find(half.killed.begin(), half.killed.end(), c) == half.killed.end()) {
            out << "criterion no " << fault << " fails: " << c << "\n";
        }
    }
}

void printScore(const char* what,
                const ZooHalf& half,
                const std::string& whose,
                const char* faults,
                std::ostream& out) {
    out << what << " mutation score " << std::fixed << std::setprecision(1) << half.score()
        << " % (" << whose << "): " << half.caught.size() << " of " << half.faults.size() << " "
        << faults << " caught, " << half.killed.size() << " of " << half.criteria.size()
        << " criteria failed by one\n";
}

}  // namespace

void printZoo(const ZooResult& zoo, std::ostream& out) {
    if (zoo.interrupted) {
        out << "\nwblab zoo: interrupted; no score (the faults did not all run)\n";
        return;
    }
    const auto agent = zoo.agentHalf();
    const auto lab = zoo.labHalf();
    printMatrix(zoo, agent, "the agent's faults, against the agent criteria", out);
    if (!zoo.mutations.empty()) {
        printMatrix(zoo, lab, "the lab's cloud-model mutations, against the cloud criteria", out);
    }
    out << "\n";
    for (const auto& id : zoo.controlFailures) {
        out << "control failure (the correct agent fails it): " << id << "\n";
    }
    printGaps(agent, "fault", out);
    if (!zoo.mutations.empty()) {
        printGaps(lab, "mutation", out);
    }
    if (!zoo.uncovered.empty()) {
        out << "not scored, no check of it is made: ";
        for (std::size_t i = 0; i < zoo.uncovered.size(); ++i) {
            out << (i ? ", " : "") << zoo.uncovered[i];
        }
        out << "\n";
    }
    if (zoo.quick) {
        out << "(quick: the matrix shows the failures found until the score was decided; a '.' "
               "may be a failure that was not looked for)\n";
    }
    out << "\n";
    printScore("agent", agent, zoo.agent, "faults", out);
    if (!zoo.mutations.empty()) {
        printScore("lab", lab, "the cloud model", "mutations", out);
    }
    if (!zoo.controlFailures.empty()) {
        out << "the control run failed: the scores prove nothing\n";
    }
}

}  // namespace wblab::harness
