// `wblab lab up`: a scenario's directory for a person to explore by hand (runner.hpp).
#include "mapping.hpp"

#include <wblab/harness/runner.hpp>
#include <wblab/support/files.hpp>

#include <filesystem>

namespace wblab::harness {

namespace {

/// Secrets go to files only their owner can read, never to the console.
Expected<void> writeSecret(const std::string& path, const std::string& secret) {
    WBLAB_TRY(writeFileAtomically(path, secret), "");
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return {};
}

void describe(const scenario::Scenario& s,
              const fixture::Directory& fixture,
              const std::string& connectorSecret,
              const std::string& adminSecret,
              std::ostream& out) {
    out << "wblab lab: " << s.id << " is up\n"
        << "  directory      " << fixture.url() << "\n";
    if (!fixture.tlsUrl().empty()) {
        out << "  ldaps          " << fixture.tlsUrl() << " (CA: " << fixture.caFile() << ")\n";
    }
    out << "  base DN        " << fixture.baseDn() << "\n"
        << "  connector      " << fixture.connectorDn() << " (password in " << connectorSecret
        << ")\n"
        << "  administrator  " << fixture.adminDn() << " (password in " << adminSecret << ")\n"
        << "  run directory  " << fixture.runDirectory() << " (" << fixture.flavourName()
        << ": configuration and log)\n"
        << "  tenant         sspr " << sim::toString(s.tenant.sspr) << ", writeback "
        << (s.tenant.writeback ? "on" : "off") << ", unlock without reset "
        << (s.tenant.unlockWithoutReset ? "on" : "off") << "\n";
    for (const auto& u : s.onprem.users) {
        out << "  user           " << fixture.userDn(u.sam) << " (" << u.signInName() << ")\n";
    }
    out << "Try: ldapsearch -x -H '" << fixture.url() << "' -D '" << fixture.connectorDn()
        << "' -y " << connectorSecret << " -b '" << fixture.baseDn() << "'\n"
        << "Press Ctrl-C to stop.\n"
        << std::flush;
}

}  // namespace

Expected<void> labUp(const scenario::Scenario& s,
                     DirectoryFlavour directory,
                     bool keep,
                     std::ostream& out,
                     const std::function<void()>& wait) {
    const fixture::FixtureOptions fxOptions = fixtureOptionsOf(s.onprem, keep);
    WBLAB_TRY_ASSIGN(
        auto fx, fixture::startDirectory(flavourOf(directory), directorySeedOf(s), fxOptions), "");
    auto& fixture = *fx;
    const std::string dir = fixture.runDirectory();
    const std::string connectorSecret = dir + "/connector.secret";
    const std::string adminSecret = dir + "/admin.secret";
    for (const auto& [path, secret] : {std::pair{connectorSecret, fixture.connectorPassword()},
                                       std::pair{adminSecret, fixture.adminPassword()}}) {
        WBLAB_TRY(writeSecret(path, secret), "writing a secret for the lab");
    }
    describe(s, fixture, connectorSecret, adminSecret, out);
    wait();
    fixture.stop();
    return {};
}

}  // namespace wblab::harness
