// `wblab explain`: a scenario in plain words, for a person deciding what it covers. Every
// expectation shows the criterion it is evidence for. Passwords are named by role, never printed.
#include <wblab/scenario/loader.hpp>

#include <ostream>
#include <sstream>

namespace wblab::scenario {

namespace {

/// What the agent meets over ldaps when the certificate is not the trusted one.
std::string tlsCertificateText(TlsCertificate certificate) {
    switch (certificate) {
        case TlsCertificate::Trusted:
            return std::string();
        case TlsCertificate::OtherCa:
            return " (its certificate signed by a CA the agent was not given)";
        case TlsCertificate::OtherHost:
            return " (its certificate for another host name)";
    }
    return std::string();
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ", ") + item;
    }
    return out.empty() ? "-" : out;
}

template <typename Enum>
std::string joinNames(const std::vector<Enum>& values) {
    std::vector<std::string> names;
    for (auto v : values) {
        names.emplace_back(toString(v));
    }
    return join(names);
}

std::string seconds(std::int64_t s) {
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

std::string detectionText(const Detection& d) {
    return std::string("a ") + sim::toString(d.level) + " " + sim::toString(d.type) + " detection";
}

/// One sentence per kind of step.
struct Describe {
    std::string operator()(const SsprReset& s) const {
        std::string timing;
        if (s.timing) {
            timing = s.timing->codeEnteredAfterSeconds >= 0
                         ? ", enters the one-time code after " +
                               seconds(s.timing->codeEnteredAfterSeconds)
                         : std::string();
            timing += ", submits " + seconds(s.timing->submittedAfterSeconds) +
                      " after starting (the lab clock moves as much)";
        }
        return s.user + " resets the password at the SSPR portal" +
               (s.unlock ? " (and unlocks)" : "") + timing;
    }

    std::string operator()(const SsprChange& s) const {
        return s.user + " changes the password, giving the current one";
    }

    std::string operator()(const ForcedChange& s) const {
        return s.user + " is made to change the password at sign-in";
    }

    std::string operator()(const AdminReset& s) const {
        return (s.by.empty() ? std::string("an admin") : s.by) + " resets " + s.user +
               "'s password in the admin center" +
               (s.mustChange ? ", must change at next sign-in" : "");
    }

    std::string operator()(const Unlock& s) const {
        return s.user + " unlocks the account without a reset";
    }

    std::string operator()(const GraphReset& s) const {
        return s.caller + " resets " + s.user +
               "'s password through Graph resetPassword and polls the operation";
    }

    std::string operator()(const SignIn& s) const {
        return s.user + " signs in" +
               (s.detection ? " with " + detectionText(*s.detection) : std::string()) +
               (s.newPassword.empty() ? "" : ", ready to change the password");
    }

    std::string operator()(const Replay& s) const {
        return "the relay sends step " + std::to_string(s.step) + "'s request again";
    }

    std::string operator()(const Release& s) const {
        return "the relay delivers the request it held at step " + std::to_string(s.step);
    }

    std::string operator()(const Advance& s) const {
        return "the lab clock moves " + seconds(s.seconds) + " forward";
    }

    std::string operator()(const Fault& s) const {
        return std::string("fault: ") + toString(s.kind);
    }

    std::string operator()(const NewSession& s) const {
        return std::string("the lab starts a new session with the agent (a new hello") +
               (s.restartRequestIds ? "; the cloud numbers its requests from the start again)"
                                    : ")");
    }

    std::string operator()(const UnsupportedReset& s) const {
        return "an admin resets " + s.user + "'s password through " + sim::toString(s.path) +
               " (a path that does not write back)";
    }

    std::string operator()(const Sync& s) const {
        return std::string("a sync cycle runs now (") + toString(s.kind) + ")";
    }

    std::string operator()(const OnPremChange& s) const {
        return s.sam + " changes the password on-premises (Ctrl+Alt+Del)";
    }

    std::string operator()(const OnPremDisable& s) const {
        return "an admin disables " + s.sam + " on-premises";
    }

    std::string operator()(const OnPremDelete& s) const {
        return "an admin deletes " + s.sam + " on-premises";
    }

    std::string operator()(const RiskDetection& s) const {
        return "Identity Protection raises " + detectionText(s.detection) + " for " + s.user;
    }

    std::string operator()(const LeakedCredentials& s) const {
        return std::to_string(s.passwords.size()) +
               " leaked password(s) are matched against hash-synced passwords";
    }

    std::string operator()(const DismissRisk& s) const {
        return "an admin dismisses " + s.user + "'s risk";
    }

    std::string operator()(const ConfirmCompromised& s) const {
        return "an admin confirms " + s.user + " compromised";
    }

    std::string operator()(const Register& s) const {
        return s.user + " registers " + joinNames(s.methods);
    }

    std::string operator()(const TenantChange& s) const {
        return "an admin changes the tenant: " + join(s.changed);
    }
};

std::string relayText(const Step& step) {
    std::string out;
    if (step.during) {
        out += "; while it is in flight: " +
               (step.during->kind == During::Kind::ConfirmCompromised
                    ? std::string("an admin confirms the user compromised")
                    : detectionText(step.during->detection));
    }
    switch (step.relay.mode) {
        case RelayMode::Drop:
            out += "; the relay drops it";
            break;
        case RelayMode::Duplicate:
            out += "; the relay delivers it twice";
            break;
        case RelayMode::Hold:
            out += "; the relay holds it until released";
            break;
        case RelayMode::Deliver:
            break;
    }
    if (step.relay.delaySeconds > 0) {
        out += "; the relay holds it " + seconds(step.relay.delaySeconds);
    }
    return out;
}

template <typename T>
void expectLine(std::ostream& out,
                const std::optional<Expectation<T>>& e,
                const std::string& text) {
    if (e) {
        out << "     expect: " << text << "  [" << e->criterion << "]\n";
    }
}

std::string riskText(const RiskExpect& r) {
    auto field = [](const auto& e, const char* any) -> std::string {
        return e ? sim::toString(e->value) : any;
    };
    std::string criteria;
    for (const std::string* c : {r.state ? &r.state->criterion : nullptr,
                                 r.detail ? &r.detail->criterion : nullptr,
                                 r.level ? &r.level->criterion : nullptr}) {
        if (c != nullptr && criteria.find(*c) == std::string::npos) {
            criteria += (criteria.empty() ? "" : ", ") + *c;
        }
    }
    return r.user + "'s risk " + field(r.state, "(any state)") + " / " +
           field(r.detail, "(any detail)") + " / level " + field(r.level, "(any)") + "  [" +
           criteria + "]";
}

void explainExpect(const StepExpect& e, std::ostream& out) {
    expectLine(out,
               e.outcome,
               e.outcome ? std::string("the user sees ") + sim::toString(e.outcome->value) : "");
    expectLine(out,
               e.requestSent,
               e.requestSent && e.requestSent->value ? "a writeback request is sent"
                                                     : "no writeback request is sent");
    if (e.events) {
        std::vector<std::string> ids;
        for (int id : e.events->value) {
            ids.push_back(std::to_string(id));
        }
        expectLine(out,
                   e.events,
                   ids.empty() ? "the agent logs nothing (or gets no request)"
                               : "the agent logs " + join(ids));
    }
    auto idsOf = [](const std::vector<int>& values) {
        std::vector<std::string> ids;
        for (int id : values) {
            ids.push_back(std::to_string(id));
        }
        return join(ids);
    };
    expectLine(
        out,
        e.eventsInclude,
        e.eventsInclude ? "the agent's events include " + idsOf(e.eventsInclude->value) : "");
    expectLine(out,
               e.eventsExclude,
               e.eventsExclude
                   ? "the agent's events include none of " + idsOf(e.eventsExclude->value)
                   : "");
    expectLine(out,
               e.dismissed,
               e.dismissed && e.dismissed->value ? "the cloud dismisses the risk"
                                                 : "the cloud refuses to dismiss the risk");
    expectLine(
        out, e.reason, e.reason ? "the agent's reason " + std::to_string(e.reason->value) : "");
    expectLine(out,
               e.signIn,
               e.signIn ? std::string("the sign-in ends ") + sim::toString(e.signIn->value) : "");
    expectLine(
        out, e.httpStatus, e.httpStatus ? "HTTP " + std::to_string(e.httpStatus->value) : "");
    expectLine(
        out,
        e.operation,
        e.operation ? std::string("the operation ends ") + sim::toString(e.operation->value) : "");
    expectLine(out,
               e.leakedMatches,
               e.leakedMatches
                   ? std::to_string(e.leakedMatches->value) + " leaked-credential match(es)"
                   : "");
    if (e.audit) {
        const auto& a = e.audit->value;
        expectLine(
            out,
            e.audit,
            "audit '" + a.activity + "'" +
                (a.success ? std::string(" with result ") + (*a.success ? "success" : "failure")
                           : std::string()));
    }
    if (e.risk) {
        out << "     expect: " << riskText(*e.risk) << "\n";
    }
}

void explainUsers(const Scenario& s, std::ostream& out) {
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
}

void explainSetup(const Scenario& s, std::ostream& out) {
    std::vector<std::string> requires_;
    for (auto c : s.requires_) {
        requires_.emplace_back(toString(c));
    }
    out << s.id << ": " << s.title << "\n";
    if (!s.symptom.empty()) {
        out << "  symptom   " << s.symptom << "\n";
    }
    out << "  file      " << s.file << "\n"
        << "  criteria  " << join(s.criteria) << "\n"
        << "  tags      " << join(s.tags) << "\n"
        << "  requires  " << join(requires_) << "\n";
    if (!s.established.empty()) {
        out << "  evidence  established " << join(s.established)
            << " (wblab diagnose keeps them as they are)\n";
    }
    if (!s.directoryNeeds.empty()) {
        std::vector<std::string> needs;
        for (auto n : s.directoryNeeds) {
            needs.emplace_back(toString(n));
        }
        out << "  directory " << join(needs) << " (as AD; unsupported where a flavour differs)\n";
    }
    out << "Tenant: SSPR " << sim::toString(s.tenant.sspr)
        << (s.tenant.ssprGroup.empty() ? "" : " (group " + s.tenant.ssprGroup + ")")
        << ", writeback " << (s.tenant.writeback ? "on" : "off") << ", " << s.tenant.methodsRequired
        << " method(s) required, unlock without reset "
        << (s.tenant.unlockWithoutReset ? "on" : "off") << ", gate order "
        << sim::toString(s.tenant.gateOrder)
        << (s.tenant.allowedToUseSspr ? "" : ", admins may not use SSPR") << "\n";
    out << "Directory " << s.onprem.baseDn << (s.onprem.tls ? " over ldaps" : "")
        << tlsCertificateText(s.onprem.tlsCertificate) << ": " << policyText(s.onprem.policy)
        << "\n";
    for (const auto& pso : s.onprem.fineGrainedPolicies) {
        out << "  fine-grained policy '" << pso.name << "' for " << join(pso.users) << ": "
            << policyText(pso.policy) << "\n";
    }
    explainUsers(s, out);
}

void explainDirectory(const DirectoryExpect& d, std::ostream& out) {
    out << "  " << d.user << ":\n";
    if (d.binds) {
        out << "     " << d.binds->value.size() << " password(s) must bind  [" << d.binds->criterion
            << "]\n";
    }
    if (d.rejects) {
        out << "     " << d.rejects->value.size() << " password(s) must not bind  ["
            << d.rejects->criterion << "]\n";
    }
    if (d.locked) {
        out << "     " << (d.locked->value ? "locked" : "not locked") << "  ["
            << d.locked->criterion << "]\n";
    }
    if (d.mustChange) {
        out << "     " << (d.mustChange->value ? "must change" : "need not change") << "  ["
            << d.mustChange->criterion << "]\n";
    }
}

}  // namespace

void explainScenario(const Scenario& s, std::ostream& out) {
    explainSetup(s, out);
    out << "Steps:\n";
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        const auto& step = s.steps[i];
        out << "  " << (i + 1) << ". " << std::visit(Describe{}, step.action) << relayText(step)
            << "\n";
        explainExpect(step.expect, out);
    }
    for (const auto& r : s.expectRisk) {
        out << "Afterwards, " << riskText(r) << "\n";
    }
    if (!s.expectDirectory.empty()) {
        out << "Afterwards, in the directory:\n";
        for (const auto& d : s.expectDirectory) {
            explainDirectory(d, out);
        }
    }
    for (const auto& iso : s.isolates) {
        out << "Tests alone: " << iso.behaviour << "  [" << iso.criterion << "] (fails under --bug "
            << iso.fault << ")\n";
    }
    out << "Always checked by the harness: passwords sealed [sec-encrypted-in-transit], none in "
           "the agent's log [sec-never-logged], every request answered in time "
           "[wb-answers-in-time], the cloud's outcome matching the directory [wb-convergence].\n";
}

}  // namespace wblab::scenario
