// Both bundled agents (the reference agent and agents/examples/bash-agent), driven through the
// protocol codec against a real slapd: protocol 2 carries a 250-character password, a version-1
// agent still works, a tampered envelope is a decryption error that writes nothing, and an
// expired password can be changed. Then the command-line contract every agent of wblab's zoo
// follows (--list-bugs, --bug, --help, --version).
#include <wblab/fixture/directory.hpp>
#include <wblab/protocol/crypto.hpp>
#include <wblab/protocol/messages.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/process.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <sys/stat.h>

using namespace wblab;
using namespace wblab::protocol;

namespace {

const std::string kReferenceAgent = WBLAB_AGENT_PATH;
const std::string kBashAgent = std::string(WBLAB_SOURCE_DIR) + "/agents/examples/bash-agent";
const std::vector<std::pair<std::string, std::string>> kAgentEnvironment = {
    {"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"LANG", "C.UTF-8"}};

/// 250 characters, many multi-byte in UTF-8 (2, 3 and 4 bytes), with the four character classes
/// AD's complexity rule counts: 496 bytes, more than twice what one RSA-OAEP block carries.
std::string longPassword(char first) {
    std::string out = std::string(1, first) + "a1!";
    const char* pieces[] = {"\u00e9", "\u00df", "\u6f22", "\U0001F642", "x", "Z", "7"};
    for (std::size_t i = 0; utf8Characters(out).value() < 250; ++i) {
        out += pieces[i % 7];
    }
    return out;
}

std::int64_t nowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

fixture::DirectoryUser user(const std::string& sam, const std::string& password) {
    fixture::DirectoryUser u;
    u.samAccountName = sam;
    u.upn = sam + "@testlab.example";
    u.password = password;
    return u;
}

/// One agent process after its handshake with a fixture, spoken to line by line through the
/// codec, as the harness does. `offered` are the versions the hello offers; empty: a hello as a
/// version-1 harness sends it, without `protocols`.
class AgentUnderTest {
public:
    AgentUnderTest(std::vector<std::string> argv,
                   const fixture::SlapdFixture& fx,
                   const std::string& stderrPath,
                   std::vector<int> offered = {1, 2},
                   const std::vector<std::pair<std::string, std::string>>& extraEnv = {}) {
        ProcessSpec spec;
        spec.argv = std::move(argv);
        spec.env = kAgentEnvironment;
        spec.env.insert(spec.env.end(), extraEnv.begin(), extraEnv.end());
        spec.stderrPath = stderrPath;
        spec.pipeStdin = true;
        spec.pipeStdout = true;
        auto started = Process::start(spec);
        REQUIRE(started);
        process_.emplace(std::move(*started));
        Hello hello;
        hello.protocols = std::move(offered);
        // Over ldaps when the fixture listens there, with its CA, as the harness does.
        hello.directoryUrl = fx.tlsUrl().empty() ? fx.url() : fx.tlsUrl();
        hello.tlsCaFile = fx.caFile();
        hello.baseDn = fx.baseDn();
        hello.anchorAttribute = fx.anchorAttribute();
        hello.flavour = "openldap-ad";
        hello.connectorDn = fx.connectorDn();
        hello.connectorPassword = fx.connectorPassword();
        std::string line = encode(hello);
        if (hello.protocols.empty()) {
            line = std::regex_replace(line, std::regex(R"(,"protocols":\[\])"), "");
            REQUIRE(line.find("protocols") == std::string::npos);
        }
        auto ready = exchange(line);
        REQUIRE(std::holds_alternative<Ready>(ready));
        ready_ = std::get<Ready>(ready);
        REQUIRE_FALSE(ready_.publicKeyPem.empty());
    }

    ~AgentUnderTest() {
        if (process_) {
            process_->stop(std::chrono::milliseconds(1000));
        }
    }

    AgentUnderTest(const AgentUnderTest&) = delete;
    AgentUnderTest& operator=(const AgentUnderTest&) = delete;

    const Ready& ready() const { return ready_; }

    /// A request for the user `sam`, issued now, valid for five minutes, passwords not set.
    Request request(Operation op, const std::string& sam) {
        Request r;
        r.id = "test-" + std::to_string(++requests_);
        r.operation = op;
        r.anchor = fixture::defaultAnchorFor(sam);
        r.upn = sam + "@testlab.example";
        r.issuedAt = formatUtc(nowSeconds());
        r.expiresAt = formatUtc(nowSeconds() + 300);
        return r;
    }

    /// Seals a password into a request field with the session's version.
    Sealed seal(const Request& r, const std::string& password, const char* field) const {
        auto sealed = protocol::seal(
            ready_.publicKeyPem, password, ready_.protocol, sealContext(r.id, field));
        REQUIRE(sealed);
        return *sealed;
    }

    /// Sends every request before reading any answer; the answers by request id.
    std::map<std::string, Answer> sendAll(const std::vector<Request>& requests) {
        const Deadline deadline = deadlineIn(std::chrono::milliseconds(20000));
        for (const auto& r : requests) {
            REQUIRE(process_->write(encode(r) + "\n", deadline));
        }
        std::map<std::string, Answer> answers;
        while (answers.size() < requests.size()) {
            std::string reply;
            REQUIRE(process_->readLine(reply, deadline, kMaxLineBytes) ==
                    Process::LineStatus::Line);
            auto message = decode(reply);
            REQUIRE(message);
            if (const auto* answer = std::get_if<Answer>(&*message)) {
                CHECK(answers.emplace(answer->id, *answer).second);  // one answer per id
            }
        }
        return answers;
    }

    Answer send(const Request& r) {
        auto message = exchange(encode(r));
        REQUIRE(std::holds_alternative<Answer>(message));
        const auto& answer = std::get<Answer>(message);
        CHECK(answer.id == r.id);
        return answer;
    }

private:
    Message exchange(const std::string& line) {
        // The bash agent makes its key pair with openssl: allow for a loaded machine.
        const Deadline deadline = deadlineIn(std::chrono::milliseconds(20000));
        REQUIRE(process_->write(line + "\n", deadline));
        std::string reply;
        while (true) {
            REQUIRE(process_->readLine(reply, deadline, kMaxLineBytes) ==
                    Process::LineStatus::Line);
            auto message = decode(reply);
            REQUIRE(message);
            if (!std::holds_alternative<Heartbeat>(*message)) {
                return *message;
            }
        }
    }

    std::optional<Process> process_;
    Ready ready_;
    int requests_ = 0;
};

struct Lab {
    std::unique_ptr<fixture::SlapdFixture> fx;
    std::optional<RunDirectory> dir;

    explicit Lab(const fixture::DirectorySeed& seed,
                 const fixture::FixtureOptions& options = fixture::FixtureOptions{}) {
        auto started = fixture::SlapdFixture::start(seed, options);
        if (!started) {
            FAIL("fixture did not start: " << started.error().describe());
        }
        fx = std::move(*started);
        auto made = RunDirectory::create("agent-test");
        REQUIRE(made);
        dir.emplace(std::move(*made));
    }

    /// Why a bind of this password is refused (None when it binds).
    fixture::BindRefusal refusal(const std::string& sam, const std::string& password) const {
        fixture::DirectoryProbe probe(*fx);
        auto outcome = probe.bind(fx->userDn(sam), password);
        REQUIRE(outcome);
        return outcome->refusal();
    }

    bool binds(const std::string& sam, const std::string& password) const {
        fixture::DirectoryProbe probe(*fx);
        auto works = probe.passwordWorks(fx->userDn(sam), password);
        REQUIRE(works);
        return *works;
    }

    /// The agent's log must never hold a password.
    void checkLogHasNone(const std::vector<std::string>& secrets) const {
        auto log = readFile(dir->path() + "/agent.stderr");
        REQUIRE(log);
        for (const auto& secret : secrets) {
            CHECK(log->find(secret) == std::string::npos);
        }
    }
};

struct AgentKind {
    const char* name;
    std::vector<std::string> argv;
};

std::vector<std::string> with(std::vector<std::string> argv, std::vector<std::string> more) {
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
}

const AgentKind kReference{"reference agent", {kReferenceAgent}};
const AgentKind kBash{"bash agent", {kBashAgent}};

}  // namespace

TEST_CASE("A 250-character password round-trips through protocol 2 with each agent",
          "[agent][slapd][v2]") {
    const auto agent = GENERATE(kReference, kBash);
    INFO(agent.name);
    fixture::DirectorySeed seed;
    seed.users = {user("long1", "Seed-Passw0rd-1")};
    Lab lab(seed);
    const auto first = longPassword('A');
    const auto second = longPassword('B');
    REQUIRE(first.size() == 496);
    REQUIRE_FALSE(fitsVersion(first, kProtocolV1));
    {
        AgentUnderTest a(agent.argv, *lab.fx, lab.dir->path() + "/agent.stderr");
        REQUIRE(a.ready().protocol == kProtocolV2);  // the newest both sides speak
        auto reset = a.request(Operation::Reset, "long1");
        reset.newPassword = a.seal(reset, first, "new_password");
        auto answer = a.send(reset);
        INFO(answer.detail);
        CHECK(answer.result == Result::Success);
        CHECK(answer.events == std::vector<int>{31001, 31002});
        CHECK(lab.binds("long1", first));
        CHECK_FALSE(lab.binds("long1", "Seed-Passw0rd-1"));
        // A change carries two sealed passwords, each bound to its own field.
        auto change = a.request(Operation::Change, "long1");
        change.oldPassword = a.seal(change, first, "old_password");
        change.newPassword = a.seal(change, second, "new_password");
        answer = a.send(change);
        INFO(answer.detail);
        CHECK(answer.result == Result::Success);
        CHECK(answer.events == std::vector<int>{31006, 31007});
        CHECK(lab.binds("long1", second));
        CHECK_FALSE(lab.binds("long1", first));
    }
    lab.checkLogHasNone({first, second});
}

TEST_CASE("Each agent verifies the directory's certificate: another CA or host fails each request",
          "[agent][slapd][tls]") {
    using fixture::TlsCertificate;
    const auto agent = GENERATE(kReference, kBash);
    const auto certificate =
        GENERATE(TlsCertificate::Trusted, TlsCertificate::OtherCa, TlsCertificate::OtherHost);
    INFO(agent.name << ", " << fixture::toString(certificate));
    fixture::DirectorySeed seed;
    seed.users = {user("tls1", "Seed-Passw0rd-1")};
    fixture::FixtureOptions options;
    options.tls = true;
    options.tlsCertificate = certificate;
    Lab lab(seed, options);
    // The handshake succeeds whatever the directory presents: onboarding is with the cloud.
    AgentUnderTest a(agent.argv, *lab.fx, lab.dir->path() + "/agent.stderr");
    auto reset = a.request(Operation::Reset, "tls1");
    reset.newPassword = a.seal(reset, "Over-Ldaps-Passw0rd-1", "new_password");
    auto answer = a.send(reset);
    INFO(answer.detail);
    if (certificate == TlsCertificate::Trusted) {
        CHECK(answer.result == Result::Success);
        CHECK(lab.binds("tls1", "Over-Ldaps-Passw0rd-1"));
        return;
    }
    CHECK(answer.result == Result::Failure);
    CHECK(answer.reason == 33001);
    CHECK(answer.events == std::vector<int>{31001, 31003, 33001});
    CHECK(lab.binds("tls1", "Seed-Passw0rd-1"));
    CHECK_FALSE(lab.binds("tls1", "Over-Ldaps-Passw0rd-1"));
}

TEST_CASE(
    "The fault skips-tls-verification writes to a directory whose certificate does not verify",
    "[agent][slapd][tls]") {
    const auto certificate =
        GENERATE(fixture::TlsCertificate::OtherCa, fixture::TlsCertificate::OtherHost);
    fixture::DirectorySeed seed;
    seed.users = {user("tls2", "Seed-Passw0rd-2")};
    fixture::FixtureOptions options;
    options.tls = true;
    options.tlsCertificate = certificate;
    Lab lab(seed, options);
    AgentUnderTest a(with(kReference.argv, {"--bug", "skips-tls-verification"}),
                     *lab.fx,
                     lab.dir->path() + "/agent.stderr");
    auto reset = a.request(Operation::Reset, "tls2");
    reset.newPassword = a.seal(reset, "Unverified-Passw0rd-2", "new_password");
    CHECK(a.send(reset).result == Result::Success);
    CHECK(lab.binds("tls2", "Unverified-Passw0rd-2"));
}

TEST_CASE("A version 1 agent still works, a longer password does not fit it",
          "[agent][slapd][v1]") {
    struct Case {
        AgentKind agent;
        std::vector<int> offered;
    };

    // An agent told to speak only version 1, and a harness of version 1 (a hello without an offer).
    const auto c = GENERATE(
        Case{{"reference --protocol 1", with(kReference.argv, {"--protocol", "1"})}, {1, 2}},
        Case{{"bash --protocol 1", with(kBash.argv, {"--protocol", "1"})}, {1, 2}},
        Case{kReference, {}},
        Case{kBash, {}});
    INFO(c.agent.name);
    fixture::DirectorySeed seed;
    seed.users = {user("old1", "Seed-Passw0rd-1")};
    Lab lab(seed);
    AgentUnderTest a(c.agent.argv, *lab.fx, lab.dir->path() + "/agent.stderr", c.offered);
    REQUIRE(a.ready().protocol == kProtocolV1);
    auto reset = a.request(Operation::Reset, "old1");
    reset.newPassword = a.seal(reset, "V1-Passw0rd-1", "new_password");
    CHECK(reset.newPassword->algorithm == "RSA-OAEP-256");
    auto answer = a.send(reset);
    INFO(answer.detail);
    CHECK(answer.result == Result::Success);
    CHECK(lab.binds("old1", "V1-Passw0rd-1"));
    // What the harness decides before it runs a scenario: 250 characters do not fit version 1.
    CHECK_FALSE(fitsVersion(longPassword('A'), a.ready().protocol));
    CHECK_FALSE(protocol::seal(a.ready().publicKeyPem, longPassword('A'), kProtocolV1));
    // The other version's envelope is refused in a version-1 session.
    auto wrongEnvelope = a.request(Operation::Reset, "old1");
    wrongEnvelope.newPassword = *protocol::seal(a.ready().publicKeyPem,
                                                "V2-Passw0rd-1",
                                                kProtocolV2,
                                                sealContext(wrongEnvelope.id, "new_password"));
    answer = a.send(wrongEnvelope);
    CHECK(answer.reason == 32004);
    CHECK(lab.binds("old1", "V1-Passw0rd-1"));
}

TEST_CASE("A tampered protocol 2 envelope is a decryption error (32004) and writes nothing",
          "[agent][slapd][v2]") {
    const auto agent = GENERATE(kReference, kBash);
    INFO(agent.name);
    fixture::DirectorySeed seed;
    seed.users = {user("tamper1", "Seed-Passw0rd-1")};
    Lab lab(seed);
    AgentUnderTest a(agent.argv, *lab.fx, lab.dir->path() + "/agent.stderr");
    REQUIRE(a.ready().protocol == kProtocolV2);
    // Changes one character of a base64 text, keeping it base64 of the same length.
    auto flip = [](std::string& b64) { b64[1] = b64[1] == 'A' ? 'B' : 'A'; };

    struct Tamper {
        const char* what;
        std::function<void(Request&)> apply;
    };

    const Tamper tampers[] = {
        {"the tag", [&](Request& r) { flip(r.newPassword->tag); }},
        {"the nonce", [&](Request& r) { flip(r.newPassword->iv); }},
        {"the wrapped key", [&](Request& r) { flip(r.newPassword->key); }},
        {"the ciphertext", [&](Request& r) { flip(r.newPassword->data); }},
        {"a tag cut short", [](Request& r) { r.newPassword->tag.resize(12); }},
        // A genuine envelope moved from another request: its additional data names that one.
        {"another request's envelope",
         [&](Request& r) {
             Request other = r;
             other.id = r.id + "-other";
             r.newPassword = a.seal(other, "Moved-Passw0rd-1", "new_password");
         }},
        {"the old password's envelope",
         [&](Request& r) { r.newPassword = a.seal(r, "Moved-Passw0rd-1", "old_password"); }},
    };
    for (const auto& tamper : tampers) {
        INFO(tamper.what);
        auto r = a.request(Operation::Reset, "tamper1");
        r.newPassword = a.seal(r, "Moved-Passw0rd-1", "new_password");
        tamper.apply(r);
        auto answer = a.send(r);
        CHECK(answer.result == Result::Failure);
        CHECK(answer.reason == 32004);
        CHECK(answer.events == std::vector<int>{31001, 31003, 32004});
    }
    CHECK(lab.binds("tamper1", "Seed-Passw0rd-1"));
    CHECK_FALSE(lab.binds("tamper1", "Moved-Passw0rd-1"));
}

TEST_CASE("An expired password is changed without binding as the user", "[agent][slapd]") {
    const auto agent = GENERATE(kReference, kBash);
    INFO(agent.name);
    fixture::DirectorySeed seed;
    seed.policy.maxPwdAgeSeconds = 86400;
    auto expired = user("exp1", "Seed-Passw0rd-1");
    expired.passwordAgeSeconds = 2 * 86400;
    auto wrong = user("exp2", "Seed-Passw0rd-2");
    wrong.passwordAgeSeconds = 2 * 86400;
    seed.users = {expired, wrong};
    Lab lab(seed);
    // Expired: the right password cannot bind.
    REQUIRE(lab.refusal("exp1", "Seed-Passw0rd-1") == fixture::BindRefusal::Expired);
    AgentUnderTest a(agent.argv, *lab.fx, lab.dir->path() + "/agent.stderr");
    auto change = a.request(Operation::ForcedChange, "exp1");
    change.oldPassword = a.seal(change, "Seed-Passw0rd-1", "old_password");
    change.newPassword = a.seal(change, "Chosen-Passw0rd-1", "new_password");
    auto answer = a.send(change);
    INFO(answer.detail);
    CHECK(answer.result == Result::Success);
    CHECK(answer.events == std::vector<int>{31006, 31007});
    CHECK(lab.binds("exp1", "Chosen-Passw0rd-1"));
    // The current password is still proved: a wrong one is 33007 and changes nothing.
    auto guess = a.request(Operation::ForcedChange, "exp2");
    guess.oldPassword = a.seal(guess, "Guessed-Passw0rd-2", "old_password");
    guess.newPassword = a.seal(guess, "Chosen-Passw0rd-2", "new_password");
    answer = a.send(guess);
    CHECK(answer.result == Result::Failure);
    CHECK(answer.events == std::vector<int>{31006, 31008, 33007});
    CHECK_FALSE(lab.binds("exp2", "Chosen-Passw0rd-2"));
}

namespace {

struct Ran {
    ExitStatus status;
    std::string out;
    std::string err;
};

Ran run(std::vector<std::string> argv) {
    auto dir = RunDirectory::create("agent-cli");
    REQUIRE(dir);
    ProcessSpec spec;
    spec.argv = std::move(argv);
    spec.env = kAgentEnvironment;
    spec.stdoutPath = dir->path() + "/out";
    spec.stderrPath = dir->path() + "/err";
    auto status = runProcess(spec, std::chrono::milliseconds(10000));
    REQUIRE(status);
    return {*status, readFile(spec.stdoutPath).value(), readFile(spec.stderrPath).value()};
}

}  // namespace

TEST_CASE("Each agent lists its faults as the protocol document says, and runs each of them",
          "[agent][cli]") {
    const auto agent = GENERATE(kReference, kBash);
    INFO(agent.name);
    auto listed = run(with(agent.argv, {"--list-bugs"}));
    CHECK(listed.status.success());
    std::istringstream lines(listed.out);
    std::vector<std::string> names;
    const std::regex line("([a-z0-9-]+)\t[^\t\n]+");
    for (std::string l; std::getline(lines, l);) {
        std::smatch m;
        INFO(l);
        REQUIRE(std::regex_match(l, m, line));
        names.push_back(m[1]);
    }
    CHECK(names.size() >= 5);
    CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
    // Every listed fault is accepted: given no hello, the agent reads end of input and exits 0.
    for (const auto& name : names) {
        INFO(name);
        auto ran = run(with(agent.argv, {"--bug", name}));
        CHECK(ran.status.success());
    }
    auto unknown = run(with(agent.argv, {"--bug", "no-such-fault"}));
    CHECK(unknown.status.exited);
    CHECK(unknown.status.code == 2);
    CHECK_THAT(unknown.err, Catch::Contains("no-such-fault"));
    CHECK(unknown.out.empty());
}

TEST_CASE("Each agent answers --help and --version with exit 0, a bad option with 2",
          "[agent][cli]") {
    const auto agent = GENERATE(kReference, kBash);
    INFO(agent.name);
    auto help = run(with(agent.argv, {"--help"}));
    CHECK(help.status.success());
    CHECK_THAT(help.out, Catch::Contains("usage:") && Catch::Contains("--list-bugs"));
    auto version = run(with(agent.argv, {"--version"}));
    CHECK(version.status.success());
    CHECK_THAT(version.out, Catch::Matches("[a-z-]+ [0-9]+\\.[0-9]+\\.[0-9]+ .*\n"));
    auto bad = run(with(agent.argv, {"--frobnicate"}));
    CHECK(bad.status.code == 2);
    auto badVersion = run(with(agent.argv, {"--protocol", "3"}));
    CHECK(badVersion.status.code == 2);
}

TEST_CASE("The reference agent declares a window and serves that many requests at once",
          "[agent][slapd][window]") {
    fixture::DirectorySeed seed;
    const int users = 24;
    for (int i = 0; i < users; ++i) {
        seed.users.push_back(user("win" + std::to_string(i), "Seed-Passw0rd-" + std::to_string(i)));
    }
    Lab lab(seed);
    AgentUnderTest agent({kReferenceAgent}, *lab.fx, lab.dir->path() + "/agent.stderr");
    CHECK(agent.ready().window == 8);
    std::vector<Request> requests;
    std::vector<std::string> secrets;
    for (int i = 0; i < users; ++i) {
        auto r = agent.request(Operation::Reset, "win" + std::to_string(i));
        secrets.push_back("Window-Reset-" + std::to_string(i) + "-Pw0rd");
        r.newPassword = agent.seal(r, secrets.back(), "new_password");
        requests.push_back(r);
    }
    // A second request for the first user, after its first: applied after it, one at a time.
    auto again = agent.request(Operation::Reset, "win0");
    secrets.push_back("Window-Again-0-Pw0rd");
    again.newPassword = agent.seal(again, secrets.back(), "new_password");
    requests.push_back(again);
    const auto answers = agent.sendAll(requests);
    for (const auto& r : requests) {
        INFO(r.id);
        REQUIRE(answers.count(r.id) == 1);
        CHECK(answers.at(r.id).result == Result::Success);
    }
    for (int i = 1; i < users; ++i) {
        CHECK(lab.binds("win" + std::to_string(i), secrets[static_cast<std::size_t>(i)]));
    }
    CHECK(lab.binds("win0", "Window-Again-0-Pw0rd"));
    lab.checkLogHasNone(secrets);
}

TEST_CASE("The reference agent's window option takes 1 to 64, and 1 is one at a time",
          "[agent][cli]") {
    for (const char* bad : {"0", "65", "x", "-1"}) {
        INFO(bad);
        auto ran = run({kReferenceAgent, "--window", bad});
        CHECK(ran.status.code == 2);
        CHECK_THAT(ran.err, Catch::Contains("--window"));
    }
    CHECK(run({kReferenceAgent, "--window", "1"}).status.success());
    CHECK(run({kReferenceAgent, "--window", "64"}).status.success());
}

TEST_CASE("Each agent keeps its key pair in WBLAB_AGENT_STATE from one start to the next",
          "[agent][slapd][key]") {
    struct Subject {
        std::string program;
        std::string keyFile;
    };

    const auto subject = GENERATE(Subject{kReferenceAgent, "wblab-reference-agent.key"},
                                  Subject{kBashAgent, "wblab-bash-agent.key"});
    INFO(subject.program);
    fixture::DirectorySeed seed;
    seed.users.push_back(user("kept1", "Seed-Passw0rd-1"));
    Lab lab(seed);
    auto state = RunDirectory::create("agent-state-test");
    REQUIRE(state);
    const std::vector<std::pair<std::string, std::string>> env = {
        {"WBLAB_AGENT_STATE", state->path()}};
    const std::string log = lab.dir->path() + "/agent.stderr";
    auto keyOfNewAgent = [&](bool withState) {
        AgentUnderTest agent(
            {subject.program}, *lab.fx, log, {1, 2}, withState ? env : decltype(env){});
        return agent.ready().publicKeyPem;
    };
    const std::string first = keyOfNewAgent(true);
    {
        // The next start presents the same key and opens what is sealed to it.
        AgentUnderTest again({subject.program}, *lab.fx, log, {1, 2}, env);
        CHECK(again.ready().publicKeyPem == first);
        auto r = again.request(Operation::Reset, "kept1");
        r.newPassword = again.seal(r, "Kept-Key-Passw0rd-2", "new_password");
        const auto answers = again.sendAll({r});
        REQUIRE(answers.count(r.id) == 1);
        CHECK(answers.at(r.id).result == Result::Success);
    }
    CHECK(lab.binds("kept1", "Kept-Key-Passw0rd-2"));
    const auto text = readFile(log);
    REQUIRE(text);
    CHECK_THAT(*text, Catch::Contains("key pair kept from an earlier start"));
    CHECK_THAT(*text, !Catch::Contains("PRIVATE KEY"));
    // Without the directory every start makes a key of its own.
    CHECK(keyOfNewAgent(false) != first);
    // A kept key that others may read is not used: a new one replaces it, for the owner only.
    const std::string file = state->path() + "/" + subject.keyFile;
    REQUIRE(::chmod(file.c_str(), 0644) == 0);
    const std::string replaced = keyOfNewAgent(true);
    CHECK(replaced != first);

    struct stat st {};

    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 077) == 0);
    CHECK(keyOfNewAgent(true) == replaced);
}
