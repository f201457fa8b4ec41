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
#include <map>
#include <memory>
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

namespace {

/// A wb-answers-in-time check failed in this result: the agent hung, crashed, answered late or
/// out of turn, and its silence may explain the other failures.
bool wentSilent(const report::CaseResult& result) {
    return std::any_of(result.checks.begin(), result.checks.end(), [](const auto& c) {
        return !c.passed && c.criterion == scenario::criteria::kAnswersInTime;
    });
}

}  // namespace

std::set<std::string> creditedCriteria(const report::CaseResult& result) {
    const bool silent = wentSilent(result);
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
    // Caught means a criterion of this half failed: a cloud mutation noticed only by an agent
    // criterion (or the reverse) says nothing about the criteria this half measures.
    for (const auto& f : faults) {
        if (std::any_of(half.criteria.begin(), half.criteria.end(), [&](const std::string& c) {
                return zoo.failed(f, c);
            })) {
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
    /// [agent's half, lab's half][scenario index] -> the criteria of that half its checks are
    /// evidence for (from the control run): a scenario with none cannot score a fault of it.
    std::vector<std::set<std::string>> checked[2];
    std::set<std::string> killed[2];  ///< criteria failed so far by the agent's faults, the lab's
    std::mutex lock;
};

/// The options of a run under one fault: the agent with --bug NAME, or the cloud model's
/// mutation NAME with the correct agent.
RunOptions faultyOptions(const RunOptions& control,
                         const AgentCommand& agent,
                         const std::string& name,
                         bool lab) {
    RunOptions faulty = control;
    if (lab) {
        faulty.labMutation = name;
    } else {
        faulty.agent.argv.push_back("--bug");
        faulty.agent.argv.push_back(name);
        faulty.agent.label = agent.label + " --bug " + name;
    }
    return faulty;
}

/// The control: the correct agent must pass every scenario, or a "caught" fault proves nothing.
/// Its checks also say which criteria each scenario is evidence for.
void runControl(ZooState& state,
                const scenario::Catalog& catalog,
                const RunOptions& options,
                std::ostream* progress) {
    auto control = runScenarios(state.scenarios, options, nullptr);
    for (const auto& c : catalog.criteria) {
        if (c.subject == "cloud") {
            state.zoo.cloudCriteria.insert(c.id);
        }
    }
    std::set<std::string> checkedAnywhere;
    for (auto& half : state.checked) {
        half.resize(state.scenarios.size());
    }
    for (std::size_t i = 0; i < control.cases.size(); ++i) {
        const auto& c = control.cases[i];
        if (report::isFailure(c.verdict)) {
            state.zoo.controlFailures.push_back(c.id);
        }
        for (const auto& check : c.checks) {
            state.checked[state.zoo.cloudCriteria.count(check.criterion)][i].insert(
                check.criterion);
            checkedAnywhere.insert(check.criterion);
        }
    }
    for (const auto& c : catalog.criteria) {
        (checkedAnywhere.count(c.id) ? state.zoo.criteria : state.zoo.uncovered).push_back(c.id);
    }
    if (progress != nullptr) {
        *progress << "control (" << options.agent.label << "): " << control.cases.size()
                  << " scenarios, " << state.zoo.controlFailures.size() << " failed\n"
                  << std::flush;
    }
}

/// A fault a few lanes may run at once: which scenario is next, what it has failed so far.
struct FaultRun {
    std::string name;
    RunOptions faulty;
    bool lab = false;
    bool quick = false;
    Clock::time_point started = Clock::now();
    std::atomic<std::size_t> next{0};
    std::atomic<int> lanes{0};         ///< lanes still running it (waiting lanes only)
    std::set<std::string> failedHere;  ///< under ZooState::lock
    std::map<std::string, std::size_t> firstFailed;  ///< criterion -> scenario index, ditto
};

/// Credits a result's criteria of the fault's half to the fault; the first scenario (in suite
/// order, whichever lane ran it) names each.
void credit(ZooState& state, FaultRun& run, const report::CaseResult& result, std::size_t index) {
    std::lock_guard guard(state.lock);
    for (const auto& criterion : creditedCriteria(result)) {
        if ((state.zoo.cloudCriteria.count(criterion) != 0) != run.lab) {
            continue;
        }
        state.killed[run.lab].insert(criterion);
        run.failedHere.insert(criterion);
        auto [first, added] = run.firstFailed.emplace(criterion, index);
        if (added || index <= first->second) {
            first->second = index;
            state.zoo.failedBy[{run.name, criterion}] = result.id;
        }
    }
}

/// True when scenario `i` can tell nothing new about the fault. Full: every criterion of the
/// fault's half it checks has failed under this fault already (none checked: nothing to tell).
/// Quick: once the fault is caught, other faults of the half failed them all.
bool nothingToLearn(ZooState& state, const FaultRun& run, std::size_t i) {
    std::lock_guard guard(state.lock);
    const auto& known =
        run.quick && !run.failedHere.empty() ? state.killed[run.lab] : run.failedHere;
    const auto& mine = state.checked[run.lab][i];
    return std::all_of(
        mine.begin(), mine.end(), [&](const std::string& c) { return known.count(c) != 0; });
}

/// One lane of a fault: scenarios from its shared counter, on this lane's directory (kept
/// between scenarios as in a run) with an agent of its own. With `leaveWhenSilent`, it stops
/// after the first scenario in which the agent went silent and returns true: from then on the
/// fault waits on deadlines, not on the CPU (the caller gives it lanes of its own).
bool runLane(ZooState& state, FaultRun& run, FixturePool& fixtures, bool leaveWhenSilent) {
    AgentSlot slot;
    // The previous scenario's result: its log check (and unasked lines) are settled when the
    // kept agent takes the next hello or exits, and credited again then.
    report::CaseResult previous;
    std::size_t previousIndex = 0;
    bool silent = false;
    for (std::size_t i = run.next++; i < state.scenarios.size() && !processesStopped();
         i = run.next++) {
        if (nothingToLearn(state, run, i)) {
            continue;
        }
        auto result = ScenarioRun(state.scenarios[i], run.faulty, slot, &fixtures).run();
        if (processesStopped()) {
            break;
        }
        credit(state, run, previous, previousIndex);
        credit(state, run, result, i);
        silent = wentSilent(result);
        previous = std::move(result);
        previousIndex = i;
        slot.settleLater(previous);
        if (silent && leaveWhenSilent) {
            break;
        }
    }
    slot.close();
    if (!processesStopped()) {
        credit(state, run, previous, previousIndex);
    }
    return silent && leaveWhenSilent && run.next < state.scenarios.size();
}

/// Lanes given to a fault that waits on deadlines, beside the --jobs workers: its scenarios
/// cost little CPU but a step timeout each.
constexpr int kWaitingLanes = 8;

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
    auto report = [&](const FaultRun& run) {
        const auto took = std::chrono::duration<double>(Clock::now() - run.started).count();
        if (progress != nullptr && !processesStopped()) {
            std::lock_guard guard(state.lock);
            *progress << (run.lab ? "lab mutation " : "fault ") << run.name << ": "
                      << zoo.criteriaFailedBy(run.name).size() << " criteria failed (" << std::fixed
                      << std::setprecision(1) << took << " s)\n"
                      << std::flush;
        }
    };
    std::mutex waitingLock;
    std::vector<std::thread> waiting;
    auto wait = [&](std::shared_ptr<FaultRun> run) {
        std::lock_guard guard(waitingLock);
        run->lanes = kWaitingLanes;
        for (int k = 0; k < kWaitingLanes; ++k) {
            waiting.emplace_back([&state, &report, run] {
                FixturePool own;
                runLane(state, *run, own, false);
                own.close();
                if (--run->lanes == 0) {
                    report(*run);
                }
            });
        }
    };
    // The agent's faults first, then the lab's mutations (with the correct agent).
    const std::size_t total = faults.agent.size() + faults.lab.size();
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        FixturePool fixtures;  // kept from one fault to the next
        for (std::size_t i = next++; i < total && !processesStopped(); i = next++) {
            auto run = std::make_shared<FaultRun>();
            run->lab = i >= faults.agent.size();
            run->name = run->lab ? faults.lab[i - faults.agent.size()] : faults.agent[i];
            run->quick = quick;
            run->faulty = faultyOptions(control, agent, run->name, run->lab);
            if (runLane(state, *run, fixtures, true)) {
                wait(run);
            } else {
                report(*run);
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
    for (auto& w : waiting) {
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
