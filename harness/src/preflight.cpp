// What `wblab run` checks before the first scenario (preflight.hpp).
#include "agent_log.hpp"
#include "agent_session.hpp"
#include "mapping.hpp"

#include <wblab/fixture/directory.hpp>
#include <wblab/harness/preflight.hpp>
#include <wblab/harness/zoo.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/install_layout.hpp>

#include <algorithm>
#include <sstream>

namespace wblab::harness {

namespace {

/// Where runs keep their files, as RunDirectory::create sees it.
std::string temporaryRoot() {
    const char* env = std::getenv("WBLAB_TMPDIR");
    return env != nullptr && *env != '\0' ? env : "/tmp";
}

/// `--bug NAME` in the agent's command line must name a fault the agent lists: the reference
/// agent refuses an unknown one at start-up, which would otherwise fail every scenario.
Expected<void> checkNamedFault(const AgentCommand& agent) {
    const auto& argv = agent.argv;
    const auto bug = std::find(argv.begin(), argv.end(), std::string("--bug"));
    if (bug == argv.end() || bug + 1 == argv.end()) {
        return {};
    }
    AgentCommand plain{{argv.begin(), bug}, agent.label};
    plain.argv.insert(plain.argv.end(), bug + 2, argv.end());
    auto faults = listFaults(plain);
    if (!faults) {
        return {};  // an agent without a fault list: its own start-up will say what it thinks
    }
    if (std::find(faults->begin(), faults->end(), *(bug + 1)) != faults->end()) {
        return {};
    }
    std::string known;
    for (const auto& f : *faults) {
        known += (known.empty() ? "" : ", ") + f;
    }
    return makeError(
        ErrorCode::InvalidInput,
        "the agent has no fault '" + *(bug + 1) + "' (its --list-bugs lists: " + known + ")");
}

/// Starts the agent against `directory` and completes a handshake, as a scenario would.
Expected<void> checkAgent(const RunOptions& options,
                          fixture::Directory& directory,
                          const std::string& logDir) {
    AgentConfig config;
    config.argv = options.agent.argv;
    config.stderrPath = logDir + "/agent.stderr";
    config.handshakeTimeout = options.handshakeTimeout;
    config.requestTimeout = options.stepTimeout;
    config.stateDirectory = options.reuseAgents ? agentStateDirectory() : std::string();
    config.hello.directoryUrl = directory.url();
    config.hello.tlsCaFile = directory.caFile();
    config.hello.baseDn = directory.baseDn();
    config.hello.anchorAttribute = directory.anchorAttribute();
    config.hello.flavour = directory.handshakeFlavour();
    config.hello.connectorDn = directory.connectorDn();
    config.hello.connectorPassword = directory.connectorPassword();
    auto agent = AgentSession::start(config);
    if (agent) {
        (*agent)->shutdown();
        return {};
    }
    std::string message =
        "the agent '" + options.agent.label + "' " +
        (agent.error().code == ErrorCode::NotFound ? "cannot be started: "
                                                   : "did not complete its handshake: ") +
        agent.error().message;
    const auto tail = redactedTail(config.stderrPath, {directory.connectorPassword()});
    if (!tail.empty()) {
        message += "\n  its stderr ends with:";
        std::istringstream lines(tail);
        for (std::string line; std::getline(lines, line);) {
            message += "\n    " + line;
        }
    }
    return makeError(ErrorCode::Unavailable, message);
}

}  // namespace

Expected<void> preflight(const RunOptions& options) {
    auto dir = RunDirectory::create("preflight");
    if (!dir) {
        return makeError(ErrorCode::Io,
                         "the temporary directory " + temporaryRoot() +
                             " is not usable (set WBLAB_TMPDIR to a writable directory): " +
                             dir.error().message);
    }
    WBLAB_TRY(installLayout(), "");
    WBLAB_TRY(checkNamedFault(options.agent), "");
    auto directory =
        fixture::startDirectory(flavourOf(options.directory), fixture::DirectorySeed{}, {});
    if (!directory) {
        return makeError(directory.error().code,
                         std::string("the ") + toString(options.directory) +
                             " directory does not start: " + directory.error().message);
    }
    auto agent = checkAgent(options, **directory, dir->path());
    (*directory)->stop();
    return agent;
}

}  // namespace wblab::harness
