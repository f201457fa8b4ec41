// `wblab lab up`: the interactive lab (lab.hpp): a session of the scenario, its HTTP API, and
// how to connect, until Ctrl-C.
#include "lab_http.hpp"
#include "lab_session.hpp"

#include <wblab/harness/lab.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/secrets.hpp>

#include <filesystem>
#include <random>
#include <thread>

namespace wblab::harness {

namespace {

/// Secrets go to files only their owner can read, never to the console.
Expected<void> writeSecret(const std::string& path, const std::string& secret) {
    WBLAB_TRY(writeFileAtomically(path, secret), "");
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return {};
}

/// 32 random bytes as hex: the API's bearer token.
std::string newToken() {
    std::random_device random;
    std::string token;
    const char* hex = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) {
        const auto byte = random() & 0xff;
        token += hex[byte >> 4];
        token += hex[byte & 0xf];
    }
    return token;
}

struct Connect {
    std::string api;  ///< http://127.0.0.1:PORT
    std::string tokenFile;
    std::string connectorSecret;
    std::string adminSecret;
};

void describe(LabSession& session, const Connect& c, std::ostream& out) {
    const auto& s = session.scenario();
    auto& fixture = session.directory();
    out << "wblab lab: " << s.id << " is up";
    if (!s.steps.empty()) {
        out << " after step" << (s.steps.size() > 1 ? "s 1-" : " ") << s.steps.size();
    }
    out << "\n";
    for (const auto& line : session.result().timeline) {
        out << "  | " << redact(line) << "\n";
    }
    out << "  graph api      " << c.api << "/v1.0 (as " << session.caller() << "; bearer token in "
        << c.tokenFile << ")\n"
        << "  lab endpoints  " << c.api << "/lab/ (docs/lab.md)\n"
        << "  directory      " << fixture.url() << "\n";
    if (!fixture.tcpUrl().empty()) {
        out << "  ldap           " << fixture.tcpUrl() << "\n";
    }
    if (!fixture.tlsUrl().empty()) {
        out << "  ldaps          " << fixture.tlsUrl() << " (CA: " << fixture.caFile() << ")\n";
    }
    out << "  base DN        " << fixture.baseDn() << "\n"
        << "  connector      " << fixture.connectorDn() << " (password in " << c.connectorSecret
        << ")\n"
        << "  administrator  " << fixture.adminDn() << " (password in " << c.adminSecret << ")\n"
        << "  run directory  " << fixture.runDirectory() << " (" << fixture.flavourName()
        << ": configuration and log)\n";
    for (const auto& u : s.onprem.users) {
        out << "  user           " << fixture.userDn(u.sam) << " (" << u.signInName() << ")\n";
    }
    out << "Try: curl -H \"Authorization: Bearer $(cat " << c.tokenFile << ")\" " << c.api
        << "/v1.0/users\n"
        << "     ldapsearch -x -H '"
        << (fixture.tcpUrl().empty() ? fixture.url() : fixture.tcpUrl()) << "' -D '"
        << fixture.connectorDn() << "' -y " << c.connectorSecret << " -b '" << fixture.baseDn()
        << "'\n"
        << "Press Ctrl-C to stop.\n"
        << std::flush;
}

Expected<Connect> writeSecrets(LabSession& session,
                               const std::string& token,
                               const std::string& tokenFile) {
    auto& fixture = session.directory();
    const std::string dir = fixture.runDirectory();
    Connect c;
    c.tokenFile = tokenFile.empty() ? dir + "/graph.token" : tokenFile;
    c.connectorSecret = dir + "/connector.secret";
    c.adminSecret = dir + "/admin.secret";
    for (const auto& [path, secret] : {std::pair{c.tokenFile, token},
                                       std::pair{c.connectorSecret, fixture.connectorPassword()},
                                       std::pair{c.adminSecret, fixture.adminPassword()}}) {
        WBLAB_TRY(writeSecret(path, secret), "writing a secret for the lab");
    }
    return c;
}

}  // namespace

Expected<void> labUp(const scenario::Scenario& s,
                     const LabOptions& options,
                     std::ostream& out,
                     const std::function<void()>& wait) {
    LabSession session(s, options);
    WBLAB_TRY(session.start(options.until), "");
    const std::string token = newToken();
    processRedactor().add(token);
    WBLAB_TRY_ASSIGN(auto connect, writeSecrets(session, token, options.tokenFile), "");
    LabServer server(session, token);
    WBLAB_TRY_ASSIGN(const int port, server.bind(options.port), "the lab's HTTP API");
    connect.api = "http://127.0.0.1:" + std::to_string(port);
    std::thread serving([&server] { server.serve(); });
    describe(session, connect, out);
    wait();
    server.stop();
    serving.join();
    session.stop();
    if (!options.tokenFile.empty()) {
        std::error_code ignored;
        std::filesystem::remove(options.tokenFile, ignored);  // worthless now, and a secret
    }
    return {};
}

}  // namespace wblab::harness
