// The checks every scenario gets (passwords sealed, none in the agent's log) and its end
// expectations (the directory's truth, the riskyUsers).
#include "scenario_run.hpp"

#include <wblab/scenario/catalog.hpp>
#include <wblab/support/files.hpp>

namespace wblab::harness {

namespace {

std::string yesNo(bool b) {
    return b ? "yes" : "no";
}

/// A password named by its role among the scenario's passwords, so that reports can say which
/// without printing it.
std::string credentialLabel(const scenario::Scenario& s,
                            const std::string& sam,
                            const std::string& pw) {
    if (const auto* user = s.userWithSam(sam); user && user->password == pw) {
        return "the seeded password";
    }
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        const bool isNew = std::visit(
            [&](const auto& a) {
                if constexpr (requires { a.newPassword; }) {
                    return a.newPassword == pw;
                } else {
                    return false;
                }
            },
            s.steps[i].action);
        if (isNew) {
            return "the new password of step " + std::to_string(i + 1);
        }
    }
    return "a password";
}

/// One observation of the directory, checked against an expectation.
void observe(ScenarioRun& run,
             const std::string& criterion,
             const std::string& what,
             const Expected<bool>& observed,
             bool want) {
    const std::string seen =
        observed ? yesNo(*observed) : "could not observe: " + observed.error().message;
    run.check(criterion, what, yesNo(want), seen, observed && *observed == want);
    run.timeline("directory: " + what + ": " + seen);
}

void checkOneUser(ScenarioRun& run, const scenario::DirectoryExpect& d) {
    const std::string dn = run.directory().userDn(d.user);
    const auto& s = run.scenario();
    auto passwords = [&](const auto& expectation, bool binds) {
        if (!expectation) {
            return;
        }
        for (const auto& pw : expectation->value) {
            observe(run,
                    expectation->criterion,
                    d.user + ": " + credentialLabel(s, d.user, pw) + " binds",
                    run.probe().passwordWorks(dn, pw),
                    binds);
        }
    };
    passwords(d.binds, true);
    passwords(d.rejects, false);
    if (d.locked) {
        observe(run,
                d.locked->criterion,
                d.user + ": locked",
                run.probe().isLocked(dn),
                d.locked->value);
    }
    if (d.mustChange) {
        observe(run,
                d.mustChange->criterion,
                d.user + ": must change password",
                run.probe().mustChangePassword(dn),
                d.mustChange->value);
    }
}

}  // namespace

void checkSecurity(ScenarioRun& run, bool sentPlaintext, const std::vector<std::string>& logs) {
    run.check(scenario::criteria::kEncryptedInTransit,
              "security: passwords sealed to the agent's key",
              "sealed",
              sentPlaintext ? "sent in clear (the agent declared plaintext)" : "sealed",
              !sentPlaintext);
    int leaked = 0;
    const auto secrets = run.scenario().secrets();
    for (const auto& agentLog : logs) {
        auto log = readFile(agentLog);
        if (!log) {
            continue;
        }
        for (const auto& secret : secrets) {
            leaked += log->find(secret) != std::string::npos ? 1 : 0;
        }
    }
    run.check(scenario::criteria::kNeverLogged,
              "security: no password in the agent's log",
              "none",
              leaked == 0 ? "none" : std::to_string(leaked) + " password(s) found in agent.stderr",
              leaked == 0);
}

void checkDirectoryExpectations(ScenarioRun& run) {
    for (const auto& d : run.scenario().expectDirectory) {
        checkOneUser(run, d);
    }
}

void checkRiskExpectation(ScenarioRun& run,
                          const std::string& prefix,
                          const scenario::RiskExpect& e) {
    const auto risky = run.cloud().riskOf(e.user);
    const std::string name = prefix + e.user + " risk";
    auto compare = [&](const char* field, const auto& want, auto got) {
        if (want) {
            run.check(want->criterion,
                      name + " " + field,
                      sim::toString(want->value),
                      sim::toString(got),
                      want->value == got);
        }
    };
    compare("level", e.level, risky.level);
    compare("state", e.state, risky.state);
    compare("detail", e.detail, risky.detail);
}

}  // namespace wblab::harness
