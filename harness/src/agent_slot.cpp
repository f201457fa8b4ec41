#include "agent_slot.hpp"

#include <wblab/scenario/catalog.hpp>

#include <set>

namespace wblab::harness {

namespace {

constexpr const char* kNeverLoggedWhat = "security: no password in the agent's log";

}  // namespace

report::CheckOutcome neverLoggedCheck(const std::vector<LogPart>& parts) {
    std::set<std::string> found;  // "label (form)", each once
    std::set<std::string> forms;
    for (const auto& part : parts) {
        for (const auto& f : part.findings) {
            found.insert(part.scanner->secrets()[f.secret].label);
            forms.insert(toString(f.form));
        }
    }
    std::string observed = "none";
    if (!found.empty()) {
        std::string which;
        for (const auto& label : found) {
            which += (which.empty() ? "" : ", ") + label;
        }
        std::string how;
        for (const auto& form : forms) {
            how += (how.empty() ? "" : ", ") + form;
        }
        observed = std::to_string(found.size()) + " password(s) found in the agent's stderr (" +
                   how + "): " + which;
    }
    return report::CheckOutcome{
        scenario::criteria::kNeverLogged, kNeverLoggedWhat, "none", observed, found.empty(), true};
}

std::vector<std::string> truncationWarnings(const std::vector<LogPart>& parts) {
    std::vector<std::string> out;
    for (const auto& part : parts) {
        if (part.truncated()) {
            out.push_back("the agent wrote " + std::to_string(part.bytes) +
                          " bytes to stderr; its log keeps the first " + std::to_string(part.kept) +
                          " (all of them were searched for passwords)");
        }
    }
    return out;
}

void amendNeverLogged(report::CaseResult& result, const std::vector<LogPart>& parts) {
    const auto check = neverLoggedCheck(parts);
    for (auto& c : result.checks) {
        if (c.criterion == check.criterion && c.what == check.what) {
            c = check;
        }
    }
    for (auto& w : truncationWarnings(parts)) {
        if (std::find(result.warnings.begin(), result.warnings.end(), w) == result.warnings.end()) {
            result.warnings.push_back(w);
        }
    }
    failIfPassed(result, check);
}

void failIfPassed(report::CaseResult& result, const report::CheckOutcome& check) {
    if (!check.passed && result.verdict == report::Verdict::Pass) {
        // What the agent wrote after its last answer (or at exit) fails the scenario after all.
        result.verdict = report::Verdict::Fail;
        result.message = "1 check(s) failed; first: [" + check.criterion + "] " + check.what +
                         ": expected " + check.expected + ", observed " + check.observed;
    }
}

std::string describeUnasked(const std::vector<std::string>& unasked) {
    std::string seen;
    for (const auto& u : unasked) {
        seen += (seen.empty() ? "" : "; ") + u;
    }
    return seen;
}

report::CheckOutcome unaskedCheck(const std::vector<std::string>& unasked) {
    const std::string seen = describeUnasked(unasked);
    return report::CheckOutcome{
        scenario::criteria::kAnswersInTime,
        "the agent sends nothing it was not asked for after its last answer",
        "nothing",
        seen.empty() ? "nothing" : seen,
        unasked.empty(),
        true};
}

void amendUnasked(report::CaseResult& result, const std::vector<std::string>& unasked) {
    result.timeline.push_back("agent: after its last answer: " + describeUnasked(unasked));
    const auto check = unaskedCheck(unasked);
    result.checks.push_back(check);
    failIfPassed(result, check);
}

AgentSlot::~AgentSlot() {
    close();
}

Expected<std::unique_ptr<AgentSession>> AgentSlot::take(const AgentConfig& config) {
    released_.reset();
    std::vector<Secret> own;
    if (config.logScanner) {
        for (const auto& s : config.logScanner->secrets()) {
            own.push_back({s.value, s.label + " of " + config.scenarioId});
        }
    }
    // The new hello is the fence: what the kept agent sends before its ready belongs to the
    // previous scenario, however late it comes, so nothing is waited out here.
    drainUntil_.reset();
    if (!idle_) {
        recordUnasked({});
    } else {
        std::unique_ptr<AgentSession> agent = std::move(idle_);
        AgentConfig kept = config;
        std::vector<std::shared_ptr<const SecretScanner>> parts{config.logScanner};
        parts.insert(parts.end(), served_.begin(), served_.end());
        kept.logScanner = SecretScanner::joined(parts);
        LogPart previous;
        std::vector<std::string> unasked;
        const auto ready = agent->rehandshake(kept, previous, unasked);
        recordUnasked(unasked);
        if (ready && unasked.empty()) {
            settle(previous);
            addGeneration(served_, std::move(own));
            return agent;
        }
        // It went away between scenarios or refused the hello: start afresh. What it wrote
        // until its end belongs to the previous scenario.
        agent->shutdown();
        if (awaiting_ && !previous.path.empty()) {
            otherParts_.push_back(previous);
        }
        settle(agent->finishLog());
    }
    served_.clear();
    addGeneration(served_, std::move(own));
    return AgentSession::start(config);
}

void AgentSlot::release(std::unique_ptr<AgentSession> agent, bool reuse) {
    released_.reset();
    if (agent && reuse && agent->reusable()) {
        idle_ = std::move(agent);
    } else if (agent) {
        agent->shutdown();
        released_ = agent->finishLog();
    }
}

std::optional<LogPart> AgentSlot::releasedLog() const {
    if (released_) {
        return released_;
    }
    if (idle_) {
        return idle_->logSoFar();
    }
    return std::nullopt;
}

void AgentSlot::expectSettlement(std::vector<LogPart> otherParts) {
    awaiting_ = true;
    otherParts_ = std::move(otherParts);
    target_ = nullptr;
    early_.reset();
}

void AgentSlot::expectDrain(Deadline until) {
    drainUntil_ = until;
    drainTarget_ = nullptr;
}

void AgentSlot::drainIdle() {
    if (!drainUntil_) {
        return;
    }
    const auto unasked = idle_ ? idle_->drainUnasked(*drainUntil_) : std::vector<std::string>{};
    drainUntil_.reset();
    recordUnasked(unasked);
}

void AgentSlot::recordUnasked(const std::vector<std::string>& unasked) {
    if (!unasked.empty()) {
        if (drainTarget_ != nullptr) {
            amendUnasked(*drainTarget_, unasked);
        } else {
            drainedEarly_ = unasked;
        }
    }
    drainTarget_ = nullptr;
}

void AgentSlot::settleLater(report::CaseResult& result) {
    if (drainUntil_) {
        drainTarget_ = &result;
    } else if (!drainedEarly_.empty()) {
        amendUnasked(result, drainedEarly_);
        drainedEarly_.clear();
    }
    if (!awaiting_) {
        return;
    }
    if (early_) {
        auto parts = otherParts_;
        parts.push_back(*early_);
        amendNeverLogged(result, parts);
        awaiting_ = false;
        early_.reset();
        return;
    }
    target_ = &result;
}

void AgentSlot::settle(const LogPart& part) {
    if (!awaiting_) {
        return;
    }
    if (target_ == nullptr) {
        early_ = part;
        return;
    }
    auto parts = otherParts_;
    parts.push_back(part);
    amendNeverLogged(*target_, parts);
    awaiting_ = false;
    target_ = nullptr;
}

void AgentSlot::close() {
    drainIdle();
    if (idle_) {
        idle_->shutdown();
        settle(idle_->finishLog());
        idle_.reset();
    }
}

}  // namespace wblab::harness
