// `wblab explain`: a scenario in plain words, for a person deciding what it covers. Passwords are
// named by role, never printed.
#include "fault_steps.hpp"

#include <wblab/harness/scenario.hpp>

#include <ostream>
#include <sstream>

namespace wblab::harness {

namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ", ") + item;
    }
    return out.empty() ? "-" : out;
}

std::string seconds(int s) {
    if (s != 0 && s % 86400 == 0) {
        return std::to_string(s / 86400) + "d";
    }
    if (s != 0 && s % 3600 == 0) {
        return std::to_string(s / 3600) + "h";
    }
    if (s != 0 && s % 60 == 0) {
        return std::to_string(s / 60) + "m";
    }
    return std::to_string(s) + "s";
}

std::string policyText(const PolicySpec& p) {
    std::ostringstream out;
    out << "min length " << p.minLength << ", complexity " << (p.complexity ? "on" : "off")
        << ", history " << p.history << ", min age " << seconds(p.minAgeSeconds) << ", max age "
        << (p.maxAgeSeconds == 0 ? "never" : seconds(p.maxAgeSeconds)) << ", lockout "
        << (p.lockoutThreshold == 0
                ? std::string("off")
                : "after " + std::to_string(p.lockoutThreshold) + " bad passwords for " +
                      seconds(p.lockoutDurationSeconds));
    return out.str();
}

}  // namespace

void explainScenario(const Scenario& s, std::ostream& out) {
    out << s.id << ": " << s.title << "\n"
        << "  file      " << s.file << "\n"
        << "  criteria  " << join(s.criteria) << "\n"
        << "  tags      " << join(s.tags) << "\n"
        << "  requires  " << join(s.requires_) << "\n"
        << "Tenant: SSPR " << s.tenant.sspr
        << (s.tenant.ssprGroup.empty() ? "" : " (group " + s.tenant.ssprGroup + ")")
        << ", writeback " << (s.tenant.writeback ? "on" : "off") << ", " << s.tenant.methodsRequired
        << " method(s) required, unlock without reset "
        << (s.tenant.unlockWithoutReset ? "on" : "off") << "\n";
    out << "Directory " << s.onprem.baseDn << (s.onprem.tls ? " over ldaps" : "") << ": "
        << policyText(s.onprem.policy) << "\n";
    for (const auto& pso : s.onprem.fineGrainedPolicies) {
        out << "  fine-grained policy '" << pso.name << "' for " << join(pso.users) << ": "
            << policyText(pso.policy) << "\n";
    }
    for (const auto& u : s.onprem.users) {
        std::vector<std::string> states;
        const std::pair<bool, const char*> flags[] = {
            {u.locked, "locked"},
            {u.mustChange, "must change password"},
            {u.disabled, "disabled"},
            {u.passwordNeverExpires, "password never expires"},
            {u.protectedAccount, "protected (adminCount=1)"},
            {u.cannotChangePassword, "cannot change password"},
            {!u.licensed, "no P1/P2 licence"}};
        for (const auto& [on, text] : flags) {
            if (on) {
                states.emplace_back(text);
            }
        }
        if (!u.adminRoles.empty()) {
            states.push_back("admin: " + join(u.adminRoles));
        }
        out << "  user " << u.sam << " signs in as " << u.signInName()
            << (states.empty() ? "" : " (" + join(states) + ")") << "\n";
    }
    out << "Steps:\n";
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        const auto& step = s.steps[i];
        out << "  " << (i + 1) << ". ";
        switch (step.kind) {
            case Step::Kind::SsprReset:
                out << step.user << " resets the password at the SSPR portal"
                    << (step.unlock ? " (and unlocks)" : "");
                break;
            case Step::Kind::SsprChange:
                out << step.user << " changes the password, giving the current one";
                break;
            case Step::Kind::ForcedChange:
                out << step.user << " is made to change the password at sign-in";
                break;
            case Step::Kind::AdminReset:
                out << "an admin resets " << step.user << "'s password"
                    << (step.mustChange ? ", must change at next sign-in" : "");
                break;
            case Step::Kind::Unlock:
                out << step.user << " unlocks the account without a reset";
                break;
            case Step::Kind::Advance:
                out << "the lab clock moves " << seconds(step.advanceSeconds) << " forward";
                break;
            case Step::Kind::Replay:
                out << "the relay sends step " << step.replayOf << "'s request again";
                break;
            case Step::Kind::GraphReset:
                out << step.caller << " resets " << step.user
                    << "'s password through Graph resetPassword and polls the operation";
                break;
            case Step::Kind::UnsupportedReset:
                out << "an admin resets " << step.user << "'s password through " << step.path
                    << " (a path that does not write back)";
                break;
            case Step::Kind::Sync:
                out << "a sync cycle runs now (" << step.syncKind << ")";
                break;
            case Step::Kind::OnPremChange:
                out << step.user << " changes the password on-premises (Ctrl+Alt+Del)";
                break;
            case Step::Kind::OnPremDelete:
                out << "an admin deletes " << step.user << " on-premises";
                break;
            case Step::Kind::OnPremDisable:
                out << "an admin disables " << step.user << " on-premises";
                break;
            case Step::Kind::RiskDetection:
                out << "Identity Protection detects " << step.detectionType << " ("
                    << step.detectionLevel << ") for " << step.user;
                break;
            case Step::Kind::LeakedCredentials:
                out << step.leakedPasswords.size()
                    << " leaked password(s) are matched against hash-synced passwords";
                break;
            case Step::Kind::SignIn:
                out << step.user << " signs in"
                    << (step.detectionType.empty() ? ""
                                                   : " with a " + step.detectionLevel + " " +
                                                         step.detectionType + " detection")
                    << (step.newPassword.empty() ? "" : ", ready to change the password");
                break;
            case Step::Kind::DismissRisk:
                out << "an admin dismisses " << step.user << "'s risk";
                break;
            case Step::Kind::ConfirmCompromised:
                out << "an admin confirms " << step.user << " compromised";
                break;
            case Step::Kind::Register:
                out << step.user << " registers " << join(step.methods);
                break;
            case Step::Kind::Fault:
                out << "fault: " << toString(step.fault);
                break;
            case Step::Kind::Release:
                out << "the relay delivers the request it held at step " << step.releaseOf;
                break;
        }
        if (!step.during.empty()) {
            out << "; while it is in flight: "
                << (step.during == "confirm_compromised"
                        ? std::string("an admin confirms the user compromised")
                        : "a " + step.duringLevel + " " + step.duringType + " detection");
        }
        if (step.relay != Step::Relay::Deliver) {
            out << (step.relay == Step::Relay::Drop        ? "; the relay drops it"
                    : step.relay == Step::Relay::Duplicate ? "; the relay delivers it twice"
                                                           : "; the relay holds it until released");
        }
        if (step.relayDelaySeconds > 0) {
            out << "; the relay holds it " << seconds(step.relayDelaySeconds);
        }
        out << "\n";
        const auto& e = step.expect;
        if (e.outcome) {
            out << "     expect: the user sees " << *e.outcome << "\n";
        }
        if (e.events) {
            std::vector<std::string> ids;
            for (int id : *e.events) {
                ids.push_back(std::to_string(id));
            }
            out << "     expect: the agent logs " << join(ids) << "\n";
        }
        if (e.signIn) {
            out << "     expect: the sign-in ends " << *e.signIn << "\n";
        }
        if (e.httpStatus) {
            out << "     expect: HTTP " << *e.httpStatus << "\n";
        }
        if (e.operation) {
            out << "     expect: the operation ends " << *e.operation << "\n";
        }
        if (e.risk) {
            out << "     expect: " << e.risk->user << "'s risk "
                << e.risk->state.value_or("(any state)") << " / "
                << e.risk->detail.value_or("(any detail)") << " / level "
                << e.risk->level.value_or("(any)") << "\n";
        }
        if (e.audit) {
            out << "     expect: audit '" << e.audit->activity << "'"
                << (e.audit->result ? " with result " + *e.audit->result : "") << "\n";
        }
    }
    for (const auto& r : s.expectRisk) {
        out << "Afterwards, " << r.user << "'s risk: " << r.state.value_or("(any state)") << " / "
            << r.detail.value_or("(any detail)") << " / level " << r.level.value_or("(any)")
            << "\n";
    }
    if (!s.expectDirectory.empty()) {
        out << "Afterwards, in the directory:\n";
        for (const auto& d : s.expectDirectory) {
            out << "  " << d.user << ": " << d.binds.size() << " password(s) must bind, "
                << d.rejects.size() << " must not";
            if (d.locked) {
                out << ", " << (*d.locked ? "locked" : "not locked");
            }
            if (d.mustChange) {
                out << ", " << (*d.mustChange ? "must change" : "need not change");
            }
            out << "\n";
        }
    }
}

}  // namespace wblab::harness
