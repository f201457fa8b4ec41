// The checks every scenario gets (passwords sealed, none in the agent's log) and its end
// expectations (the directory's truth, the riskyUsers).
#include "scenario_run.hpp"

#include <wblab/scenario/catalog.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/secrets.hpp>

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
            if (run.outOfTime("during the end checks")) {
                return;
            }
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

void checkSecurity(ScenarioRun& run, bool sentPlaintext, const std::vector<LogPart>& logs) {
    run.check(scenario::criteria::kEncryptedInTransit,
              "security: passwords sealed to the agent's key",
              "sealed",
              sentPlaintext ? "sent in clear (the agent declared plaintext)" : "sealed",
              !sentPlaintext);
    // Every part of every agent log, searched whole as it was written: plain, escaped, base64,
    // hex and UTF-16 forms, the connector's password too.
    const auto check = neverLoggedCheck(logs);
    run.check(check.criterion, check.what, check.expected, check.observed, check.passed);
    for (const auto& warning : truncationWarnings(logs)) {
        run.warn(warning);
    }
}

std::vector<Secret> labelledSecrets(const scenario::Scenario& s,
                                    const std::string& connectorPassword) {
    std::vector<Secret> out;
    for (const auto& u : s.onprem.users) {
        out.push_back({u.password, "the seeded password of " + u.sam});
    }
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        const std::string step = " of step " + std::to_string(i + 1);
        std::visit(
            [&](const auto& a) {
                if constexpr (requires { a.newPassword; }) {
                    out.push_back({a.newPassword, "the new password" + step});
                }
                if constexpr (requires { a.oldPassword; }) {
                    out.push_back({a.oldPassword, "the old password" + step});
                }
                if constexpr (requires { a.password; }) {
                    out.push_back({a.password, "the password" + step});
                }
                if constexpr (requires { a.passwords; }) {
                    for (const auto& pw : a.passwords) {
                        out.push_back({pw, "a leaked password" + step});
                    }
                }
            },
            s.steps[i].action);
    }
    for (const auto& secret : s.secrets()) {
        out.push_back({secret, "a password of expect.directory"});
    }
    out.push_back({connectorPassword, "the connector's password"});
    return out;
}

void redactResult(report::CaseResult& result) {
    report::redactCase(result);
}

void checkDirectoryExpectations(ScenarioRun& run) {
    for (const auto& d : run.scenario().expectDirectory) {
        if (run.outOfTime("during the end checks")) {
            return;
        }
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
