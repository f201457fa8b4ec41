// wblab-agent: the reference password-writeback agent. It speaks agent protocol 2 (or 1, when the
// harness offers only that or --protocol 1 says so) on stdin and stdout, writes to the directory
// with libldap as the connector account, and logs to stderr (never a password). It shares only the
// protocol codec with the harness, never its checks.
//
// --bug NAME makes it wrong in one catalogued way (the bug zoo), so that the harness can prove
// that its checks catch that fault.
#include "directory_writer.hpp"
#include "workers.hpp"

#include <wblab/protocol/crypto.hpp>
#include <wblab/protocol/messages.hpp>
#include <wblab/support/version.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <variant>

namespace {

using namespace wblab;
using namespace wblab::protocol;

constexpr const char* kName = "wblab-reference-agent";

// Event ids of the PasswordResetService source (DOMAIN.md §5.1).
constexpr int kOnboardingStart = 31004;
constexpr int kOnboardingSuccess = 31005;
constexpr int kServiceStopped = 31016;
constexpr int kAuthTokenSuccess = 31017;
constexpr int kKeyPairCreated = 31018;
constexpr int kInputValidationError = 32003;
constexpr int kDecryptionError = 32004;
constexpr int kAdUserAccountDisabled = 33005;

/// The start / success / fail events of each operation family. Unlock-only has no documented
/// events (DOMAIN.md §10), so it logs none of its own.
struct EventFamily {
    int start;
    int success;
    int fail;
};

EventFamily familyOf(Operation op) {
    switch (op) {
        case Operation::Reset:
            return {31001, 31002, 31003};
        case Operation::Change:
        case Operation::ForcedChange:
            return {31006, 31007, 31008};
        case Operation::AdminReset:
            return {31009, 31010, 31011};
        case Operation::UnlockOnly:
            return {0, 0, 0};
    }
    return {0, 0, 0};
}

struct Bug {
    const char* name;
    const char* description;
};

// The bug zoo: each entry is one catalogued way for a writeback agent to be wrong.
constexpr Bug kBugs[] = {
    {"success-without-write", "answers success without writing anything"},
    {"old-password-still-works",
     "adds the new password beside the old one instead of replacing it (split brain)"},
    {"ignores-unlock", "does not clear the lockout when asked to unlock"},
    {"ignores-must-change", "does not set must-change-at-next-logon when the admin asked for it"},
    {"policy-as-permission", "reports a password-policy refusal as a permission error (33004)"},
    {"logs-password", "writes the new password to its log"},
    {"applies-replay", "applies a request whose id it has already seen"},
    {"matches-by-upn", "finds the user by userPrincipalName instead of the source anchor"},
    {"wrong-event-ids", "reports the admin-reset event family for every operation"},
    {"hangs", "never answers a request"},
    {"crashes-mid-operation", "dies after finding the user, before writing"},
    {"answers-late", "answers each request 11 s late, after the harness's deadline"},
    {"accepts-plaintext", "asks for passwords in clear: declares plaintext and sends no key"},
    {"ignores-expiry", "applies a request after its expires_at"},
    {"applies-stale", "applies an older request that arrives after a newer one for the same user"},
    {"change-as-reset",
     "makes a user's change with the connector's reset right after checking the current password "
     "(more privilege than the user has: ignores cannot-change, fails for protected accounts)"},
    {"skips-tls-verification",
     "connects over ldaps without verifying the directory's certificate (any CA, any host name)"},
    {"keeps-request-ids",
     "remembers the request ids of the previous session after a new hello (refuses a new "
     "request as a replay)"},
    {"keeps-request-order",
     "remembers the newest issued_at per account of the previous session after a new hello "
     "(refuses a new request as stale)"},
};

/// The version to speak: the newest that the hello offers and this agent may speak (all it
/// knows, or only `only` when --protocol names one); nullopt when there is none.
std::optional<int> chooseVersion(const std::vector<int>& offered, int only) {
    std::optional<int> best;
    for (int v : kProtocolVersions) {
        const bool mine = only == 0 || v == only;
        if (mine && std::find(offered.begin(), offered.end(), v) != offered.end()) {
            best = v;
        }
    }
    return best;
}

/// The window the reference agent declares unless --window says otherwise: requests of a storm
/// it takes at once, each served by a worker thread with its own directory connection.
constexpr int kDefaultWindow = 8;

struct Agent {
    std::string bug;
    int onlyVersion = 0;  ///< --protocol N: speak only version N (0: any this agent knows)
    int version = kProtocolV1;
    int window = kDefaultWindow;  ///< --window N; 1 serves each request on the reading thread
    std::optional<KeyPair> keys;
    /// One directory connection per worker (index 0 also for the reading thread), made on first
    /// use after a hello; the hello's own connection is index 0.
    std::vector<std::unique_ptr<agent::DirectoryWriter>> directories;
    std::string flavour;
    agent::DirectoryConfig directoryConfig;
    std::unique_ptr<agent::Workers> workers;
    std::mutex outLock;
    std::mutex logLock;
    std::set<std::string> seenIds;
    /// The latest issued_at seen per anchor: an older request arriving later is stale.
    std::map<std::string, std::int64_t> newestIssued;

    bool hasBug(const char* name) const { return bug == name; }

    void send(const Message& m) {
        std::string line = encode(m);
        line += '\n';
        std::lock_guard guard(outLock);
        std::cout.write(line.data(), static_cast<std::streamsize>(line.size()));
        std::cout.flush();
    }

    void log(const std::string& text) {
        std::string line = std::string(kName) + ": " + text + "\n";
        std::lock_guard guard(logLock);
        std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
        std::cerr.flush();
    }

    /// The key pair kept in the state directory wblab gives its agents (WBLAB_AGENT_STATE,
    /// docs/agent-protocol.md), as a real agent keeps its key across restarts of its service;
    /// a new one, kept there for the next start, when none is kept or there is no directory.
    Expected<KeyPair> keptOrNewKeys() {
        const char* state = std::getenv("WBLAB_AGENT_STATE");
        if (state == nullptr || *state == '\0') {
            return KeyPair::generate();
        }
        const std::string path = std::string(state) + "/wblab-reference-agent.key";
        auto kept = KeyPair::load(path);
        if (kept) {
            log("key pair kept from an earlier start");
            return kept;
        }
        if (kept.error().code != ErrorCode::NotFound) {
            log("not using the kept key pair: " + kept.error().message);
        }
        auto made = KeyPair::generate();
        if (made) {
            if (auto saved = made->save(path); !saved) {
                log("cannot keep the key pair: " + saved.error().message);
            }
        }
        return made;
    }

    /// The directory connection of `worker`, made (and connected, or tried) on first use.
    agent::DirectoryWriter& directoryOf(int worker) {
        auto& slot = directories[static_cast<std::size_t>(worker)];
        if (!slot) {
            slot = agent::makeDirectoryWriter(flavour, directoryConfig);
            (void)slot->connect();  // a failure is each operation's to report (33001)
        }
        return *slot;
    }

    /// Serves a request: on a worker when the window is above 1, else here.
    void take(const Request& r) {
        log("request " + r.id + ": " + toString(r.operation) + " for anchor " + r.anchor);
        if (auto refused = refuseUnusable(r)) {
            send(*refused);
            return;
        }
        if (!workers) {
            answer(r, directoryOf(0));
            return;
        }
        workers->submit(r.anchor, [this, r](int worker) { answer(r, directoryOf(worker)); });
    }

    void answer(const Request& r, agent::DirectoryWriter& directory) {
        auto reply = onRequest(r, directory);
        if (hasBug("answers-late")) {
            std::this_thread::sleep_for(std::chrono::seconds(11));
        }
        send(reply);
    }

    /// Waits until every request taken is answered (before a hello or at shutdown).
    void drain() {
        if (workers) {
            workers->drain();
        }
    }

    /// A hello starts a session: the first one after start, or a later one for the next scenario
    /// (protocol v1.1, "rehandshake"): the agent forgets the previous session's directory and
    /// request ids, and keeps its key pair (a new key per session would cost a prime search).
    bool onHello(const Hello& hello) {
        auto chosen = chooseVersion(hello.protocols, onlyVersion);
        if (!chosen) {
            log("no protocol version in common with the harness");
            return false;
        }
        version = *chosen;
        Ready ready;
        ready.protocol = version;
        ready.agentName = kName;
        ready.agentVersion = kVersion;
        ready.capabilities = {"reset",
                              "change",
                              "admin_reset",
                              "unlock_only",
                              "forced_change",
                              "rehandshake",
                              "directory:openldap-ad",
                              "directory:samba-ad"};
        if (!hasBug("keeps-request-ids")) {
            seenIds.clear();
        }
        if (!hasBug("keeps-request-order")) {
            newestIssued.clear();
        }
        drain();
        directories.clear();
        directories.resize(static_cast<std::size_t>(std::max(1, window)));
        if (window > 1 && !workers) {
            workers = std::make_unique<agent::Workers>(window);
        }
        if (hasBug("accepts-plaintext")) {
            ready.capabilities.push_back("plaintext");
        } else if (keys) {
            ready.publicKeyPem = keys->publicKeyPem();
        } else {
            auto keyPair = keptOrNewKeys();
            if (!keyPair) {
                log("cannot create the key pair: " + keyPair.error().message);
                return false;
            }
            keys.emplace(std::move(*keyPair));
            ready.publicKeyPem = keys->publicKeyPem();
        }
        agent::DirectoryConfig config;
        config.url = hello.directoryUrl;
        config.tlsCaFile = hello.tlsCaFile;
        config.baseDn = hello.baseDn;
        config.anchorAttribute = hello.anchorAttribute;
        config.connectorDn = hello.connectorDn;
        config.connectorPassword = hello.connectorPassword;
        config.skipTlsVerification = hasBug("skips-tls-verification");
        flavour = hello.flavour;
        directoryConfig = config;
        directories[0] = agent::makeDirectoryWriter(hello.flavour, std::move(config));
        // Onboarding is with the cloud: a directory that does not answer, or whose certificate
        // does not verify, fails each request (33001, after another try), not the handshake.
        if (auto connected = directories[0]->connect(); !connected) {
            log("cannot connect to the directory as the connector (each request tries again): " +
                connected.error().message);
        }
        log("onboarded against " + hello.directoryUrl + " as " + hello.connectorDn + ", protocol " +
            std::to_string(version));
        // The same onboarding on every hello, so that reports do not depend on which scenario
        // a kept agent served first; a kept key pair counts as created (31018).
        ready.events = {kOnboardingStart, kAuthTokenSuccess, kKeyPairCreated, kOnboardingSuccess};
        ready.window = window;
        send(ready);
        return true;
    }

    std::vector<int> events(const EventFamily& f, bool success, int reason) const {
        std::vector<int> out;
        if (hasBug("wrong-event-ids")) {
            return success ? std::vector<int>{31009, 31010}
                           : std::vector<int>{31009, 31011, reason};
        }
        if (f.start != 0) {
            out.push_back(f.start);
            out.push_back(success ? f.success : f.fail);
        }
        if (!success) {
            out.push_back(reason);
        }
        return out;
    }

    Answer fail(const Request& r, int reason, const std::string& detail) {
        log("request " + r.id + " failed: " + std::to_string(reason) + " " + detail);
        return Answer{
            r.id, Result::Failure, events(familyOf(r.operation), false, reason), reason, detail};
    }

    Answer succeed(const Request& r) {
        return Answer{r.id, Result::Success, events(familyOf(r.operation), true, 0), 0, ""};
    }

    /// The secret of one field of a request, opened with the envelope of the session's version
    /// only: a version-2 secret is bound to its request id and field.
    Expected<std::string> open(const Request& r,
                               const std::optional<Sealed>& sealed,
                               const char* field) const {
        if (!sealed) {
            return makeError(ErrorCode::ProtocolViolation, "missing password");
        }
        if (!keys) {
            return sealed->algorithm == "plain"
                       ? Expected<std::string>(sealed->data)
                       : makeError(ErrorCode::ProtocolViolation, "expected a plain password");
        }
        const char* expected = version == kProtocolV2 ? kSealAlgorithmV2 : kSealAlgorithm;
        if (sealed->algorithm != expected) {
            return makeError(ErrorCode::ProtocolViolation,
                             "a '" + sealed->algorithm + "' secret in a protocol " +
                                 std::to_string(version) + " session");
        }
        return keys->open(*sealed, sealContext(r.id, field));
    }

    /// Refuses, before anything is written, a request that must not be applied: one seen before,
    /// expired by this agent's clock, or older than one already taken for the same account.
    std::optional<Answer> refuseUnusable(const Request& r) {
        if (!seenIds.insert(r.id).second && !hasBug("applies-replay")) {
            return fail(r, kInputValidationError, "replayed request id, not applied");
        }
        auto expires = parseUtc(r.expiresAt);
        auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        if (!expires || (*expires < now && !hasBug("ignores-expiry"))) {
            return fail(r, kInputValidationError, "request expired, not applied");
        }
        // A relay may deliver out of order: a request issued before one already received for the
        // same account must not overwrite it (docs/agent-protocol.md, "Order").
        auto issued = parseUtc(r.issuedAt);
        auto& newest = newestIssued[r.anchor];
        if (issued && *issued < newest && !hasBug("applies-stale")) {
            return fail(
                r, kInputValidationError, "stale request (a newer one came first), not applied");
        }
        newest = std::max(newest, issued ? *issued : newest);
        return std::nullopt;
    }

    /// The new and current passwords a request carries, in clear; a 32004 answer when one cannot
    /// be opened.
    std::variant<std::pair<std::string, std::string>, Answer> openPasswords(const Request& r) {
        std::pair<std::string, std::string> out;
        if (r.operation != Operation::UnlockOnly) {
            auto clear = open(r, r.newPassword, "new_password");
            if (!clear) {
                log("request " + r.id + ": " + clear.error().message);
                return fail(r, kDecryptionError, "cannot decrypt the new password");
            }
            out.first = *clear;
        }
        if (r.operation == Operation::Change || r.operation == Operation::ForcedChange) {
            auto clear = open(r, r.oldPassword, "old_password");
            if (!clear) {
                log("request " + r.id + ": " + clear.error().message);
                return fail(r, kDecryptionError, "cannot decrypt the current password");
            }
            out.second = *clear;
        }
        return out;
    }

    Answer onRequest(const Request& r, agent::DirectoryWriter& directory) {
        // Ask the directory for the user first and decrypt while it searches: the search and
        // the RSA decryption, the two costly steps before the write, overlap.
        auto pending = hasBug("matches-by-upn") ? directory.beginFindByUpn(r.upn)
                                                : directory.beginFindByAnchor(r.anchor);
        auto passwords = openPasswords(r);
        if (const auto* refused = std::get_if<Answer>(&passwords)) {
            return *refused;
        }
        const auto& [newPassword, oldPassword] =
            std::get<std::pair<std::string, std::string>>(passwords);
        if (hasBug("logs-password")) {
            log("request " + r.id + ": new password is " + newPassword);
        }
        if (hasBug("success-without-write")) {
            return succeed(r);
        }
        auto user = pending.wait();
        if (!user) {
            return fail(r, user.error().reason, user.error().detail);
        }
        if (hasBug("crashes-mid-operation")) {
            std::abort();
        }
        if ((*user).disabled()) {
            return fail(r, kAdUserAccountDisabled, "the account is disabled");
        }
        if (auto failed = apply(directory, r, *user, newPassword, oldPassword)) {
            return fail(r, failed->reason, failed->detail);
        }
        log("request " + r.id + ": " + toString(r.operation) + " done for " + (*user).dn);
        return succeed(r);
    }

    /// Writes one request to the directory; the failure to report, if any.
    std::optional<agent::WriteFailure> apply(agent::DirectoryWriter& directory,
                                             const Request& r,
                                             const agent::UserRef& user,
                                             const std::string& newPassword,
                                             const std::string& oldPassword) {
        const std::string& dn = user.dn;
        switch (r.operation) {
            case Operation::UnlockOnly:
                return hasBug("ignores-unlock") ? std::nullopt : failureOf(directory.unlock(dn));
            case Operation::Change:
            case Operation::ForcedChange:
                if (hasBug("change-as-reset")) {
                    auto checked = directory.verifyPassword(dn, oldPassword);
                    return failureOf(checked ? directory.resetPassword(dn, newPassword) : checked);
                }
                // The user's own change (Change Password), proving the current password: the
                // directory checks it, the lockout, and the policy (33007, 33006, 33008).
                return failureOf(directory.changePassword(dn, oldPassword, newPassword));
            case Operation::Reset:
            case Operation::AdminReset:
                return reset(directory, r, user, newPassword);
        }
        return agent::WriteFailure{33001, "unknown operation"};
    }

    std::optional<agent::WriteFailure> reset(agent::DirectoryWriter& directory,
                                             const Request& r,
                                             const agent::UserRef& user,
                                             const std::string& newPassword) {
        const std::string& dn = user.dn;
        // The unlock comes first: if the directory refuses it, nothing has been written.
        if (r.unlock && !hasBug("ignores-unlock")) {
            if (auto failed = failureOf(directory.unlock(dn))) {
                return failed;
            }
        }
        auto set = hasBug("old-password-still-works") ? directory.addPassword(dn, newPassword)
                                                      : directory.resetPassword(dn, newPassword);
        if (!set) {
            agent::WriteFailure failure = set.error();
            if (hasBug("policy-as-permission") && failure.reason == 33008) {
                failure.reason = 33004;
            }
            return failure;
        }
        // The reset itself clears "must change at next logon" (AD stamps pwdLastSet), so the flag
        // can only be set after it. Never on a password that does not expire (AD refuses both at
        // once, so the flag is silently not set: DOMAIN.md §2.3). A refusal here comes after the
        // password was written: the answer is a failure whose detail says so.
        if (r.mustChange && !user.passwordNeverExpires() && !hasBug("ignores-must-change")) {
            if (auto flagged = directory.setMustChange(dn, true); !flagged) {
                agent::WriteFailure failure = flagged.error();
                failure.detail = "password written, but " + failure.detail;
                return failure;
            }
        }
        return std::nullopt;
    }

    static std::optional<agent::WriteFailure> failureOf(const agent::Outcome<agent::Done>& done) {
        return done ? std::nullopt : std::optional<agent::WriteFailure>(done.error());
    }
};

constexpr const char* kUsage =
    "usage: wblab-agent [--bug NAME] [--protocol 1|2] [--window N]\n"
    "       wblab-agent --list-bugs | --help | --version\n"
    "The reference password-writeback agent for wblab. Speaks the agent protocol (versions 1\n"
    "and 2, docs/agent-protocol.md) on stdin/stdout; logs to stderr, never a password.\n"
    "  --bug NAME      be wrong in one catalogued way (see --list-bugs)\n"
    "  --protocol N    speak only protocol version N (default: the newest the harness offers)\n"
    "  --window N      take up to N requests at once, each on a worker thread with its own\n"
    "                  directory connection (1 to 64, default 8; 1: one at a time)\n"
    "  --list-bugs     print one fault per line, name<TAB>description, and exit\n"
    "  --help          print this help and exit\n"
    "  --version       print the agent's name, version and protocol versions, and exit\n";

bool knownBug(const std::string& name) {
    for (const auto& b : kBugs) {
        if (name == b.name) {
            return true;
        }
    }
    return false;
}

/// Reads the command line into `agent`; an exit status when the agent should stop there.
std::optional<int> parseArguments(int argc, char** argv, Agent& agent) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (arg == "--version") {
            std::cout << "wblab-agent " << kVersion << " (" << kName << ", protocol 1, 2)\n";
            return 0;
        }
        if (arg == "--list-bugs") {
            for (const auto& b : kBugs) {
                std::cout << b.name << "\t" << b.description << "\n";
            }
            return 0;
        }
        if (arg == "--bug" && i + 1 < argc) {
            agent.bug = argv[++i];
            if (!knownBug(agent.bug)) {
                std::cerr << "wblab-agent: unknown bug '" << agent.bug << "' (see --list-bugs)\n";
                return 2;
            }
            continue;
        }
        if (arg == "--window" && i + 1 < argc) {
            const std::string v = argv[++i];
            const int n = std::atoi(v.c_str());
            if (std::to_string(n) != v || n < 1 || n > kMaxWindow) {
                std::cerr << "wblab-agent: --window takes 1 to " << kMaxWindow << ", not '" << v
                          << "'\n";
                return 2;
            }
            agent.window = n;
            continue;
        }
        if (arg == "--protocol" && i + 1 < argc) {
            const std::string v = argv[++i];
            if (v != "1" && v != "2") {
                std::cerr << "wblab-agent: --protocol takes 1 or 2, not '" << v << "'\n";
                return 2;
            }
            agent.onlyVersion = std::stoi(v);
            continue;
        }
        std::cerr << "wblab-agent: unknown argument '" << arg << "'\n" << kUsage;
        return 2;
    }
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    // A directory connection that dropped (a DC restart) must be an error to handle, not a
    // SIGPIPE that kills the agent on its next write.
    std::signal(SIGPIPE, SIG_IGN);
    Agent agent;
    if (auto status = parseArguments(argc, argv, agent)) {
        return *status;
    }
    if (agent.hasBug("hangs")) {
        std::signal(SIGTERM, SIG_IGN);  // stuck for good: only SIGKILL ends it
    }
    std::string line;
    bool onboarded = false;
    while (std::getline(std::cin, line)) {
        auto message = decode(line);
        if (!message) {
            agent.log("ignoring a bad line: " + message.error().message);
            continue;
        }
        if (const auto* hello = std::get_if<Hello>(&*message)) {
            onboarded = agent.onHello(*hello);
            if (!onboarded) {
                return 1;
            }
        } else if (const auto* request = std::get_if<Request>(&*message)) {
            if (!onboarded) {
                agent.log("request before hello");
                continue;
            }
            if (agent.hasBug("hangs")) {
                continue;
            }
            agent.take(*request);
        } else if (std::holds_alternative<Shutdown>(*message)) {
            agent.drain();
            agent.send(Bye{{kServiceStopped}});
            agent.log("stopped");
            return 0;
        }
    }
    return 0;
}
