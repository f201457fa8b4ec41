// Passwords and account state in the draft (draft.hpp). No password is ever in the evidence:
// each is a placeholder the engineer may replace, chosen so that the draft behaves as the
// evidence says. A step the evidence shows accepted gets a fresh password that meets the
// policy; a step refused by the on-premises policy (33008) gets one the policy the evidence
// shows refuses: too young (minimum age), in the history, containing the user's name
// (complexity), or too short. The account's state at the first step comes from the export's
// pwdLastSet and lockoutTime (the export is taken after the incident, so later values are
// checked as the end state instead).
#include "draft.hpp"

#include <algorithm>
#include <cctype>

namespace wblab::evidence::detail {

namespace {

const char* const kWords[] = {"Amber",   "Birch",  "Cedar",  "Delta",  "Ember",
                              "Fjord",   "Grove",  "Harbor", "Indigo", "Juniper",
                              "Kestrel", "Lumen",  "Meadow", "Nimbus", "Orchid",
                              "Pebble",  "Quartz", "Raven",  "Summit", "Tundra"};

bool containsName(const std::string& password, const scenario::UserSpec& u) {
    const std::string p = lower(password);
    for (const auto& t : u.nameTokensRefusedInPassword()) {
        if (p.find(t) != std::string::npos) {
            return true;
        }
    }
    return false;
}

struct Account {
    std::vector<std::string> passwords;  ///< the seed first, then each accepted one
    std::optional<std::int64_t> lastSet;
};

class Placeholders {
public:
    explicit Placeholders(Builder& b) : b_(b) {}

    std::string fresh(const scenario::UserSpec& u, const char* role) {
        const auto& policy = policyOf(b_.s, u.sam);
        for (std::size_t i = 0;; ++i) {
            const std::string word = kWords[(next_ + i) % std::size(kWords)];
            std::string p =
                std::string("Fill-In-") + role + "-" + word + "-" + std::to_string(next_ + 1) + "!";
            while (static_cast<int>(p.size()) < policy.minLength) {
                p += "x";
            }
            if (!containsName(p, u) || i > std::size(kWords)) {
                ++next_;
                return p;
            }
        }
    }

    /// A password the user's policy refuses now, and why; empty when none can be chosen.
    std::pair<std::string, std::string> refused(const scenario::UserSpec& u,
                                                const Account& account,
                                                std::int64_t now) {
        const auto& p = policyOf(b_.s, u.sam);
        if (p.minAgeSeconds > 0 && account.lastSet && now - *account.lastSet < p.minAgeSeconds) {
            return {fresh(u, "New"), "the password was set less than the minimum age ago"};
        }
        if (p.history > 0 && !account.passwords.empty()) {
            const auto& list = account.passwords;
            const std::size_t pick = list.size() >= 2 ? list.size() - 2 : list.size() - 1;
            return {list[pick],
                    "a password of the history (" + std::to_string(p.history) + " remembered)"};
        }
        const auto tokens = u.nameTokensRefusedInPassword();
        if (p.complexity && !tokens.empty()) {
            std::string t = tokens.back();
            t[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
            return {t + "-Fill-In-" + std::to_string(++next_) + "!",
                    "it contains the user's name (complexity)"};
        }
        if (p.minLength > 6) {
            return {std::string("Fi1-In-Short")
                        .substr(0, static_cast<std::size_t>(std::max(6, p.minLength - 1))),
                    "shorter than " + std::to_string(p.minLength) + " characters"};
        }
        return {};
    }

private:
    Builder& b_;
    std::size_t next_ = 0;
};

bool accepted(const Op& op) {
    if (op.outcome) {
        return *op.outcome == sim::Outcome::Success ||
               *op.outcome == sim::Outcome::OnPremisesSuccessCloudFailure;
    }
    for (const auto* e : op.events) {
        if (e->id == 31002 || e->id == 31007 || e->id == 31010) {
            return true;
        }
    }
    return op.kind == OpKind::OnPremChange;
}

}  // namespace

const scenario::PolicySpec& policyOf(const scenario::Scenario& s, const std::string& sam) {
    for (const auto& pso : s.onprem.fineGrainedPolicies) {
        if (std::find(pso.users.begin(), pso.users.end(), sam) != pso.users.end()) {
            return pso.policy;
        }
    }
    return s.onprem.policy;
}

bool meetsComplexity(const std::string& password, const scenario::UserSpec& user) {
    return !containsName(password, user);
}

void seedAccount(Builder& b, scenario::UserSpec& u, std::int64_t firstStep, Placeholders& names) {
    const std::string key = "onprem.users." + u.sam;
    u.password = names.fresh(u, "Seed");
    b.notes.after[key + ".password"] = "placeholder: the password the user had before step 1";
    const auto& f = b.facts[u.sam];
    const auto& policy = policyOf(b.s, u.sam);
    if (f.lockoutTime && *f.lockoutTime > 0 && *f.lockoutTime < firstStep &&
        (policy.lockoutDurationSeconds == 0 ||
         *f.lockoutTime + policy.lockoutDurationSeconds > firstStep)) {
        u.locked = true;
        b.notes.after[key + ".locked"] =
            Builder::cite({f.entry->where.file, f.entry->lineOf("lockoutTime"), 0}) +
            " lockoutTime " + formatUtc(*f.lockoutTime) + ", before step 1";
    }
    if (f.pwdLastSet && *f.pwdLastSet > 0 && *f.pwdLastSet < firstStep) {
        u.passwordAgeSeconds = firstStep - *f.pwdLastSet;
        b.notes.after[key + ".password_age"] =
            Builder::cite({f.entry->where.file, f.entry->lineOf("pwdLastSet"), 0}) +
            " pwdLastSet " + formatUtc(*f.pwdLastSet);
    } else if (policy.minAgeSeconds > 0) {
        // Set during the incident: old enough at step 1 for the minimum age, as it evidently was.
        u.passwordAgeSeconds = policy.minAgeSeconds + 86400;
        b.notes.after[key + ".password_age"] =
            "older than the minimum age at step 1 (pwdLastSet is later)";
    }
}

void draftAccounts(Builder& b, std::int64_t firstStep) {
    Placeholders names(b);
    std::map<std::string, Account> accounts;
    for (auto& u : b.s.onprem.users) {
        seedAccount(b, u, firstStep, names);
        accounts[u.sam].passwords.push_back(u.password);
        if (u.passwordAgeSeconds > 0) {
            accounts[u.sam].lastSet = firstStep - u.passwordAgeSeconds;
        }
    }
    std::set<std::string> seen;
    for (auto& op : b.ops) {
        auto* u = b.userBySam(op.user);
        if (u == nullptr) {
            continue;
        }
        auto& account = accounts[op.user];
        const bool locked = std::any_of(
            op.events.begin(), op.events.end(), [](const AgentEvent* e) { return e->id == 33006; });
        const bool first = seen.insert(op.user).second;
        if (locked && first && !u->locked && op.kind == OpKind::Change) {
            u->locked = true;
            b.notes.after["onprem.users." + u->sam + ".locked"] =
                "locked out at the user's first operation (" +
                Builder::cite(op.events.back()->where) + ": 33006)";
        }
        op.oldPassword = account.passwords.back();
        if (op.outcome == sim::Outcome::OnPremisesPolicyViolation) {
            auto [password, why] = names.refused(*u, account, op.time);
            if (password.empty()) {
                b.remarks.push_back("step for " + u->sam +
                                    " was refused by the policy, but the "
                                    "policy in the evidence refuses no password wblab can choose; "
                                    "put the customer's password pattern in");
                password = names.fresh(*u, "New");
            }
            op.newPassword = password;
            op.passwordNote = "placeholder the on-premises policy refuses: " + why;
        } else if (op.outcome == sim::Outcome::WrongOldPassword) {
            op.oldPassword = names.fresh(*u, "Wrong");
            op.newPassword = names.fresh(*u, "New");
            op.passwordNote = "placeholder: a current password that is not the user's";
        } else {
            op.newPassword = names.fresh(*u, "New");
            op.passwordNote = "placeholder";
        }
        if (accepted(op)) {
            account.passwords.push_back(op.newPassword);
            account.lastSet = op.time;
        }
    }
}

}  // namespace wblab::evidence::detail
