// `wblab diagnose` (diagnose.hpp): the scenario's observations reproduced, or not, by the
// scenario as written, by each agent fault and by each documented cause, run side by side.
#include "agent_slot.hpp"
#include "causes.hpp"
#include "scenario_run.hpp"

#include <wblab/harness/diagnose.hpp>
#include <wblab/support/process.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

namespace wblab::harness {

namespace {

/// The checks the scenario's own expectations make (not the harness's own checks).
bool isObservation(const report::CheckOutcome& c) {
    for (const char* own : {"agrees with the outcome",
                            "answers within its deadline",
                            "completes the handshake",
                            "second copy not applied"}) {
        if (c.what.find(own) != std::string::npos) {
            return false;
        }
    }
    return c.what.rfind("security:", 0) != 0;
}

struct Job {
    scenario::Scenario scenario;
    AgentCommand agent;
    Candidate candidate;
    bool control = false;
    report::CaseResult result;
};

/// Each step of a variant mapped to the scenario's own step it came from (by the line it was
/// written on), so that "step 3: outcome" of a variant with a step put first reads "step 2".
std::map<int, int> stepMap(const scenario::Scenario& original, const scenario::Scenario& variant) {
    std::map<int, std::vector<int>> byLine;
    for (std::size_t i = 0; i < original.steps.size(); ++i) {
        byLine[original.steps[i].where.line].push_back(static_cast<int>(i + 1));
    }
    std::map<int, std::size_t> used;
    std::map<int, int> out;
    for (std::size_t i = 0; i < variant.steps.size(); ++i) {
        const int line = variant.steps[i].where.line;
        auto it = byLine.find(line);
        if (line > 0 && it != byLine.end() && used[line] < it->second.size()) {
            out[static_cast<int>(i + 1)] = it->second[used[line]++];
        }
    }
    return out;
}

/// The observations a run reproduced, named as in the original scenario.
std::set<std::string> reproduced(const report::CaseResult& result,
                                 const std::map<int, int>& steps) {
    static const std::regex step(R"(^step (\d+): (.*)$)");
    std::set<std::string> out;
    for (const auto& c : result.checks) {
        if (!isObservation(c) || !c.made || !c.passed) {
            continue;
        }
        std::smatch m;
        if (std::regex_match(c.what, m, step)) {
            auto it = steps.find(std::stoi(m[1].str()));
            if (it != steps.end()) {
                out.insert("step " + std::to_string(it->second) + ": " + m[2].str());
            }
        } else {
            out.insert(c.what);
        }
    }
    return out;
}

Candidate causeCandidate(const causes::Cause& cause, Candidate::Kind kind) {
    Candidate c;
    c.kind = kind;
    c.name = cause.info.id;
    c.title = cause.info.title;
    c.source = cause.info.source;
    c.nextStep = cause.info.nextStep;
    return c;
}

/// The runs after the control: each cause the scenario holds taken away, each other cause
/// added, and, unless the correct agent already reproduces everything, each agent fault.
std::vector<Job> plan(const scenario::Scenario& s,
                      const AgentCommand& reference,
                      const std::vector<std::string>& faults,
                      Diagnosis& d) {
    std::vector<Job> jobs;
    const auto users = causes::involvedUsers(s);
    // When the scenario reproduces the evidence, another cause is tried alone, on the scenario
    // without the causes it holds: could it explain the evidence by itself?
    scenario::Scenario healthy = s;
    for (const auto& cause : causes::all()) {
        if (d.reproducedAsWritten && cause.present(s)) {
            cause.remove(healthy);
        }
    }
    for (const auto& cause : causes::all()) {
        if (cause.present(s)) {
            Job job{s, reference, causeCandidate(cause, Candidate::Kind::InScenario), false, {}};
            cause.remove(job.scenario);
            jobs.push_back(std::move(job));
            continue;
        }
        if (causes::established(s, cause.part)) {
            d.skipped.push_back(cause.info.id + " (the evidence shows the " + cause.part + ")");
            continue;
        }
        Job job{healthy, reference, causeCandidate(cause, Candidate::Kind::Added), false, {}};
        if (!cause.add(job.scenario, users)) {
            continue;  // nothing in the scenario it could apply to
        }
        jobs.push_back(std::move(job));
    }
    for (const auto& fault : d.reproducedAsWritten ? std::vector<std::string>() : faults) {
        Job job{s, reference, {}, false, {}};
        job.agent.argv.push_back("--bug");
        job.agent.argv.push_back(fault);
        job.agent.label = reference.label + " --bug " + fault;
        job.candidate.kind = Candidate::Kind::AgentFault;
        job.candidate.name = fault;
        job.candidate.title = "the agent is at fault: " + fault;
        job.candidate.source = "wblab-agent --list-bugs";
        job.candidate.nextStep =
            "A correct agent does not reproduce this; the agent under test does what this fault "
            "does: fix the agent (the failed checks name the criteria).";
        jobs.push_back(std::move(job));
    }
    return jobs;
}

void runJobs(std::vector<Job>& jobs, const RunOptions& options, std::ostream* progress) {
    std::atomic<std::size_t> next{0};
    std::mutex lock;
    auto worker = [&] {
        AgentSlot referenceSlot;
        for (std::size_t i = next++; i < jobs.size() && !processesStopped(); i = next++) {
            RunOptions o = options;
            o.agent = jobs[i].agent;
            const bool reference = jobs[i].candidate.kind != Candidate::Kind::AgentFault;
            AgentSlot own;
            AgentSlot& slot = reference ? referenceSlot : own;
            jobs[i].result = ScenarioRun(jobs[i].scenario, o, slot).run();
            slot.settleLater(jobs[i].result);  // what a kept agent sends or logs later
            if (progress != nullptr) {
                std::lock_guard guard(lock);
                *progress << "." << std::flush;
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
    if (progress != nullptr) {
        *progress << "\n";
    }
}

int rankOf(const Candidate& c) {
    const auto& all = documentedCauses();
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].id == c.name) {
            return static_cast<int>(i);
        }
    }
    return static_cast<int>(all.size());  // agent faults after the documented causes
}

/// Best first. When the scenario as written reproduces everything, the causes it holds come
/// first, by what is lost without them; then, and otherwise, the candidates by what they
/// reproduce. Among equals, the documented causes in catalog order, then the agent's faults.
void rank(Diagnosis& d) {
    std::erase_if(d.ranked, [&](const Candidate& c) {
        return c.kind == Candidate::Kind::InScenario &&
               (!d.reproducedAsWritten || c.lostWithout <= 0);
    });
    auto held = [](const Candidate& c) { return c.kind == Candidate::Kind::InScenario; };
    auto score = [](const Candidate& c) {
        return c.kind == Candidate::Kind::InScenario ? c.lostWithout : c.reproduced;
    };
    std::stable_sort(d.ranked.begin(), d.ranked.end(), [&](const Candidate& a, const Candidate& b) {
        if (held(a) != held(b)) {
            return held(a);
        }
        if (score(a) != score(b)) {
            return score(a) > score(b);
        }
        return rankOf(a) < rankOf(b);
    });
}

const char* kindText(Candidate::Kind kind) {
    switch (kind) {
        case Candidate::Kind::InScenario:
            return "in the scenario";
        case Candidate::Kind::Added:
            return "documented cause";
        case Candidate::Kind::AgentFault:
            return "agent fault";
        case Candidate::Kind::AsWritten:
            break;
    }
    return "as written";
}

std::string listed(const std::vector<std::string>& items, std::size_t most = 4) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < most; ++i) {
        out += (i ? "; " : "") + items[i];
    }
    if (items.size() > most) {
        out += "; and " + std::to_string(items.size() - most) + " more";
    }
    return out;
}

void printCandidate(const Candidate& c, std::size_t place, std::size_t total, std::ostream& out) {
    out << " " << place << ". [" << kindText(c.kind) << "] " << c.name << ": " << c.title << "\n";
    if (!c.problem.empty()) {
        out << "      could not run: " << c.problem << "\n";
        return;
    }
    if (c.kind == Candidate::Kind::InScenario) {
        out << "      without it " << c.lostWithout << " of " << total
            << " observations are lost: " << listed(c.missed) << "\n";
    } else {
        out << "      reproduces " << c.reproduced << " of " << total << " observations";
        out << (c.missed.empty() ? "" : "; not: " + listed(c.missed)) << "\n";
    }
    out << "      source: " << c.source << "\n"
        << "      next step: " << c.nextStep << "\n";
}

}  // namespace

const std::vector<CauseInfo>& documentedCauses() {
    static const std::vector<CauseInfo> infos = [] {
        std::vector<CauseInfo> out;
        for (const auto& c : causes::all()) {
            out.push_back(c.info);
        }
        return out;
    }();
    return infos;
}

Diagnosis diagnose(const scenario::Scenario& s,
                   const AgentCommand& reference,
                   const std::vector<std::string>& faults,
                   const RunOptions& options,
                   std::ostream* progress) {
    Diagnosis d;
    d.scenario = s.id;
    std::vector<Job> control = {{s, reference, {}, true, {}}};
    if (progress != nullptr) {
        *progress << "wblab diagnose: " << s.id << ": the scenario as written ";
    }
    runJobs(control, options, progress);
    const auto base = reproduced(control[0].result, stepMap(s, s));
    for (const auto& c : control[0].result.checks) {
        if (isObservation(c)) {
            d.observations.push_back(c.what);
        }
    }
    d.reproducedAsWritten = base.size() == d.observations.size() && !d.observations.empty();
    auto jobs = plan(s, reference, faults, d);
    if (progress != nullptr) {
        *progress << "wblab diagnose: " << jobs.size() << " candidate runs, " << options.jobs
                  << " at a time ";
    }
    runJobs(jobs, options, progress);
    d.interrupted = processesStopped();
    for (auto& job : jobs) {
        auto got = reproduced(job.result, stepMap(s, job.scenario));
        Candidate c = job.candidate;
        for (const auto& o : d.observations) {
            (got.count(o) ? c.matched : c.missed).push_back(o);
        }
        c.reproduced = static_cast<int>(c.matched.size());
        c.lostWithout = static_cast<int>(base.size()) - c.reproduced;
        if (job.result.verdict == report::Verdict::Unresolved ||
            job.result.verdict == report::Verdict::Unsupported) {
            c.problem =
                std::string(report::toString(job.result.verdict)) + ": " + job.result.message;
            c.reproduced = 0;
        }
        d.ranked.push_back(std::move(c));
    }
    rank(d);
    return d;
}

void printDiagnosis(const Diagnosis& d, std::ostream& out, std::size_t shown) {
    if (d.interrupted) {
        out << "wblab diagnose: interrupted; no ranking\n";
        return;
    }
    const std::size_t total = d.observations.size();
    out << "wblab diagnose: " << d.scenario << ": " << total << " observations from the evidence\n"
        << "  the scenario as written, with a correct agent, "
        << (d.reproducedAsWritten ? "reproduces all of them: the cause is in the scenario"
                                  : "does not reproduce them all: a cause must be added")
        << "\n";
    if (d.ranked.empty()) {
        out << "No documented cause and no agent fault reproduces more of the evidence.\n";
        return;
    }
    out << "Causes, best first:\n";
    std::vector<std::string> also;
    std::size_t place = 0;
    for (const auto& c : d.ranked) {
        // With the cause in the scenario, another cause that also reproduces everything is
        // only consistent with the evidence, not needed by it.
        const bool consistent = d.reproducedAsWritten && c.kind != Candidate::Kind::InScenario;
        if (consistent || place >= shown) {
            if (c.reproduced == static_cast<int>(total) && total > 0) {
                also.push_back(c.name);
            }
            continue;
        }
        printCandidate(c, ++place, total, out);
    }
    if (d.reproducedAsWritten) {
        out << "A correct agent reproduces the evidence: the agent's faults were not tried.\n";
    }
    if (!also.empty()) {
        out << (d.reproducedAsWritten ? "Would explain it alone, too: "
                                      : "Also reproduce all of it: ")
            << listed(also, 12) << "\n";
    }
    if (!d.skipped.empty()) {
        out << "Not tried, the evidence rules them out: " << listed(d.skipped, 12) << "\n";
    }
}

}  // namespace wblab::harness
