#pragma once
// Private to the evidence module: the scenario draft as it is built from the evidence
// (evidence.hpp, draftScenario). The directory export gives the domain's policy, PSOs, the
// connector's rights and the users (draft_directory.cpp); the audit log and the Application log
// give the operations in time order with what the user saw and what the agent logged
// (draft_timeline.cpp); placeholders stand in for passwords, chosen to behave as the evidence
// says (draft_passwords.cpp); draft.cpp puts it together and writes it.

#include "text.hpp"

#include <wblab/evidence/evidence.hpp>
#include <wblab/scenario/model.hpp>
#include <wblab/scenario/writer.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wblab::evidence::detail {

/// What the directory export said about a user beyond the scenario's fields.
struct UserFacts {
    const DirectoryEntry* entry = nullptr;    ///< null: the user is not in the export
    std::vector<std::string> mails;           ///< mail and smtp: proxyAddresses, lower case
    std::optional<std::int64_t> pwdLastSet;   ///< 0: must change; else UTC seconds
    std::optional<std::int64_t> lockoutTime;  ///< 0: not locked; else UTC seconds
};

enum class OpKind { Reset, Change, AdminReset, Unlock, OnPremChange };

/// One operation the evidence shows, before it becomes a step.
struct Op {
    OpKind kind = OpKind::Reset;
    std::int64_t time = 0;
    std::string user;  ///< the sam of the scenario's user
    std::string upn;   ///< as the evidence names the user
    const AuditRecord* audit = nullptr;
    std::vector<const AgentEvent*> events;  ///< the agent's events for it, in order
    std::optional<sim::Outcome> outcome;
    std::string outcomeSource;  ///< the comment for the outcome
    bool mustChange = false;
    std::string mustChangeSource;
    std::int64_t relayDelay = 0;
    bool signIn = false;      ///< a risk policy's secure change at sign-in
    std::string oldPassword;  ///< placeholders (draft_passwords.cpp)
    std::string newPassword;
    std::string passwordNote;
};

/// A detection to raise as a step.
struct RiskStep {
    std::int64_t time = 0;
    std::string upn;
    sim::DetectionType type = sim::DetectionType::LeakedCredentials;
    sim::RiskLevel level = sim::RiskLevel::High;
    SourcePos where;
};

struct Builder {
    const Evidence& evidence;
    DraftOptions options;
    scenario::Scenario s;
    scenario::Annotations notes;
    std::vector<std::string> remarks;        ///< Draft::notes
    std::map<std::string, UserFacts> facts;  ///< by sam
    std::vector<Op> ops;
    std::vector<RiskStep> risks;
    std::set<std::string> deletedUsers;  ///< sams to delete before their first operation
    std::string connectorSid;

    /// "audit.json:14" for comments: the file's name without its directory.
    static std::string cite(const SourcePos& where);

    scenario::UserSpec* userBySam(const std::string& sam);
    /// The sam of the user the evidence names as `upn`, making one when the directory export
    /// does not have it.
    std::string resolve(const std::string& upn, const SourcePos& where);
};

void draftDirectory(Builder& b);
void draftTimeline(Builder& b);
void draftRisk(Builder& b);
/// Seed state from the times, placeholders, end expectations (draft_passwords.cpp).
void draftAccounts(Builder& b, std::int64_t firstStep);
/// The steps in time order, with clock advances between them.
void draftSteps(Builder& b);

/// AD's password rules, enough to choose placeholders that pass or fail as the evidence says
/// (draft_passwords.cpp).
const scenario::PolicySpec& policyOf(const scenario::Scenario& s, const std::string& sam);
bool meetsComplexity(const std::string& password, const scenario::UserSpec& user);

}  // namespace wblab::evidence::detail
