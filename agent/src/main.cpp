// wblab-agent: the reference password-writeback agent. It speaks agent protocol v1 on stdin and
// stdout, writes to the directory with libldap as the connector account, and logs to stderr
// (never a password). It shares only the protocol codec with the harness, never its checks.
//
// --bug NAME makes it wrong in one catalogued way (the bug zoo), so that the harness can prove
// that its checks catch that fault.
#include "ldap_writer.hpp"

#include <wblab/protocol/crypto.hpp>
#include <wblab/protocol/messages.hpp>

#include <chrono>
#include <cstring>
#include <iostream>
#include <set>
#include <string>

namespace {

using namespace wblab;
using namespace wblab::protocol;

constexpr const char* kName = "wblab-reference-agent";
constexpr const char* kVersion = "0.1.0";

// Event ids of the PasswordResetService source (DOMAIN.md §5.1).
constexpr int kResetStart = 31001;
constexpr int kResetSuccess = 31002;
constexpr int kResetFail = 31003;
constexpr int kOnboardingStart = 31004;
constexpr int kOnboardingSuccess = 31005;
constexpr int kServiceStopped = 31016;
constexpr int kAuthTokenSuccess = 31017;
constexpr int kKeyPairCreated = 31018;
constexpr int kInputValidationError = 32003;
constexpr int kAdUserAccountDisabled = 33005;
constexpr int kDecryptionError = 32004;

struct Bug {
    const char* name;
    const char* description;
};

constexpr Bug kBugs[] = {
    {"success-without-write", "answers success for a reset without writing anything"},
};

struct Agent {
    std::string bug;
    std::optional<KeyPair> keys;
    std::optional<agent::LdapWriter> directory;
    std::set<std::string> seenIds;

    bool hasBug(const char* name) const { return bug == name; }

    void send(const Message& m) { std::cout << encode(m) << "\n" << std::flush; }

    void log(const std::string& text) { std::cerr << kName << ": " << text << "\n" << std::flush; }

    bool onHello(const Hello& hello) {
        auto keyPair = KeyPair::generate();
        if (!keyPair) {
            log("cannot create the key pair: " + keyPair.error().message);
            return false;
        }
        keys.emplace(std::move(*keyPair));
        agent::DirectoryConfig config;
        config.url = hello.directoryUrl;
        config.tlsCaFile = hello.tlsCaFile;
        config.baseDn = hello.baseDn;
        config.anchorAttribute = hello.anchorAttribute;
        config.connectorDn = hello.connectorDn;
        config.connectorPassword = hello.connectorPassword;
        directory.emplace(std::move(config));
        if (auto connected = directory->connect(); !connected) {
            log("cannot bind as the connector: " + connected.error().message);
            return false;
        }
        log("onboarded against " + hello.directoryUrl + " as " + hello.connectorDn);
        Ready ready;
        ready.agentName = kName;
        ready.agentVersion = kVersion;
        ready.capabilities = {"reset", "unlock"};
        ready.publicKeyPem = keys->publicKeyPem();
        ready.events = {kOnboardingStart, kAuthTokenSuccess, kKeyPairCreated, kOnboardingSuccess};
        send(ready);
        return true;
    }

    Answer fail(const Request& r, int reason, const std::string& detail) {
        log("request " + r.id + " failed: " + std::to_string(reason) + " " + detail);
        return Answer{r.id, Result::Failure, {kResetStart, kResetFail, reason}, reason, detail};
    }

    Answer onRequest(const Request& r) {
        log("request " + r.id + ": " + toString(r.operation) + " for anchor " + r.anchor);
        if (!seenIds.insert(r.id).second) {
            return fail(r, kInputValidationError, "replayed request id, not applied");
        }
        auto expires = parseUtc(r.expiresAt);
        auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        if (!expires || *expires < now) {
            return fail(r, kInputValidationError, "request expired, not applied");
        }
        if (r.operation != Operation::Reset) {
            return fail(r, kInputValidationError, "operation not supported by this agent");
        }
        if (!r.newPassword) {
            return fail(r, kInputValidationError, "no new password");
        }
        auto password = keys->open(*r.newPassword);
        if (!password) {
            return fail(r, kDecryptionError, "cannot decrypt the new password");
        }
        if (hasBug("success-without-write")) {
            return Answer{r.id, Result::Success, {kResetStart, kResetSuccess}, 0, ""};
        }
        auto user = directory->findByAnchor(r.anchor);
        if (!user) {
            return fail(r, user.error().reason, user.error().detail);
        }
        const std::string& dn = (*user).dn;
        if ((*user).disabled()) {
            return fail(r, kAdUserAccountDisabled, "the account is disabled");
        }
        if (r.unlock) {
            if (auto unlocked = directory->unlock(dn); !unlocked) {
                return fail(r, unlocked.error().reason, unlocked.error().detail);
            }
        }
        if (auto set = directory->resetPassword(dn, *password); !set) {
            return fail(r, set.error().reason, set.error().detail);
        }
        // The reset itself clears "must change at next logon" (AD stamps pwdLastSet). Set it
        // again when the cloud asked for it, never on a password that does not expire (AD
        // refuses both at once, so the flag is silently not set: DOMAIN.md §2.3).
        if (r.mustChange && !(*user).passwordNeverExpires()) {
            if (auto flagged = directory->setMustChange(dn, true); !flagged) {
                return fail(r, flagged.error().reason, flagged.error().detail);
            }
        }
        log("request " + r.id + ": password reset for " + dn);
        return Answer{r.id, Result::Success, {kResetStart, kResetSuccess}, 0, ""};
    }
};

int usage() {
    std::cerr << "usage: wblab-agent [--bug NAME] [--list-bugs]\n"
                 "Speaks wblab agent protocol v1 on stdin/stdout (docs/agent-protocol.md).\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    Agent agent;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--list-bugs") {
            for (const auto& b : kBugs) {
                std::cout << b.name << "\t" << b.description << "\n";
            }
            return 0;
        }
        if (arg == "--bug" && i + 1 < argc) {
            agent.bug = argv[++i];
            bool known = false;
            for (const auto& b : kBugs) {
                known = known || agent.bug == b.name;
            }
            if (!known) {
                std::cerr << "wblab-agent: unknown bug '" << agent.bug << "' (see --list-bugs)\n";
                return 2;
            }
            continue;
        }
        return usage();
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
            agent.send(agent.onRequest(*request));
        } else if (std::holds_alternative<Shutdown>(*message)) {
            agent.send(Bye{{kServiceStopped}});
            agent.log("stopped");
            return 0;
        }
    }
    return 0;
}
