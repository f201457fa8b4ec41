#pragma once
// File: cloud.hpp
//
// The simulated cloud directory (modelled on Microsoft Entra ID self-service password reset with
// password writeback). Pure C++ without I/O: the cloud hands writeback requests to a
// WritebackChannel that the harness implements (the agent adapter), and turns the channel's reply
// into the outcome a user would see and an audit entry, as the real service does
// (DOMAIN.md §1.3, §6.3, §6.4).
//
//   VirtualClock clock(1'800'000'000);
//   Cloud cloud(TenantSettings{}, clock);
//   cloud.addUser({.upn = "alice@testlab.example", .anchor = "...", .synced = true});
//   auto result = cloud.selfServiceReset("alice@testlab.example", "N3w-Passw0rd!", true, channel);
//   if (result.outcome == Outcome::Success) { ... }

#include <wblab/sim/lab_mutation.hpp>
#include <wblab/sim/risk.hpp>
#include <wblab/sim/vocabulary.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wblab::sim {

/// One clock for the whole lab: time moves only when a scenario step says so.
class VirtualClock {
public:
    explicit VirtualClock(std::int64_t startEpochSeconds) : now_(startEpochSeconds) {}

    std::int64_t now() const { return now_; }

    void advance(std::int64_t seconds) { now_ += seconds; }

private:
    std::int64_t now_;
};

/// SSPR's throttling of resets of one account (docs/cloud-model.md, "Throttling").
struct ThrottleSettings {
    int attempts = 5;  ///< reset attempts of one account within the window before the block
    /// troubleshoot-sspr and the FAQ say one hour; the reporting page says 24 hours.
    std::int64_t windowSeconds = 3600;
    /// Blocked for 24 hours after the last attempt (troubleshoot-sspr).
    std::int64_t blockedForSeconds = 86400;
    /// The FAQ: "The counters are reset once a user resets their password". troubleshoot-sspr
    /// counts five resets of the same account; default the latter.
    bool countersResetOnSuccess = false;
};

struct TenantSettings {
    SsprScope sspr = SsprScope::All;
    GateOrder gateOrder = GateOrder::WritebackFirst;
    ThrottleSettings throttle;
    /// `allowedToUseSSPR` on the authorization policy: false takes SSPR away from every account
    /// with an admin role, whatever the user policy says (concept-sspr-policy).
    bool allowedToUseSspr = true;
    /// The tenant's name, matched as a substring by Password Protection (empty: none).
    std::string tenantName;
    /// With SsprScope::Selected: the one group whose members (nested groups count) may reset.
    std::string ssprGroup;
    /// Nested groups: group -> the groups that are its members.
    std::map<std::string, std::vector<std::string>> groupMembers;
    /// "Number of methods required to reset": 1 or 2.
    int methodsRequired = 1;
    /// "Methods available to users".
    std::vector<Method> methodsAllowed = {
        Method::AppNotification, Method::AppCode, Method::Email, Method::MobilePhone};
    /// Custom banned-password terms (Password Protection), on top of the global list.
    std::vector<std::string> bannedPasswords;
    bool writebackEnabled = true;
    /// "Allow users to unlock accounts without resetting their password" (default No).
    bool unlockWithoutReset = false;
    /// How long a writeback request may wait for the agent (the relay's message lifetime).
    std::int64_t requestLifetimeSeconds = 300;
    /// "The session lifetime for password reset is 15 minutes. ... The one-time passcodes are
    /// valid for 5 minutes during the password reset session." (passwords-faq). Documented
    /// numbers, not tenant settings: the fields exist for tests.
    std::int64_t ssprSessionLifetimeSeconds = 900;
    std::int64_t oneTimeCodeLifetimeSeconds = 300;
    /// False models a tenant with no password reset policy for the user (SSPR_0011).
    bool ssprPolicyDefined = true;
    /// Password hash sync (PHS): hashes of directory passwords reach the cloud every
    /// `hashSyncIntervalSeconds`; leaked-credential detection and on-premises changes need it.
    bool passwordHashSync = true;
    std::int64_t hashSyncIntervalSeconds = 120;  ///< DOMAIN.md §1.3 step 11: every 2 minutes
    std::int64_t syncIntervalSeconds = 1800;     ///< delta object sync: every 30 minutes
    /// EnforceCloudPasswordPolicyForPasswordSyncedUsers: a written-back password that misses the
    /// cloud's rules is set on-premises but not at once in the cloud
    /// (OnPremisesSuccessCloudFailure).
    bool enforceCloudPasswordPolicyForSyncedUsers = false;
    /// After OnPremisesSuccessCloudFailure: true, password hash sync brings the new password to
    /// the cloud at its next cycle ("wait a few minutes before the changes are committed",
    /// troubleshoot-sspr; "it overwrites the existing cloud password", password hash sync);
    /// false, the cloud never takes it and risk stays (concept-sspr-policy).
    bool hashSyncCommitsCloudFailure = true;
    IdentityProtectionSettings identityProtection;
    /// "Require users to register when signing in": a user without enough methods is sent to
    /// registration at sign-in.
    bool registrationRequired = false;
    /// Whether an admin-center reset of a federated user is written back. The sources disagree
    /// ([S1] yes, [S16] no, DOMAIN.md §2.2); default [S1].
    bool federatedAdminResetWritesBack = true;
};

struct CloudUser {
    std::string upn;
    std::string anchor;  ///< source anchor of a synced user (from the directory)
    bool synced = true;
    std::vector<std::string> groups;                                     ///< direct memberships
    std::vector<Method> methods = {Method::Email, Method::MobilePhone};  ///< registered
    /// Directory roles. The roles concept-sspr-policy lists bring the two-gate policy; all of
    /// them decide who may reset this user's password (privileged-roles-permissions).
    std::vector<std::string> adminRoles;
    bool licensed = true;    ///< Entra ID P1/P2 (writeback needs it)
    bool enabled = true;     ///< follows the directory at each object sync
    bool federated = false;  ///< in a federated domain (AD FS)
    std::string samAccountName;
    std::string givenName;  ///< matched as a substring by Password Protection (4+ characters)
    std::string surname;    ///< likewise
    /// The directory's stored password hash as password hash sync last brought it.
    std::string syncedPasswordHash;
    /// Bumped at every successful password change in the cloud; the cloud keeps no password.
    int passwordVersion = 0;
};

/// How the user went through the SSPR portal before submitting the new password: when the
/// session started (lab clock), and how long after it was sent the emailed or texted one-time
/// code was entered (negative: no such code was used). Without one, the user is quick enough.
struct SsprSession {
    std::int64_t startedAt = 0;
    std::int64_t codeEnteredAfterSeconds = -1;
};

/// One writeback operation as the cloud sends it. Holds the password in memory only.
struct WritebackRequest {
    std::string correlationId;
    /// "reset", "change", "admin_reset", "unlock_only" or "forced_change" (protocol names).
    std::string operation;
    std::string anchor;
    std::string upn;
    std::string newPassword;
    std::string oldPassword;  ///< change and forced_change only
    bool unlock = false;
    bool mustChange = false;
    std::int64_t issuedAt = 0;
    std::int64_t expiresAt = 0;
};

struct WritebackReply {
    enum class Delivery {
        Answered,     ///< the agent answered in time
        Unreachable,  ///< no agent, or it died
        TimedOut,     ///< the agent did not answer before the deadline
        Garbled,      ///< the agent answered something the protocol does not allow
    };
    Delivery delivery = Delivery::Unreachable;
    bool success = false;
    std::vector<int> events;
    int reason = 0;
    std::string detail;  ///< diagnostic for the report; never a password
};

/// The relay to the on-premises agent, implemented by the harness.
class WritebackChannel {
public:
    virtual ~WritebackChannel() = default;
    virtual WritebackReply deliver(const WritebackRequest& request) = 0;

    /// Whether the on-premises service is connected: the cloud asks before any gate
    /// (DOMAIN.md §1.3 step 1, §10).
    virtual bool serviceUp() const { return true; }
};

/// A user object as the sync engine reads it from the directory.
struct DirectoryObject {
    std::string anchor;
    std::string upn;
    std::string samAccountName;
    bool enabled = true;
    std::string passwordHash;  ///< the stored hash, for password hash sync; never a password
};

/// The directory as the sync engine sees it, implemented by the harness.
class DirectorySource {
public:
    virtual ~DirectorySource() = default;
    virtual std::vector<DirectoryObject> readUsers() = 0;
};

/// Tells whether a candidate password matches a stored hash (the harness knows the schemes).
using PasswordVerifier =
    std::function<bool(const std::string& storedHash, const std::string& candidate)>;

struct SyncReport {
    int objectCycles = 0;
    int hashCycles = 0;
    int usersAdded = 0;
    int usersDisabled = 0;
    int usersDeleted = 0;
    int passwordsSynced = 0;
};

struct GraphResponse {
    int httpStatus = 0;  ///< 202 accepted, 400 bad request, 403 forbidden, 404 not found
    std::string operationId;
    std::string location;  ///< /users/{upn}/authentication/operations/{id}
    int retryAfterSeconds = 0;
    std::string error;
    /// The password the service made up when the caller gave none (a cloud-only user): Graph
    /// returns it in the passwordResetResponse. Empty otherwise.
    std::string generatedPassword;
};

struct SignInResult {
    SignInOutcome outcome = SignInOutcome::UnknownUser;
    bool mfaPerformed = false;
    bool userRiskPolicyApplied = false;
    bool reportOnlyMatched = false;  ///< a report-only policy would have applied
    std::string correlationId;
    bool writebackAttempted = false;
    WritebackReply reply;                  ///< of the secure password change, when attempted
    std::optional<Outcome> changeOutcome;  ///< how the secure password change ended
};

struct AuditEntry {
    std::int64_t time = 0;
    /// "Self-service Password Management", or "Core Directory" for the directory's own
    /// activities ("Change user password", "Reset user password").
    std::string service = "Self-service Password Management";
    std::string activity;
    std::string result;  ///< "success" or "failure"
    std::string reason;
    std::string actor;
    std::string target;
    std::string correlationId;
};

struct OperationResult {
    Outcome outcome = Outcome::UnknownUser;
    std::string correlationId;
    bool writebackAttempted = false;
    WritebackReply reply;  ///< meaningful when writebackAttempted
};

class Cloud {
public:
    Cloud(TenantSettings settings, VirtualClock& clock);

    void addUser(CloudUser user);

    /// An administrator changes the tenant's settings (SSPR, writeback, policies) mid-run. They
    /// apply to the next operation; users, audit log, throttles, risk and pending hash-sync work
    /// are kept.
    void updateSettings(TenantSettings settings) { settings_ = std::move(settings); }

    const CloudUser* findUser(const std::string& upn) const;

    /// Self-service password reset (with unlock) from the password reset portal. With a
    /// session, a code entered after its lifetime is CodeExpired and a submission after the
    /// session's lifetime SessionExpired: nothing is sent, the reset is not counted.
    OperationResult selfServiceReset(const std::string& upn,
                                     const std::string& newPassword,
                                     bool unlock,
                                     WritebackChannel& channel,
                                     std::optional<SsprSession> session = std::nullopt);

    /// Self-service password change: the user knows the current password.
    OperationResult selfServiceChange(const std::string& upn,
                                      const std::string& oldPassword,
                                      const std::string& newPassword,
                                      WritebackChannel& channel);

    /// Admin reset from the Entra admin center, optionally with "must change at next sign-in",
    /// by the lab's unnamed admin (who may reset anyone but is nobody's account).
    OperationResult adminReset(const std::string& upn,
                               const std::string& newPassword,
                               bool mustChange,
                               WritebackChannel& channel);

    /// The same, by a named admin: refused (`Refused`, nothing sent) unless one of the caller's
    /// roles may reset every role of the user (canResetPassword), or when the caller resets their
    /// own account ("Any administrator cannot use password reset tool to reset their own
    /// password for password writeback", concept-sspr-writeback).
    OperationResult adminResetBy(const std::string& callerUpn,
                                 const std::string& upn,
                                 const std::string& newPassword,
                                 bool mustChange,
                                 WritebackChannel& channel);

    /// Whether the caller's roles let them reset the user's password: the "Who can reset
    /// passwords" table of privileged-roles-permissions (tenant-scoped roles). False for an
    /// unknown caller or user, and for a caller without any of the six password roles.
    bool canResetPassword(const std::string& callerUpn, const std::string& upn) const;

    /// Change of a password that must be changed (expired, or "must change at next sign-in")
    /// at the sign-in page.
    OperationResult forcedChange(const std::string& upn,
                                 const std::string& oldPassword,
                                 const std::string& newPassword,
                                 WritebackChannel& channel);

    /// Unlock without reset, when the tenant allows it.
    OperationResult unlockOnly(const std::string& upn, WritebackChannel& channel);

    // ---- Sync engine (DOMAIN.md §1.3 step 11, DESIGN.md §2) ----

    void setPasswordVerifier(PasswordVerifier verifier) { verifier_ = std::move(verifier); }

    /// Correlation and operation ids from this seed (random-looking, reproducible); without it
    /// they count up from 00000000-0000-4000-8000-000000000001.
    void setIdSeed(std::uint64_t seed) { idSeed_ = seed; }

    /// The next id is the first one again, as a new cloud with the same seed would make it (the
    /// lab's new_session step: the agent sees request ids it saw in an earlier session).
    void restartIds() { nextId_ = 1; }

    /// The first import: hashes and states as they are, without audit entries.
    SyncReport initialSync(DirectorySource& source);
    /// One delta object cycle: new users, UPN and enabled-state changes.
    SyncReport syncObjects(DirectorySource& source);
    /// One password hash sync cycle: changed hashes reach the cloud ("Change user password").
    SyncReport syncPasswordHashes(DirectorySource& source);
    /// Both cycles over one read of the directory.
    SyncReport syncAll(DirectorySource& source);
    /// Runs the cycles that fell due since the last ones, by the virtual clock.
    SyncReport runDueCycles(DirectorySource& source);

    // ---- Microsoft Graph resetPassword (DOMAIN.md §1.5) ----

    GraphResponse graphResetPassword(const std::string& callerUpn,
                                     const std::string& upn,
                                     const std::string& newPassword);
    /// GET on the operation: the first poll starts it (writeback included) and it ends
    /// succeeded or failed.
    OperationStatus pollOperation(const std::string& operationId, WritebackChannel& channel);
    /// How the operation's writeback ended, once it is terminal.
    const OperationResult* operationResult(const std::string& operationId) const;

    /// A reset through a path that does not write back (DOMAIN.md §2.2): the M365 admin center,
    /// PowerShell and Graph PATCH of passwordProfile change only the cloud password; a user
    /// resetting themselves through Graph is refused. None ever reaches the agent.
    OperationResult unsupportedReset(UnsupportedPath path,
                                     const std::string& upn,
                                     const std::string& newPassword);

    // ---- Identity Protection (DOMAIN.md §7) ----

    /// Raises a detection; leaked credentials are always high.
    bool raiseDetection(const std::string& upn, DetectionType type, RiskLevel level);
    /// Offline leaked-credentials detection: every hash-synced password that matches one of the
    /// leaked passwords raises a high-risk detection. Needs password hash sync. Returns matches.
    int detectLeakedCredentials(const std::vector<std::string>& leakedPasswords);
    /// False, and nothing changes, for a user who is not (or no longer) in the directory:
    /// "Administrators can't dismiss risk for users who were deleted from the directory."
    bool dismissUserRisk(const std::string& upn);
    void confirmUserCompromised(const std::string& upn);
    /// A sign-in with the user's password, optionally with a sign-in risk detection, under the
    /// tenant's risk policies. When the user-risk policy asks for a password change and
    /// `newPassword` is set, the user does MFA and changes it (through writeback if synced).
    SignInResult signIn(const std::string& upn,
                        const std::string& password,
                        const std::string& newPassword,
                        std::optional<Detection> signInDetection,
                        WritebackChannel& channel);
    /// The user registers authentication methods (audit "User registered for self-service
    /// password reset"). False for an unknown user.
    bool registerMethods(const std::string& upn, const std::vector<Method>& methods);

    /// The riskyUser as the tenant sees it: low detections older than six months aged out;
    /// without P2 the detail is `hidden` and premium detections read `generic`.
    RiskyUser riskOf(const std::string& upn) const;
    /// The UPNs of users with any risk history (the riskyUsers list), sorted; without P2 only
    /// users now at medium or high risk ("Only users with medium and high risk are shown").
    std::vector<std::string> riskyUsers() const;

    /// True when the password meets the cloud's own rules: 8–256 characters, printable ASCII,
    /// three of the four character classes (DOMAIN.md §3, [S8]).
    static bool meetsCloudPasswordPolicy(const std::string& password);

    const std::vector<AuditEntry>& auditLog() const { return audit_; }

    const TenantSettings& settings() const { return settings_; }

    /// Makes the model wrong on purpose in one documented rule (lab_mutation.hpp; `wblab zoo`).
    void setMutation(LabMutation mutation) { mutation_ = mutation; }

    /// Password Protection's score (concept-password-ban-bad): after normalisation (lower case;
    /// 0→o, 1→l, $→s, @→a, and the lab's 3→e, 4→a, 5→s, 7→t) every banned term of the global
    /// sample and the custom list found, exactly or within an edit distance of one, is one point;
    /// every other character is one point.
    int bannedPasswordScore(const std::string& password) const;
    /// Whether the normalised password contains the user's given name or surname, or the
    /// tenant's name (names of four or more characters).
    bool containsBannedName(const std::string& password, const CloudUser* user) const;
    /// Refused by Password Protection: a name found, or a score under five points.
    bool isBanned(const std::string& password, const CloudUser* user = nullptr) const;

private:
    /// What differs between the cloud operations that may be written back.
    struct Flow {
        const char* activity;
        bool selfService;  ///< gated by the tenant's SSPR setting
        bool changesPassword;
        std::string actor;  ///< who the audit names
        /// How a success settles the user's risk (DOMAIN.md §7.3); None: it does not.
        RiskDetail remediates = RiskDetail::None;
        std::optional<SsprSession> session;  ///< self-service reset: how long the user took
    };

    struct GraphOperation {
        std::string caller;
        std::string upn;
        std::string newPassword;  ///< held in memory until the operation runs
        OperationStatus status = OperationStatus::NotStarted;
        OperationResult result;
    };

    CloudUser* mutableUser(const std::string& upn);
    /// The cycles over one read of the directory. Each takes what only it needs instead of
    /// copying it (a million users' hashes are some 130 MB): applyObjects a new user's UPN and
    /// sAMAccountName, applyHashes the hashes it syncs; the anchors and states stay.
    SyncReport applyObjects(std::vector<DirectoryObject>& objects);
    SyncReport applyHashes(std::vector<DirectoryObject>& objects);
    /// The synced user with this source anchor (the sync engine's join), or null.
    CloudUser* userByAnchor(const std::string& anchor);
    void remediate(const std::string& upn, RiskDetail detail);
    void recomputeRisk(RiskyUser& risky) const;
    /// Takes low detections older than six months out of the count and recomputes the level.
    void ageOut(RiskyUser& risky) const;
    bool inRiskPolicyScope(const CloudUser& user, const RiskPolicy& policy) const;
    /// The sign-in risk policy for this sign-in's detection; true when it blocks.
    bool applySignInRiskPolicy(const CloudUser& user,
                               RiskyUser& risky,
                               RiskLevel level,
                               SignInResult& result);
    /// The user-risk policy's secure password change, written back for a synced user.
    void secureChange(const CloudUser& user,
                      const std::string& password,
                      const std::string& newPassword,
                      WritebackChannel& channel,
                      SignInResult& result);
    static bool canDoMfa(const CloudUser& user);
    /// Holds one of the admin roles that bring the two-gate policy (concept-sspr-policy).
    static bool isAdmin(const CloudUser& user);

    bool mutated(LabMutation mutation) const { return mutation_ == mutation; }

    bool inGroup(const CloudUser& user, const std::string& group) const;
    /// The SSPR policy gates (SSPR_0009, 0011, 0013, 0012, 0014), in that order.
    std::optional<Outcome> ssprGate(const CloudUser& user) const;
    /// How the password is managed: writeback on (SSPR_0010) and its service up (SSPR_0030).
    std::optional<Outcome> managedGate(const CloudUser& user, WritebackChannel& channel) const;
    int usableMethods(const CloudUser& user) const;
    /// The one-time code or the session ran out before the submission (passwords-faq).
    std::optional<Outcome> lapsed(const SsprSession& session) const;
    /// Every refusal before anything is sent, in the tenant's order, audited; none: go on.
    std::optional<Outcome> checkBeforeWriteback(const Flow& flow,
                                                CloudUser& user,
                                                const WritebackRequest& request,
                                                WritebackChannel& channel,
                                                const std::string& correlationId,
                                                const std::string& actor);
    /// Throttling of self-service resets: refuses a blocked account, counts this attempt.
    bool throttled(const CloudUser& user,
                   const std::string& correlationId,
                   const std::string& actor);
    OperationResult run(const Flow& flow, WritebackRequest request, WritebackChannel& channel);
    /// The agent's answer as the outcome the user sees, with its audit entry and side effects.
    Outcome settle(const Flow& flow,
                   CloudUser& user,
                   const WritebackRequest& request,
                   const WritebackReply& reply,
                   const std::string& correlationId,
                   const std::string& actor);
    OperationResult change(const char* operation,
                           const std::string& upn,
                           const std::string& oldPassword,
                           const std::string& newPassword,
                           WritebackChannel& channel);
    OperationResult adminResetAs(const std::string& actor,
                                 const std::string& upn,
                                 const std::string& newPassword,
                                 bool mustChange,
                                 WritebackChannel& channel);
    OperationResult refuse(const char* activity,
                           const std::string& reason,
                           const std::string& actor,
                           const std::string& target);
    std::string nextCorrelationId();
    void record(const std::string& activity,
                bool success,
                const std::string& reason,
                const std::string& actor,
                const std::string& target,
                const std::string& correlationId,
                const char* service = nullptr);

    TenantSettings settings_;
    VirtualClock& clock_;
    LabMutation mutation_ = LabMutation::None;
    /// Hashes a user had before the current one: kept only for LeaksMatchOldPasswords.
    std::map<std::string, std::vector<std::string>> formerHashes_;
    std::map<std::string, CloudUser> users_;  ///< by lower-case UPN
    /// anchor -> lower-case UPN, synced users; hashed: a sync looks up every directory object
    /// (a million users spent a third of the sync in ordered-map string compares).
    std::unordered_map<std::string, std::string> byAnchor_;
    std::vector<AuditEntry> audit_;
    std::map<std::string, std::vector<std::int64_t>> resetAttempts_;  ///< by lower-case UPN
    std::map<std::string, std::int64_t> blockedUntil_;
    int nextId_ = 1;
    std::optional<std::uint64_t> idSeed_;
    PasswordVerifier verifier_;
    std::int64_t lastHashSync_ = 0;
    std::int64_t lastObjectSync_ = 0;
    /// Users whose cloud-written password will come back by hash sync, with that password (in
    /// memory only) so the echo can be told from an on-premises change.
    std::map<std::string, std::string> pendingEcho_;
    /// Passwords set on-premises that the cloud's own rules refused
    /// (OnPremisesSuccessCloudFailure), in memory only: hash sync commits them, or never does
    /// (hashSyncCommitsCloudFailure).
    std::map<std::string, std::string> pendingCommit_;
    std::map<std::string, GraphOperation> operations_;
    std::map<std::string, RiskyUser> risk_;  ///< by lower-case UPN
};

}  // namespace wblab::sim
