// Each export format read into records that keep their file and line, and bad evidence refused
// with file:line and what was expected there.
#include <wblab/evidence/evidence.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace wblab::evidence {

namespace {

Evidence readOk(const std::string& text, const std::string& name, ReadOptions options = {}) {
    Evidence e;
    auto read = readEvidence(text, name, e, options);
    if (!read) {
        FAIL(read.error().describe());
    }
    return e;
}

Error readBad(const std::string& text, const std::string& name) {
    Evidence e;
    auto read = readEvidence(text, name, e);
    REQUIRE_FALSE(read);
    REQUIRE(read.error().where);
    CHECK(read.error().where->file == name);
    return read.error();
}

const char* kGraphAudits = R"J({
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
  "value": [
    {
      "id": "a1",
      "category": "UserManagement",
      "correlationId": "0f9b7a3c-1111-4222-8333-444455556666",
      "result": "failure",
      "resultReason": "OnPremisesAdminActionRequired",
      "activityDisplayName": "Reset password (self-service)",
      "activityDateTime": "2026-03-02T09:00:00.1234567Z",
      "loggedByService": "Self-service Password Management",
      "initiatedBy": {"user": {"userPrincipalName": "amy@corp.example"}, "app": null},
      "targetResources": [{"type": "User", "userPrincipalName": "amy@corp.example",
                           "displayName": "Amy"}],
      "additionalDetails": [{"key": "OnPremisesAgent", "value": "Microsoft Entra Connect"}]
    },
    {"activityDisplayName": "Change password (self-service)", "result": "success",
     "activityDateTime": "2026-03-02T09:05:00Z",
     "targetResources": [{"userPrincipalName": "amy@corp.example"}]}
  ]
})J";

}  // namespace

TEST_CASE("Graph directoryAudits JSON is read with the line of each entry", "[readers]") {
    auto e = readOk(kGraphAudits, "audits.json");
    REQUIRE(e.audits.size() == 2);
    const auto& a = e.audits[0];
    CHECK(a.activity == "Reset password (self-service)");
    CHECK(a.result == "failure");
    CHECK(a.resultReason == "OnPremisesAdminActionRequired");
    CHECK(a.targetUpn == "amy@corp.example");
    CHECK(a.time == 1772442000);  // 2026-03-02T09:00:00Z
    CHECK(a.where.line == 4);
    CHECK(a.details.at(0).second == "Microsoft Entra Connect");
    CHECK(e.audits[1].where.line == 18);
    CHECK(e.audits[1].time == 1772442300);
    CHECK_THAT(e.files.at(0), Catch::Contains("Graph directoryAudits JSON, 2 entries"));
}

TEST_CASE("PowerShell exports are read, and one cut by ConvertTo-Json's depth is refused",
          "[readers]") {
    const std::string ps51 = R"J([
    {
        "ActivityDateTime":  "\/Date(1772442000000)\/",
        "ActivityDisplayName":  "Change password (self-service)",
        "Result":  "success",
        "TargetResources":  [ { "UserPrincipalName":  "bo@corp.example", "AdditionalProperties": {} } ],
        "AdditionalProperties":  {}
    }
])J";
    auto e = readOk(ps51, "ps.json");
    REQUIRE(e.audits.size() == 1);
    CHECK(e.audits[0].time == 1772442000);
    CHECK(e.audits[0].targetUpn == "bo@corp.example");
    auto cut = readBad(R"J([{"ActivityDateTime": "2026-03-02T09:00:00Z",
  "ActivityDisplayName": "Reset password (self-service)",
  "TargetResources": ["Microsoft.Graph.PowerShell.Models.MicrosoftGraphTargetResource"]}])J",
                       "cut.json");
    CHECK_THAT(cut.message, Catch::Contains("ConvertTo-Json -Depth"));
    CHECK(cut.where->line == 1);
}

TEST_CASE("The audit log CSV is read by column name, in any order", "[readers]") {
    const std::string csv =
        "\xEF\xBB\xBF"
        "Activity,Result,Date (UTC),ResultReason,Target1UserPrincipalName\r\n"
        "Reset password (self-service),failure,2026-03-02T09:00:00.0000000Z,"
        "\"We could not reach your on-premises password reset service, sorry\",cy@corp.example\r\n";
    auto e = readOk(csv, "audit.csv");
    REQUIRE(e.audits.size() == 1);
    CHECK(e.audits[0].resultReason ==
          "We could not reach your on-premises password reset service, sorry");
    CHECK(e.audits[0].where.line == 2);
    CHECK(e.audits[0].targetUpn == "cy@corp.example");
}

TEST_CASE("wevtutil XML is read with or without a root element", "[readers]") {
    const std::string one =
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        "<Provider Name='PasswordResetService'/><EventID Qualifiers='0'>31001</EventID>"
        "<TimeCreated SystemTime='2026-03-02T09:00:01.5000000Z'/></System><EventData>"
        "<Data>PasswordResetRequestStart, Details: dee@corp.example</Data></EventData></Event>\n";
    auto flat = readOk(one + one, "app.xml");
    REQUIRE(flat.events.size() == 2);
    CHECK(flat.events[0].id == 31001);
    CHECK(flat.events[0].source == "PasswordResetService");
    CHECK(flat.events[0].time == 1772442001);
    CHECK(flat.events[1].where.line == 2);
    CHECK_THAT(flat.events[0].text, Catch::Contains("dee@corp.example"));
    auto rooted = readOk("<Events>\n" + one + "</Events>\n", "rooted.xml");
    CHECK(rooted.events.size() == 1);
    CHECK(rooted.events[0].where.line == 2);
}

TEST_CASE("Event Viewer's CSV: the description in the sixth field, local time shifted",
          "[readers]") {
    const std::string csv =
        "Level,Date and Time,Source,Event ID,Task Category\r\n"
        "Error,3/2/2026 10:00:02 AM,PasswordResetService,33004,None,\"ADPermissionsError, "
        "Details: eve@corp.example\"\r\n"
        "Information,3/2/2026 1:00:01 PM,PasswordResetService,31001,None,Start\r\n";
    auto e = readOk(csv, "app.csv", ReadOptions{-60});  // saved on a machine at UTC+01:00
    REQUIRE(e.events.size() == 2);
    CHECK(e.events[0].id == 33004);
    CHECK(e.events[0].time == 1772442002);  // 09:00:02 UTC
    CHECK(e.events[1].time == 1772442000 + 3 * 3600 + 1);
    CHECK_THAT(e.events[0].text, Catch::Contains("eve@corp.example"));
    CHECK(e.events[1].where.line == 3);
}

TEST_CASE("LDIF: folded lines, base64, comments, ldifde's changetype: add, UTF-16", "[readers]") {
    const std::string ldif =
        "version: 1\n"
        "# a comment\n"
        "dn: CN=Fay,OU=Staff,DC=corp,DC=example\n"
        "changetype: add\n"
        "sAMAccountName: fay\n"
        "displayName:: RsOkeQ==\n"
        "description: a long value folded\n"
        "  across two lines\n"
        "\n"
        "dn: DC=corp,DC=example\n"
        "minPwdLength: 12\n";
    auto e = readOk(ldif, "dir.ldf");
    REQUIRE(e.entries.size() == 2);
    CHECK(*e.entries[0].first("displayName") == "F\xC3\xA4y");
    CHECK(*e.entries[0].first("description") == "a long value folded across two lines");
    CHECK(e.entries[0].where.line == 3);
    CHECK(e.entries[0].lineOf("sAMAccountName") == 5);
    CHECK(e.entries[1].where.line == 10);
    std::string utf16 = "\xFF\xFE";
    for (char c : std::string("dn: DC=corp,DC=example\r\nminPwdLength: 9\r\n")) {
        utf16 += c;
        utf16 += '\0';
    }
    auto wide = readOk(utf16, "wide.ldf");
    REQUIRE(wide.entries.size() == 1);
    CHECK(*wide.entries[0].first("minPwdLength") == "9");
}

TEST_CASE("Bad evidence is refused with file:line and what was expected", "[readers]") {
    struct Case {
        std::string text;
        int line;
        std::string message;
    };

    const Case cases[] = {
        {"{\n  \"value\": [\n    {\"activityDisplayName\": \"x\",\n", 4, "not valid JSON"},
        {"[{\"activityDisplayName\": \"Reset password (self-service)\",\n"
         "  \"activityDateTime\": \"yesterday\"}]",
         1,
         "activityDateTime: expected an ISO 8601 time"},
        {"{\"value\": [{\"foo\": 1}]}", 1, "expected a directoryAudit"},
        {"<Event><System><EventID>31001</EventID>\n<TimeCreated "
         "SystemTime='soon'/></System></Event>",
         2,
         "TimeCreated SystemTime: expected an ISO 8601 UTC time"},
        {"<Event><System>\n<EventID>lots</EventID></System></Event>",
         2,
         "EventID: expected a number"},
        {"<Event><Oops></Event>", 1, "not well-formed XML"},
        {"Date (UTC),Activity,Result\n2026-03-02T09:00:00Z,Reset,\"unclosed\n", 2, "not valid CSV"},
        {"Date (UTC),Activity,Result\nnot a date,Reset,success\n", 2, "Date (UTC): expected"},
        {"Date (UTC),Activity\n", 1, "the header lacks 'result'"},
        {"Level,Date and Time,Source,Event ID,Task Category\nError,3/2/2026 9:00:00 "
         "AM,X,abc,None,t\n",
         2,
         "Event ID: expected a number"},
        {"dn: CN=a,DC=x\nchangetype: modify\nreplace: cn\n", 2, "expected an export"},
        {"dn: CN=a,DC=x\nno colon here\n", 2, "expected 'attribute: value'"},
        {"dn: CN=a,DC=x\nphoto:: ***\n", 2, "expected a base64 value"},
        {"version: 2\ndn: CN=a\n", 1, "expected 'version: 1'"},
        {"just some words\n", 1, "unknown format"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto e = readBad(c.text, "bad.txt");
        CHECK_THAT(e.message, Catch::Contains(c.message));
        CHECK(e.where->line == c.line);
    }
}

TEST_CASE("Binary garbage and NUL bytes are refused, not crashed on", "[readers]") {
    Evidence e;
    CHECK_FALSE(readEvidence(std::string("dn: x\0y", 7), "nul.ldf", e));
    CHECK_FALSE(readEvidence("\xFF\xFE\x00", "odd.ldf", e));
    CHECK_FALSE(readEvidence("\xC3\x28 not utf-8", "bad.txt", e));
    CHECK_FALSE(readEvidence("", "empty.txt", e));
    CHECK(e.audits.empty());
}

}  // namespace wblab::evidence
