#pragma once
// File: evidence.hpp
//
// What a customer can export, read into records that remember their file and line, and turned
// into a scenario draft (`wblab import`, docs/import.md). The formats, each recognised from its
// content:
//   - the Entra audit log: Microsoft Graph directoryAudits JSON (`GET /auditLogs/directoryAudits`,
//     or `Get-MgAuditLogDirectoryAudit | ConvertTo-Json`) and the admin center's CSV download;
//   - the writeback agent's Application event log: `wevtutil qe Application /f:xml` and Event
//     Viewer's "Save All Events As" CSV;
//   - the on-premises directory as LDIF (ldifde, ldapsearch; RFC 2849): users, the domain's
//     password policy, PSOs, the connector account and security descriptors;
//   - Graph riskyUsers and riskDetections JSON, the authentication methods policy and the
//     authorization policy JSON.
// Passwords are never part of any record; bad input is an Error with file:line and what was
// expected there.
//
//   Evidence evidence;
//   for (const auto& path : paths) { WBLAB_TRY(readEvidenceFile(path, evidence), ""); }
//   WBLAB_TRY_ASSIGN(auto draft, draftScenario(evidence, {.id = "case_4711"}), "");
//   writeFileAtomically("case_4711.yaml", draft.yaml);

#include <wblab/support/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wblab::evidence {

/// One entry of the Entra audit log.
struct AuditRecord {
    std::int64_t time = 0;  ///< UTC, seconds since the epoch
    std::string service;    ///< loggedByService: "Self-service Password Management", ...
    std::string category;
    std::string activity;  ///< activityDisplayName
    std::string result;    ///< success | failure | timeout
    std::string resultReason;
    std::string correlationId;
    std::string actorUpn;
    std::string targetUpn;
    std::string targetDisplayName;
    std::vector<std::pair<std::string, std::string>> details;  ///< additionalDetails
    SourcePos where;
};

/// One event of the Application log.
struct AgentEvent {
    std::int64_t time = 0;  ///< UTC seconds (Event Viewer CSV: local time shifted by the offset)
    int id = 0;
    std::string source;  ///< the provider: "PasswordResetService", "ADSync", ...
    std::string text;    ///< the event's message or data
    SourcePos where;
};

/// One LDIF record: attribute values decoded (base64 undone), names as written.
struct DirectoryEntry {
    std::string dn;
    std::vector<std::pair<std::string, std::string>> values;
    std::vector<int> lines;  ///< the line of each value
    SourcePos where;         ///< the dn: line

    /// The first value of the attribute (names compare without case), or null.
    const std::string* first(std::string_view name) const;
    std::vector<std::string> all(std::string_view name) const;
    /// The line of the attribute's first value, or the dn's line.
    int lineOf(std::string_view name) const;
    bool hasObjectClass(std::string_view objectClass) const;
};

struct RiskyUserRecord {
    std::string upn;
    std::string level;
    std::string state;
    std::string detail;
    std::int64_t updated = 0;
    SourcePos where;
};

struct RiskDetectionRecord {
    std::string upn;
    std::string eventType;  ///< riskEventType
    std::string level;
    std::string state;
    std::int64_t detected = 0;
    SourcePos where;
};

/// An authentication method configuration of the authentication methods policy.
struct MethodConfig {
    std::string id;  ///< "Email", "Sms", "Voice", "MicrosoftAuthenticator", "SoftwareOath", ...
    bool enabled = false;
    SourcePos where;
};

struct Evidence {
    std::vector<AuditRecord> audits;
    std::vector<AgentEvent> events;
    std::vector<DirectoryEntry> entries;
    std::vector<RiskyUserRecord> riskyUsers;
    std::vector<RiskDetectionRecord> detections;
    std::vector<MethodConfig> methods;
    std::optional<std::pair<bool, SourcePos>> allowedToUseSspr;  ///< authorizationPolicy
    /// What each file was read as: "audit.json: Graph directoryAudits JSON, 4 entries".
    std::vector<std::string> files;
};

struct ReadOptions {
    /// Event Viewer's CSV holds the exporting machine's local time: minutes to add for UTC
    /// (a machine at UTC+2 exports 11:00 for 09:00 UTC: give -120).
    int eventLogUtcOffsetMinutes = 0;
};

/// Reads one export (its format recognised from the content) into `into`.
Expected<void> readEvidence(std::string_view text,
                            const std::string& name,
                            Evidence& into,
                            const ReadOptions& options = {});

Expected<void> readEvidenceFile(const std::string& path,
                                Evidence& into,
                                const ReadOptions& options = {});

/// Replaces every name, UPN, distinguished name and GUID (object, tenant, correlation and
/// anchor ids) consistently: the same value always becomes the same pseudonym, in every record
/// and in free text.
void pseudonymise(Evidence& evidence);

struct DraftOptions {
    std::string id = "imported";  ///< the scenario id (the file name without .yaml)
    /// The AD DS connector account's sAMAccountName; empty: the entry whose name starts with
    /// MSOL_ (Entra Connect's default).
    std::string connectorAccount;
};

struct Draft {
    std::string yaml;                ///< the scenario, each value commented with its evidence
    std::vector<std::string> notes;  ///< what the evidence could not tell, for the engineer
};

/// The scenario the evidence describes: tenant, users, policy, connector rights, the steps in
/// time order and the observed outcomes as expectations. Passwords are placeholders chosen to
/// behave as the evidence says (accepted, or refused by the policy the evidence shows).
Expected<Draft> draftScenario(const Evidence& evidence, const DraftOptions& options);

}  // namespace wblab::evidence
