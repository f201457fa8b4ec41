// The interactive lab end to end: `wblab lab up` as a child process, driven through its HTTP
// API with cpp-httplib's client, observed through the directory's own TCP listener
// (ldapwhoami), ended with Ctrl-C; its recording replayed by `wblab run`.
#include "e2e_support.hpp"

#include <wblab/support/process.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <httplib.h>
#include <signal.h>

namespace wblab::e2e {

namespace {

using json = nlohmann::json;

const std::string kPasswordMethod = "28c10230-6103-485e-b985-444c60001490";
const std::string kRisk = kScenarios + "/risk/0104_admin_dismisses_risk.yaml";

std::string textOf(const std::string& path) {
    auto text = readFile(path);
    return text ? *text : std::string();
}

/// A running lab: the child, what it printed, its API and the token.
class Lab {
public:
    Lab(const std::string& dir, std::vector<std::string> args) : dir_(dir) {
        ProcessSpec spec;
        spec.argv = {WBLAB_CLI_PATH, "lab", "up"};
        spec.argv.insert(spec.argv.end(), args.begin(), args.end());
        spec.env = {{"PATH", "/usr/bin:/bin"}, {"WBLAB_TMPDIR", dir}};
        spec.stdoutPath = dir + "/lab.out";
        spec.stderrPath = dir + "/lab.err";
        auto started = Process::start(spec);
        REQUIRE(started);
        process_.emplace(std::move(*started));
        // Up when it says so: polled, never slept on.
        const bool up = testkit::waitFor(
            [&] {
                out_ = textOf(spec.stdoutPath);
                return out_.find("Press Ctrl-C") != std::string::npos ||
                       process_->waitUntil(Clock::now()).has_value();
            },
            std::chrono::seconds(30));
        INFO(out_ << textOf(spec.stderrPath));
        REQUIRE(up);
        REQUIRE(out_.find("Press Ctrl-C") != std::string::npos);
        const auto api = field("\n  graph api ");
        port_ = std::stoi(api.substr(api.rfind(':') + 1));
        const auto from = out_.find("bearer token in ") + 16;
        tokenFile_ = out_.substr(from, out_.find(")\n", from) - from);
        token_ = readFile(tokenFile_).value();
    }

    std::string field(const std::string& label) const {
        auto at = out_.find(label);
        REQUIRE(at != std::string::npos);
        auto start = out_.find_first_not_of(' ', at + label.size());
        return out_.substr(start, out_.find_first_of(" \n", start) - start);
    }

    httplib::Client client(bool withToken = true) const {
        httplib::Client c("127.0.0.1", port_);
        if (withToken) {
            c.set_bearer_token_auth(token_.c_str());
        }
        return c;
    }

    json post(const std::string& path, const json& body, int expectStatus) const {
        auto c = client();
        auto res = c.Post(path.c_str(), body.dump(), "application/json");
        REQUIRE(res);
        INFO(path << " -> " << res->status << " " << res->body);
        CHECK(res->status == expectStatus);
        return res->body.empty() ? json() : json::parse(res->body);
    }

    json get(const std::string& path, int expectStatus = 200) const {
        auto c = client();
        auto res = c.Get(path.c_str());
        REQUIRE(res);
        INFO(path << " -> " << res->status << " " << res->body);
        CHECK(res->status == expectStatus);
        return json::parse(res->body);
    }

    /// Ctrl-C: the lab ends within 2 s, successfully, and leaves no process or secret behind;
    /// nothing it printed holds a password.
    void stop(const std::vector<std::string>& passwords) {
        ::kill(process_->pid(), SIGINT);
        auto status = process_->waitUntil(deadlineIn(std::chrono::milliseconds(2000)));
        REQUIRE(status);
        CHECK(status->success());
        CHECK(testkit::processesMentioning(dir_ + "/wblab-ds-").empty());
        CHECK_FALSE(std::filesystem::exists(tokenFile_));
        const std::string console =
            readFile(dir_ + "/lab.out").value() + readFile(dir_ + "/lab.err").value();
        for (const auto& p : passwords) {
            CHECK(console.find(p) == std::string::npos);
        }
        CHECK(console.find(token_) == std::string::npos);
    }

    const std::string& output() const { return out_; }

    int port() const { return port_; }

    const std::string& token() const { return token_; }

private:
    std::string dir_;
    std::optional<Process> process_;
    std::string out_;
    int port_ = 0;
    std::string tokenFile_;
    std::string token_;
};

/// Whether `password` binds as `dn` over the lab's ldap:// listener (as a person's tool would).
bool binds(const std::string& dir,
           const std::string& url,
           const std::string& dn,
           const std::string& password) {
    const std::string secret = dir + "/bind.secret";
    REQUIRE(writeFileAtomically(secret, password));
    ProcessSpec whoami;
    whoami.argv = {"ldapwhoami", "-x", "-H", url, "-D", dn, "-y", secret};
    whoami.env = {{"PATH", "/usr/bin:/bin"}};
    auto done = runProcess(whoami, std::chrono::milliseconds(10000));
    REQUIRE(done);
    std::filesystem::remove(secret);
    return done->success();
}

}  // namespace

TEST_CASE("A reset through the lab's Graph API reaches the directory and the audit log",
          "[e2e][slapd][lab]") {
    auto dir = RunDirectory::create("lab-graph");
    REQUIRE(dir);
    Lab lab(dir->path(), {kReset});
    const std::string ldap = lab.field("\n  ldap ");
    const std::string userDn = "cn=user1,ou=Users,dc=testlab,dc=example";
    const std::string graphPassword = "Graph-Lab-Reset-71!";
    const std::string finalPassword = "Lab-Changed-Pw-72!";
    REQUIRE(binds(dir->path(), ldap, userDn, "Seed-Passw0rd-1"));

    auto users = lab.get("/v1.0/users");
    const auto& user = users["value"][0];
    CHECK(user["userPrincipalName"] == "user1@testlab.example");
    CHECK(user["onPremisesSyncEnabled"] == true);
    const std::string id = user["id"];
    CHECK(lab.get("/v1.0/users/" + id)["userPrincipalName"] == "user1@testlab.example");

    auto c = lab.client();
    auto res = c.Post(
        ("/v1.0/users/" + id + "/authentication/methods/" + kPasswordMethod + "/resetPassword")
            .c_str(),
        json{{"newPassword", graphPassword}}.dump(),
        "application/json");
    REQUIRE(res);
    CHECK(res->status == 202);
    const std::string location = res->get_header_value("Location");
    CHECK_THAT(location,
               Catch::StartsWith("http://127.0.0.1:" + std::to_string(lab.port()) + "/v1.0/users/" +
                                 id + "/authentication/operations/"));
    auto op = lab.get(location.substr(location.find("/v1.0/")));
    CHECK(op["status"] == "succeeded");
    CHECK(op["id"] == location.substr(location.rfind('/') + 1));
    // The directory has the Graph password: the seed no longer binds, and the user's own change
    // from the Graph password (checked on-premises by the agent) succeeds.
    CHECK_FALSE(binds(dir->path(), ldap, userDn, "Seed-Passw0rd-1"));
    auto change = lab.post("/lab/sspr/change",
                           {{"user", "user1@testlab.example"},
                            {"oldPassword", graphPassword},
                            {"newPassword", finalPassword}},
                           200);
    CHECK(change["outcome"] == "success");
    CHECK(binds(dir->path(), ldap, userDn, finalPassword));

    auto audits = lab.get("/v1.0/auditLogs/directoryAudits");
    CHECK(audits["@odata.context"] ==
          "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits");
    bool adminReset = false;
    for (const auto& e : audits["value"]) {
        if (e["activityDisplayName"] == "Reset password (by admin)") {
            adminReset = e["result"] == "success" &&
                         e["targetResources"][0]["userPrincipalName"] == "user1@testlab.example";
        }
    }
    CHECK(adminReset);
    lab.stop({graphPassword, finalPassword, "Seed-Passw0rd-1"});
}

TEST_CASE("The lab answers with Graph's error bodies and statuses", "[e2e][slapd][lab]") {
    auto dir = RunDirectory::create("lab-errors");
    REQUIRE(dir);
    Lab lab(dir->path(), {kReset, "--port", "0"});
    auto isGraphError = [](const json& body, const std::string& code) {
        return body["error"]["code"] == code && body["error"]["message"].is_string() &&
               body["error"]["innerError"]["request-id"].is_string() &&
               body["error"]["innerError"]["date"].is_string();
    };
    CHECK(isGraphError(lab.get("/v1.0/users/nobody@testlab.example", 404),
                       "Request_ResourceNotFound"));
    CHECK(isGraphError(lab.post("/v1.0/users/nobody@testlab.example/authentication/methods/" +
                                    kPasswordMethod + "/resetPassword",
                                {{"newPassword", "Whatever-Passw0rd-1!"}},
                                404),
                       "Request_ResourceNotFound"));
    // A synced user's reset needs the new password (hybrid tenants).
    CHECK(isGraphError(lab.post("/v1.0/users/user1@testlab.example/authentication/methods/" +
                                    kPasswordMethod + "/resetPassword",
                                json::object(),
                                400),
                       "Request_BadRequest"));
    CHECK(isGraphError(lab.get("/v1.0/no/such/thing", 400), "BadRequest"));
    auto anonymous = lab.client(false).Get("/v1.0/users");
    REQUIRE(anonymous);
    CHECK(anonymous->status == 401);
    CHECK(isGraphError(json::parse(anonymous->body), "InvalidAuthenticationToken"));
    auto garbled = lab.client().Post("/lab/sspr/reset", "{not json", "application/json");
    REQUIRE(garbled);
    CHECK(garbled->status == 400);
    lab.stop({});
    // A caller who holds no role that may read or act on risk gets Graph's 403.
    Lab asUser(dir->path(), {kReset, "--port", "0", "--as", "user1@testlab.example"});
    CHECK(isGraphError(asUser.get("/v1.0/identityProtection/riskyUsers", 403),
                       "Authorization_RequestDenied"));
    CHECK(isGraphError(
        asUser.post(
            "/v1.0/identityProtection/riskyUsers/dismiss", {{"userIds", json::array()}}, 403),
        "Authorization_RequestDenied"));
    asUser.stop({});
}

TEST_CASE("The lab plays the scenario's steps up to --until, and riskyUsers dismiss changes risk",
          "[e2e][slapd][lab]") {
    auto dir = RunDirectory::create("lab-risk");
    REQUIRE(dir);
    Lab lab(dir->path(), {kRisk, "--until", "1"});
    CHECK_THAT(lab.output(), Catch::Contains("is up after step 1\n"));
    CHECK_THAT(lab.output(), Catch::Contains("risk: step 1 unfamiliarFeatures"));
    CHECK_THAT(lab.output(), !Catch::Contains("step 2"));
    auto risky = lab.get("/v1.0/identityProtection/riskyUsers");
    REQUIRE(risky["value"].size() == 1);  // step 3's detection for risky4b was not played
    const auto& user = risky["value"][0];
    CHECK(user["userPrincipalName"] == "risky4@testlab.example");
    CHECK(user["riskState"] == "atRisk");
    CHECK(user["riskLevel"] == "medium");
    auto c = lab.client();
    auto res = c.Post("/v1.0/identityProtection/riskyUsers/dismiss",
                      json{{"userIds", {user["id"]}}}.dump(),
                      "application/json");
    REQUIRE(res);
    CHECK(res->status == 204);
    auto after = lab.get("/v1.0/identityProtection/riskyUsers")["value"][0];
    CHECK(after["riskState"] == "dismissed");
    CHECK(after["riskDetail"] == "adminDismissedAllRiskForUser");
    CHECK(after["riskLevel"] == "none");
    lab.stop({"Old-Passw0rd-44", "Old-Passw0rd-45"});
}

TEST_CASE("A recorded lab session replays with wblab run to the same outcomes, without passwords",
          "[e2e][slapd][lab]") {
    auto dir = RunDirectory::create("lab-record");
    REQUIRE(dir);
    const std::string record = dir->path() + "/session.yaml";
    const std::string refused = "Shrt-7!";  // under the policy's minimum length of 8
    const std::string accepted = "Recorded-Reset-81!";
    {
        Lab lab(dir->path(), {kReset, "--until", "1", "--record", record});
        auto reset = lab.post(
            "/lab/sspr/reset", {{"user", "user1@testlab.example"}, {"newPassword", accepted}}, 200);
        CHECK(reset["outcome"] == "success");
        auto tooShort = lab.post(
            "/lab/sspr/reset", {{"user", "user1@testlab.example"}, {"newPassword", refused}}, 200);
        CHECK(tooShort["outcome"] != "success");
        lab.post("/lab/clock/advance", {{"seconds", 3600}}, 200);
        auto c = lab.client();
        auto graph = c.Post(("/v1.0/users/user1@testlab.example/authentication/methods/" +
                             kPasswordMethod + "/resetPassword")
                                .c_str(),
                            json{{"newPassword", "Recorded-Graph-82!"}}.dump(),
                            "application/json");
        REQUIRE(graph);
        CHECK(graph->status == 202);
        // A relay fault through the lab: with the agent down, a reset ends in SSPR_0030.
        lab.post("/lab/fault", {{"kind", "agent_down"}}, 200);
        auto down = lab.post("/lab/sspr/reset",
                             {{"user", "user1@testlab.example"}, {"newPassword", "Agent-Down-83!"}},
                             200);
        CHECK(down["outcome"] == "SSPR_0030");
        lab.stop({accepted, "Recorded-Graph-82!", "Agent-Down-83!"});
    }
    const std::string yaml = readFile(record).value();
    INFO(yaml);
    for (const auto& typed : {accepted,
                              std::string("Recorded-Graph-82!"),
                              std::string("Agent-Down-83!"),
                              std::string("Seed-Passw0rd-1")}) {
        CHECK(yaml.find(typed) == std::string::npos);
    }
    CHECK_THAT(yaml, Catch::Contains("graph_reset:"));
    CHECK_THAT(yaml, Catch::Contains("advance:"));
    CHECK_THAT(yaml, Catch::Contains("fault: agent_down"));
    auto run = runCli({"run", record, "--report-dir", dir->path() + "/report"}, dir->path());
    INFO(run.output());
    CHECK(run.exitCode == 0);
    CHECK_THAT(run.out, Catch::Contains("1 scenarios: 1 passed"));
    // The same outcomes: the replay checked each step's observed outcome and passed them all.
    const auto report = json::parse(readFile(dir->path() + "/report/report.json").value());
    int outcomes = 0;
    for (const auto& check : report["scenarios"][0]["checks"]) {
        if (check["what"].get<std::string>().find(": outcome") != std::string::npos) {
            ++outcomes;
            CHECK(check["passed"] == true);
        }
    }
    CHECK(outcomes == 5);  // step 1 of the scenario, three SSPR resets, the Graph reset
}

}  // namespace wblab::e2e
