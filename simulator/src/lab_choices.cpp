// The lab's choices and the sources' conflicts, as docs/cloud-model.md records them, for
// `wblab explain`. Pinned by simulator/tests/lab_choices_test.cpp.
#include <wblab/sim/lab_choices.hpp>

namespace wblab::sim {

namespace {

using Kind = LabChoice::Kind;

const std::string kLearn = "https://learn.microsoft.com/en-us/entra/";
const std::string kWriteback = kLearn + "identity/authentication/concept-sspr-writeback";
const std::string kHowItWorks = kLearn + "identity/authentication/concept-sspr-howitworks";
const std::string kPolicy = kLearn + "identity/authentication/concept-sspr-policy";
const std::string kTroubleshoot = kLearn + "identity/authentication/troubleshoot-sspr";
const std::string kTroubleshootWriteback =
    kLearn + "identity/authentication/troubleshoot-sspr-writeback";
const std::string kReporting = kLearn + "identity/authentication/howto-sspr-reporting";
const std::string kLicensing = kLearn + "identity/authentication/concept-sspr-licensing";
const std::string kBanned = kLearn + "identity/authentication/concept-password-ban-bad";
const std::string kHashSync =
    kLearn + "identity/hybrid/connect/how-to-connect-password-hash-synchronization";
const std::string kRiskTypes = kLearn + "id-protection/concept-risk-detection-types";
const std::string kRiskPolicies =
    kLearn + "id-protection/howto-identity-protection-configure-risk-policies";
const std::string kRemediate = kLearn + "id-protection/howto-identity-protection-remediate-unblock";
const std::string kGraphReset =
    "https://learn.microsoft.com/en-us/graph/api/authenticationmethod-resetpassword"
    "?view=graph-rest-1.0";
const std::string kAuditReference =
    kLearn + "identity/monitoring-health/reference-audit-activities";
const std::string kResetPortal = kLearn + "fundamentals/users-reset-password-azure-portal";
const std::string kFaq = kLearn + "identity/authentication/passwords-faq";
const std::string kGraphChangePassword =
    "https://learn.microsoft.com/en-us/graph/api/user-changepassword?view=graph-rest-1.0";

void relayAndOutcomes(std::vector<LabChoice>& out, const TenantSettings& s) {
    out.push_back({Kind::LabChoice,
                   "relay-message-lifetime",
                   "a writeback request expires " + std::to_string(s.requestLifetimeSeconds) +
                       " s after it is issued",
                   "the page says only that it 'times out and is removed after several minutes'",
                   kWriteback});
    out.push_back({Kind::LabChoice,
                   "agent-deadline",
                   "the cloud waits for the agent as long as the harness's step timeout; no "
                   "answer, garbage or an agent gone is SSPR_0030",
                   "no page gives how long the cloud waits for the on-premises answer",
                   kTroubleshoot});
    out.push_back({Kind::LabChoice,
                   "service-errors",
                   "an agent's 32xxx reason (expired, replayed, undecryptable message) reaches "
                   "the user as SSPR_0030",
                   "the 32xxx events are documented on-premises only; none names what the user "
                   "sees",
                   kTroubleshootWriteback});
    out.push_back({Kind::LabChoice,
                   "cannot-change-password",
                   "the cloud maps the agent's reason code; the reference agent reports 33004 "
                   "for 'User cannot change password', so the user sees SSPR_0029",
                   "PASSWD_CANT_CHANGE is documented only as ADSync 6329 0x80230619, the policy "
                   "refusal's code (33008 would be policy_violation)",
                   kTroubleshootWriteback});
    out.push_back({Kind::LabChoice,
                   "protected-accounts",
                   "the cloud has no rule of its own for protected accounts: the directory "
                   "refuses the connector (33004, SSPR_0029), the user's own change works",
                   "the support blog's claim that writeback checks adminCount itself has no "
                   "second source",
                   kWriteback});
    out.push_back({Kind::LabChoice,
                   "unknown-user",
                   "an account the tenant does not have is refused as unknown_user, nothing sent",
                   "no page says what SSPR shows for an unknown user ID",
                   kHowItWorks});
    out.push_back({Kind::LabChoice,
                   "lying-agent",
                   "the cloud believes the agent's success; the directory checks catch a lie",
                   "the real service has nothing else to go on either",
                   kWriteback});
}

void gatesAndThrottling(std::vector<LabChoice>& out, const TenantSettings& s) {
    const bool writebackFirst = s.gateOrder == GateOrder::WritebackFirst;
    out.push_back({Kind::SourcesConflict,
                   "gate-order",
                   writebackFirst ? "tenant gate_order writeback_first: writeback on (SSPR_0010) "
                                    "and its service up (SSPR_0030) come before the policy gates"
                                  : "tenant gate_order policy_first: the policy gates (SSPR_0011, "
                                    "0013, 0012, 0014) come before writeback and its service",
                   "concept-sspr-writeback checks the password's management first; "
                   "concept-sspr-howitworks checks SSPR and methods first",
                   writebackFirst ? kWriteback : kHowItWorks});
    out.push_back({Kind::LabChoice,
                   "licence-for-change",
                   "a licence gates self-service reset (SSPR_0012), never a change",
                   "SSPR_0012 is documented for reset; unlicensed users 'may technically be able "
                   "to access SSPR'",
                   kLicensing});
    out.push_back({Kind::LabChoice,
                   "throttle-attempts",
                   "every submitted self-service reset of an account counts, whatever its "
                   "outcome; the phone, email and security-question throttles are not modelled",
                   "the page counts 'attempts'; the lab has no verification steps",
                   kTroubleshoot});
    if (s.throttle.windowSeconds != 3600) {
        out.push_back({Kind::SourcesConflict,
                       "throttle-window",
                       "tenant throttle window " + std::to_string(s.throttle.windowSeconds) + " s",
                       "troubleshoot-sspr and the FAQ say one hour; the reporting page says 24 "
                       "hours",
                       kReporting});
    }
    if (s.throttle.countersResetOnSuccess) {
        out.push_back({Kind::SourcesConflict,
                       "throttle-counters",
                       "tenant throttle counters reset after a successful reset",
                       "the FAQ says the counters reset; troubleshoot-sspr counts five resets",
                       kTroubleshoot});
    }
    if (!s.allowedToUseSspr) {
        out.push_back({Kind::LabChoice,
                       "admin-sspr-off",
                       "with allowedToUseSSPR false an admin's reset is SSPR_0011, at once",
                       "the page names no code and says the change takes up to 60 minutes",
                       kPolicy});
    }
}

void verification(std::vector<LabChoice>& out, const TenantSettings& s) {
    out.push_back({Kind::LabChoice,
                   "sspr-verification",
                   "the verification itself (wrong codes, answers, phone and email throttles) is "
                   "not modelled: registered methods are enough",
                   "the lab tests writeback, not the verification UI",
                   kHowItWorks});
    out.push_back({Kind::LabChoice,
                   "sspr-lifetimes",
                   "a one-time code entered more than " +
                       std::to_string(s.oneTimeCodeLifetimeSeconds) +
                       " s after it was sent is code_expired, a submission more than " +
                       std::to_string(s.ssprSessionLifetimeSeconds) +
                       " s after the reset started is session_expired; nothing is sent, the "
                       "reset is not counted by the throttle, the audit is a failed 'Self-service "
                       "password reset flow activity progress'",
                   "the FAQ gives the 15 and 5 minutes; no page names what the user sees when "
                   "they lapse",
                   kFaq});
    out.push_back({Kind::LabChoice,
                   "settings-at-once",
                   "a tenant change (tenant_change step) applies to the next operation",
                   "the policy page says a change of the admin policy 'can take up to 60 minutes "
                   "to take effect'; the other settings have no documented delay",
                   kPolicy});
}

void passwords(std::vector<LabChoice>& out, const TenantSettings& s) {
    out.push_back({Kind::LabChoice,
                   "banned-global-list",
                   "the global banned list is a sample of ten well-known weak passwords",
                   "Microsoft doesn't publish the global list",
                   kBanned});
    out.push_back({Kind::LabChoice,
                   "banned-normalisation",
                   "normalisation also maps 3→e, 4→a, 5→s, 7→t; overlapping matches are taken "
                   "longest term first, exact before fuzzy",
                   "the page gives 0, 1, $ and @ 'such as' and no rule for overlaps",
                   kBanned});
    out.push_back({Kind::LabChoice,
                   "cloud-policy-space",
                   "a blank space counts as a symbol in the three-of-four rule",
                   "the page allows blank space but lists it apart from the symbols",
                   kPolicy});
    if (s.enforceCloudPasswordPolicyForSyncedUsers) {
        out.push_back({Kind::SourcesConflict,
                       "cloud-failure-commit",
                       s.hashSyncCommitsCloudFailure
                           ? "after OnPremisesSuccessCloudFailure the next hash cycle commits "
                             "the password to the cloud; risk stays"
                           : "after OnPremisesSuccessCloudFailure the cloud never takes the "
                             "password; risk stays",
                       "troubleshoot-sspr: 'wait a few minutes before the changes are "
                       "committed'; concept-sspr-policy: 'it isn't updated in the cloud'",
                       s.hashSyncCommitsCloudFailure ? kTroubleshoot : kPolicy});
        out.push_back({Kind::LabChoice,
                       "cloud-failure-causes",
                       "OnPremisesSuccessCloudFailure comes only from the cloud password policy",
                       "the page also names time-outs and throttling, which the lab does not "
                       "produce",
                       kTroubleshoot});
    }
    out.push_back({Kind::LabChoice,
                   "unsupported-paths",
                   "Microsoft 365 admin center and PowerShell resets change the cloud password "
                   "only (audit 'Reset user password', Core Directory)",
                   "the page says only 'not written back'; the activity reference lists 'Reset "
                   "password'",
                   kAuditReference});
    out.push_back({Kind::LabChoice,
                   "admin-reset-writeback-off",
                   "an admin-center reset of a synced user with writeback off is refused as "
                   "SSPR_0010",
                   "the page says the reset needs writeback, not what the admin sees",
                   kResetPortal});
    out.push_back({Kind::SourcesConflict,
                   "federated-admin-reset",
                   s.federatedAdminResetWritesBack
                       ? "an admin-center reset of a federated user is written back"
                       : "an admin-center reset of a federated user is refused, nothing sent",
                   "concept-sspr-writeback writes it back; users-reset-password-azure-portal "
                   "says reset it on-premises",
                   s.federatedAdminResetWritesBack ? kWriteback : kResetPortal});
}

void graphAndSync(std::vector<LabChoice>& out, const TenantSettings& s) {
    out.push_back({Kind::LabChoice,
                   "graph-patch-password-profile",
                   "Graph PATCH /users/{id} with a passwordProfile changes the cloud password only "
                   "(cloud_only, audit 'Reset user password'), nothing is written back",
                   "Graph names PATCH passwordProfile as the way to set another user's password; "
                   "concept-sspr-writeback lists only resetPassword as written back and no page "
                   "says what PATCH does to a synced user",
                   kGraphChangePassword});
    out.push_back({Kind::LabChoice,
                   "graph-operation-timing",
                   "the first poll moves the operation to running, the second runs the "
                   "writeback; Retry-After is 1 s",
                   "the page gives no timing",
                   kGraphReset});
    out.push_back({Kind::LabChoice,
                   "graph-error-codes",
                   "a missing or banned newPassword is 400, an unknown user 404",
                   "the page names the rules, not the status codes",
                   kGraphReset});
    out.push_back({Kind::LabChoice,
                   "lab-admin",
                   "an admin reset without a named caller is by an admin who may reset anyone",
                   "scenarios that do not name the admin test writeback, not roles",
                   kGraphReset});
    if (s.passwordHashSync) {
        out.push_back({Kind::LabChoice,
                       "hash-sync-echo",
                       "a password written back is valid in the cloud at once and its hash "
                       "sync echo is not an on-premises change",
                       "the pages say writeback is synchronous; none describes the echo",
                       kHashSync});
    }
    out.push_back({Kind::LabChoice,
                   "initial-import",
                   "the first import takes the directory as it is, without audit entries",
                   "the lab starts from a synced tenant",
                   kHashSync});
    out.push_back({Kind::LabChoice,
                   "audit-registration",
                   "registration is audited 'User registered for self-service password reset'",
                   "the reporting page's name; the activity reference lists 'Security info "
                   "saved for self-service password reset'",
                   kAuditReference});
}

void risk(std::vector<LabChoice>& out, const TenantSettings& s) {
    out.push_back({Kind::LabChoice,
                   "risk-aggregation",
                   "a user's risk level is the highest level among detections still at risk, "
                   "sign-in detections included",
                   "Microsoft's aggregation is machine learning and not published",
                   kRemediate});
    out.push_back({Kind::LabChoice,
                   "risk-aging",
                   "low detections age out after 180 days",
                   "the page says 'six months'",
                   kRiskTypes});
    if (!s.identityProtection.p2) {
        out.push_back({Kind::LabChoice,
                       "risk-hidden-without-p2",
                       "without P2 the risky user's detail reads `hidden`",
                       "the portal shows 'no details drawer' and Graph's riskyUsers needs P2; "
                       "`hidden` is the Graph value for it",
                       kLearn + "id-protection/overview-identity-protection"});
    }
    out.push_back({Kind::LabChoice,
                   "risk-feedback-timing",
                   "dismiss and confirm-compromised take effect at once",
                   "feedback 'is processed offline and might take some time'",
                   kLearn + "id-protection/howto-identity-protection-risk-feedback"});
    out.push_back({Kind::LabChoice,
                   "risk-threshold",
                   "a policy's risk level stands for that level and those above it",
                   "Conditional Access picks levels one by one",
                   kRiskPolicies});
    out.push_back({Kind::LabChoice,
                   "risk-races",
                   "events apply in the order they complete: a detection during a reset is "
                   "settled by the reset",
                   "the sources give no order",
                   kRemediate});
    out.push_back({Kind::SourcesConflict,
                   "on-premises-change-risk",
                   s.identityProtection.onPremisesChangeResetsRisk
                       ? "an on-premises change remediates user risk at the next hash cycle"
                       : "an on-premises change does not remediate user risk",
                   "configure-risk-policies: SSPR is 'the only way'; remediate-unblock: the "
                   "opt-in setting lets an on-premises change remediate",
                   s.identityProtection.onPremisesChangeResetsRisk ? kRemediate : kRiskPolicies});
}

}  // namespace

const char* toString(LabChoice::Kind kind) {
    return kind == LabChoice::Kind::SourcesConflict ? "sources conflict: tenant setting"
                                                    : "lab choice";
}

std::vector<LabChoice> labChoices(const TenantSettings& settings) {
    std::vector<LabChoice> out;
    relayAndOutcomes(out, settings);
    gatesAndThrottling(out, settings);
    verification(out, settings);
    passwords(out, settings);
    graphAndSync(out, settings);
    risk(out, settings);
    return out;
}

}  // namespace wblab::sim
