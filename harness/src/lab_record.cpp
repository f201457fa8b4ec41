// The lab's session as a scenario file (lab_session.hpp): each step played through the API with
// what it observed as its expectations, and every password replaced by a placeholder that
// behaves as the password did, so that `wblab run` of the file replays the session to the same
// outcomes and the file holds no password anyone typed.
#include "lab_session.hpp"

#include <wblab/scenario/catalog.hpp>
#include <wblab/scenario/writer.hpp>

#include <cctype>
#include <map>
#include <random>
#include <set>

namespace wblab::harness {

namespace {

template <typename T>
scenario::Expectation<T> observedAs(T value, std::string criterion) {
    return scenario::Expectation<T>{std::move(value), std::move(criterion)};
}

void expectOperation(scenario::Step& step,
                     const sim::OperationResult& op,
                     const std::vector<sim::AuditEntry>& audit) {
    auto& e = step.expect;
    const std::string criterion = scenario::criterionForOutcome(step.action, op.outcome);
    e.outcome = observedAs(op.outcome, criterion);
    e.requestSent = observedAs(op.writebackAttempted, criterion);
    const bool answered =
        op.writebackAttempted && op.reply.delivery == sim::WritebackReply::Delivery::Answered;
    if (answered || !op.writebackAttempted) {
        e.events = observedAs(answered ? op.reply.events : std::vector<int>{},
                              std::string(scenario::criteria::kEventIds));
    }
    if (answered && op.reply.reason != 0) {
        e.reason = observedAs(op.reply.reason, std::string(scenario::criteria::kReasonCodes));
    }
    const sim::AuditEntry* last = nullptr;
    for (const auto& entry : audit) {
        if (!op.correlationId.empty() && entry.correlationId == op.correlationId) {
            last = &entry;
        }
    }
    if (last != nullptr) {
        e.audit =
            observedAs(scenario::AuditExpect{last->activity, last->result == "success"}, criterion);
    }
}

}  // namespace

void expectObserved(scenario::Step& step,
                    const StepObservation& observed,
                    const std::vector<sim::AuditEntry>& audit) {
    auto& e = step.expect;
    if (observed.graph) {
        e.httpStatus = observedAs(observed.graph->httpStatus, std::string("wb-graph-reset"));
        if (observed.graphStatus) {
            e.operation = observedAs(*observed.graphStatus, std::string("wb-graph-reset"));
        }
        if (observed.graph->httpStatus != 202) {
            return;  // nothing ran: the HTTP status is the whole outcome
        }
    }
    if (observed.operation) {
        expectOperation(step, *observed.operation, audit);
    }
    if (observed.dismissed) {
        e.dismissed = observedAs(*observed.dismissed, std::string("ip-admin-actions"));
    }
}

namespace {

std::string lower(std::string text) {
    for (auto& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

/// Placeholders that behave as the passwords they replace: the same length and the same class
/// (upper, lower, digit, symbol) at every position, the same password always the same
/// placeholder, and the same verdicts from Password Protection and from AD's name rule for
/// every user of the scenario. When no such placeholder is found (a password refused for a
/// banned word, say), the closest one is used and the step says so.
class Placeholders {
public:
    Placeholders(const scenario::Scenario& s, const sim::Cloud& cloud) : s_(s), cloud_(cloud) {
        for (const auto& p : s.secrets()) {
            taken_.insert(p);
        }
    }

    std::string operator()(const std::string& password, std::vector<std::string>& warnings) {
        if (password.empty()) {
            return password;
        }
        if (auto it = chosen_.find(password); it != chosen_.end()) {
            return it->second;
        }
        std::mt19937_64 random(0x5eed0000u + chosen_.size());
        std::string pick;
        bool behaves = false;
        for (int attempt = 0; attempt < 200 && !behaves; ++attempt) {
            pick = candidate(password, random);
            behaves = taken_.count(pick) == 0 && sameVerdicts(password, pick);
        }
        if (!behaves) {
            warnings.push_back("a placeholder here may not behave as the password typed did (" +
                               why(password) + "): replace it");
        }
        chosen_[password] = pick;
        taken_.insert(pick);
        return pick;
    }

private:
    static std::string candidate(const std::string& password, std::mt19937_64& random) {
        std::string out;
        for (unsigned char c : password) {
            const auto r = static_cast<char>(random() % 26);
            if (std::isupper(c) != 0) {
                out += static_cast<char>('A' + r);
            } else if (std::islower(c) != 0) {
                out += static_cast<char>('a' + r);
            } else if (std::isdigit(c) != 0) {
                out += static_cast<char>('0' + r % 10);
            } else if (c < 0x80) {
                out += static_cast<char>(c);  // symbols say nothing of the password
            } else if ((c & 0xC0) != 0x80) {
                out += "\xc3\xa9";  // any other character: one lower-case letter, é
            }
        }
        return out;
    }

    bool sameVerdicts(const std::string& a, const std::string& b) const {
        if (cloud_.isBanned(a) != cloud_.isBanned(b)) {
            return false;
        }
        for (const auto& u : s_.onprem.users) {
            const auto* cloudUser = cloud_.findUser(u.signInName());
            if (cloudUser != nullptr &&
                cloud_.isBanned(a, cloudUser) != cloud_.isBanned(b, cloudUser)) {
                return false;
            }
            for (const auto& t : u.nameTokensRefusedInPassword()) {
                if ((lower(a).find(t) != std::string::npos) !=
                    (lower(b).find(t) != std::string::npos)) {
                    return false;
                }
            }
        }
        return true;
    }

    std::string why(const std::string& password) const {
        if (cloud_.isBanned(password)) {
            return "Password Protection refused it";
        }
        for (unsigned char c : password) {
            if (c >= 0x80) {
                return "it had characters beyond ASCII";
            }
        }
        return "it contained a user's name";
    }

    const scenario::Scenario& s_;
    const sim::Cloud& cloud_;
    std::map<std::string, std::string> chosen_;
    std::set<std::string> taken_;
};

/// Every password field of a step, replaced.
template <typename Replace>
void replacePasswords(scenario::Action& action, Replace replace) {
    std::visit(
        [&](auto& a) {
            if constexpr (requires { a.newPassword; }) {
                a.newPassword = replace(a.newPassword);
            }
            if constexpr (requires { a.oldPassword; }) {
                a.oldPassword = replace(a.oldPassword);
            }
            if constexpr (requires { a.password; }) {
                a.password = replace(a.password);
            }
            if constexpr (requires { a.passwords; }) {
                for (auto& p : a.passwords) {
                    p = replace(p);
                }
            }
        },
        action);
}

}  // namespace

std::string recordedScenario(const scenario::Scenario& played,
                             const sim::Cloud& cloud,
                             const std::string& id,
                             const std::string& sourceFile) {
    scenario::Scenario s = played;
    s.id = id;
    s.title = "Lab session on " + played.id + " (wblab lab up --record)";
    // Criteria the steps not played were evidence for do not belong here: keep the ones the
    // harness checks by itself; the loader adds those the recorded expectations name.
    std::erase_if(s.criteria,
                  [](const std::string& c) { return !scenario::criteria::isAutomatic(c); });
    Placeholders placeholders(played, cloud);
    scenario::Annotations notes;
    notes.header = {
        "Recorded by wblab lab up from " + (sourceFile.empty() ? played.id : sourceFile) + ".",
        "Passwords are placeholders that behave as the ones typed did (same length and kinds",
        "of characters, the same verdicts of the password rules); none typed is written."};
    for (auto& u : s.onprem.users) {
        std::vector<std::string> warnings;
        u.password = placeholders(u.password, warnings);
        for (const auto& w : warnings) {
            notes.after["onprem.users." + u.sam + ".password"] = w;
        }
    }
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        std::vector<std::string> warnings;
        replacePasswords(s.steps[i].action,
                         [&](const std::string& p) { return placeholders(p, warnings); });
        if (!warnings.empty()) {
            notes.before["steps." + std::to_string(i + 1)] = warnings.front();
        }
    }
    return scenario::toYaml(s, notes);
}

}  // namespace wblab::harness
