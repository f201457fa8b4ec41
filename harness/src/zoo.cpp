// The mutation score over the reference agent's bug zoo (zoo.hpp).
#include <wblab/harness/zoo.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/process.hpp>

#include <algorithm>
#include <atomic>
#include <iomanip>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

namespace wblab::harness {

Expected<std::vector<std::string>> listFaults(const AgentCommand& reference) {
    auto dir = RunDirectory::create("zoo");
    if (!dir) {
        return dir.error();
    }
    ProcessSpec spec;
    spec.argv = reference.argv;
    spec.argv.push_back("--list-bugs");
    spec.stdoutPath = dir->path() + "/bugs.txt";
    spec.stderrPath = dir->path() + "/bugs.err";
    auto status = runProcess(spec, std::chrono::milliseconds(10000));
    if (!status) {
        return status.error();
    }
    if (!status->success()) {
        return makeError(ErrorCode::Unavailable,
                         "'" + reference.argv.front() + " --list-bugs' failed");
    }
    auto text = readFile(spec.stdoutPath);
    if (!text) {
        return text.error();
    }
    std::vector<std::string> faults;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) {
            faults.push_back(line.substr(0, line.find('\t')));
        }
    }
    return faults;
}

bool ZooResult::failed(const std::string& fault, const std::string& criterion) const {
    return failedBy.count({fault, criterion}) != 0;
}

std::vector<std::string> ZooResult::faultsCaught() const {
    std::vector<std::string> out;
    for (const auto& f : faults) {
        if (std::any_of(criteria.begin(), criteria.end(), [&](const std::string& c) {
                return failed(f, c);
            })) {
            out.push_back(f);
        }
    }
    return out;
}

std::vector<std::string> ZooResult::criteriaKilled() const {
    std::vector<std::string> out;
    for (const auto& c : criteria) {
        if (std::any_of(
                faults.begin(), faults.end(), [&](const std::string& f) { return failed(f, c); })) {
            out.push_back(c);
        }
    }
    return out;
}

double ZooResult::score() const {
    const auto total = faults.size() + criteria.size();
    if (total == 0) {
        return 0;
    }
    return 100.0 * static_cast<double>(faultsCaught().size() + criteriaKilled().size()) /
           static_cast<double>(total);
}

bool ZooResult::complete() const {
    return controlFailures.empty() && !faults.empty() && faultsCaught().size() == faults.size() &&
           criteriaKilled().size() == criteria.size();
}

ZooResult runZoo(const std::vector<Scenario>& scenarios,
                 const Catalog& catalog,
                 const AgentCommand& reference,
                 const std::vector<std::string>& faults,
                 const RunOptions& options,
                 bool quick,
                 std::ostream* progress) {
    ZooResult zoo;
    zoo.faults = faults;
    zoo.quick = quick;
    for (const auto& c : catalog.criteria) {
        (scenariosCovering(c.id, scenarios).empty() ? zoo.uncovered : zoo.criteria).push_back(c.id);
    }

    // The control: the correct agent must pass every scenario, or a "caught" fault proves nothing.
    RunOptions control = options;
    control.agent = reference;
    auto controlRun = runScenarios(scenarios, control, nullptr);
    for (const auto& c : controlRun.cases) {
        if (report::isFailure(c.verdict)) {
            zoo.controlFailures.push_back(c.id);
        }
    }
    if (progress != nullptr) {
        *progress << "control (" << reference.label << "): " << controlRun.cases.size()
                  << " scenarios, " << zoo.controlFailures.size() << " failed\n"
                  << std::flush;
    }

    std::mutex lock;
    std::set<std::string> killed;  // criteria failed by any fault so far
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < faults.size(); i = next++) {
            const auto& fault = faults[i];
            RunOptions faulty = options;
            faulty.jobs = 1;
            faulty.agent = reference;
            faulty.agent.argv.push_back("--bug");
            faulty.agent.argv.push_back(fault);
            faulty.agent.label = reference.label + " --bug " + fault;
            std::set<std::string> failedHere;
            int ran = 0;
            for (const auto& s : scenarios) {
                bool needed = false;
                {
                    std::lock_guard guard(lock);
                    // Full: skip when every criterion it names has failed under this fault.
                    // Quick: once this fault is caught, skip when another fault failed them all.
                    const auto& known = quick && !failedHere.empty() ? killed : failedHere;
                    needed = std::any_of(s.criteria.begin(),
                                         s.criteria.end(),
                                         [&](const std::string& c) { return !known.count(c); });
                }
                if (!needed) {
                    continue;
                }
                ++ran;
                auto result = runScenario(s, faulty);
                if (!report::isFailure(result.verdict)) {
                    continue;
                }
                std::lock_guard guard(lock);
                for (const auto& c : s.criteria) {
                    killed.insert(c);
                    if (failedHere.insert(c).second) {
                        zoo.failedBy[{fault, c}] = s.id;
                    }
                }
            }
            if (progress != nullptr) {
                std::lock_guard guard(lock);
                *progress << "fault " << fault << ": " << failedHere.size() << " criteria failed ("
                          << ran << " scenarios run)\n"
                          << std::flush;
            }
        }
    };
    std::vector<std::thread> workers;
    for (std::size_t j = 0; j < std::max<std::size_t>(1, options.jobs); ++j) {
        workers.emplace_back(worker);
    }
    for (auto& w : workers) {
        w.join();
    }
    return zoo;
}

void printZoo(const ZooResult& zoo, std::ostream& out) {
    out << "\nfaults (columns):\n";
    for (std::size_t i = 0; i < zoo.faults.size(); ++i) {
        out << "  " << std::setw(2) << i + 1 << "  " << zoo.faults[i] << "\n";
    }
    std::size_t width = 9;
    for (const auto& c : zoo.criteria) {
        width = std::max(width, c.size());
    }
    out << "\n"
        << std::left << std::setw(static_cast<int>(width)) << "criterion"
        << " ";
    for (std::size_t i = 0; i < zoo.faults.size(); ++i) {
        out << std::right << std::setw(3) << i + 1;
    }
    out << "\n";
    for (const auto& c : zoo.criteria) {
        out << std::left << std::setw(static_cast<int>(width)) << c << " ";
        for (const auto& f : zoo.faults) {
            out << std::right << std::setw(3) << (zoo.failed(f, c) ? "X" : ".");
        }
        out << "\n";
    }
    out << std::left;
    for (const auto& id : zoo.controlFailures) {
        out << "control failure (the correct agent fails it): " << id << "\n";
    }
    const auto caught = zoo.faultsCaught();
    for (const auto& f : zoo.faults) {
        if (std::find(caught.begin(), caught.end(), f) == caught.end()) {
            out << "fault not caught by any criterion: " << f << "\n";
        }
    }
    const auto killed = zoo.criteriaKilled();
    for (const auto& c : zoo.criteria) {
        if (std::find(killed.begin(), killed.end(), c) == killed.end()) {
            out << "criterion no fault fails: " << c << "\n";
        }
    }
    if (!zoo.uncovered.empty()) {
        out << "not scored, no scenario covers: ";
        for (std::size_t i = 0; i < zoo.uncovered.size(); ++i) {
            out << (i ? ", " : "") << zoo.uncovered[i];
        }
        out << "\n";
    }
    if (zoo.quick) {
        out << "(quick: the matrix shows the failures found until the score was decided; a '.' "
               "may be a failure that was not looked for)\n";
    }
    out << "\nmutation score " << std::fixed << std::setprecision(1) << zoo.score()
        << " %: " << caught.size() << " of " << zoo.faults.size() << " faults caught, "
        << killed.size() << " of " << zoo.criteria.size() << " criteria failed by a fault"
        << (zoo.controlFailures.empty() ? "" : "; the control run failed") << "\n";
}

}  // namespace wblab::harness
