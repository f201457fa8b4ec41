#pragma once
// File: lab.hpp
//
// `wblab lab up`: the interactive lab (docs/lab.md). A scenario's setup (directory, tenant,
// agent) and its first steps, then a Graph-compatible HTTP API of the simulated tenant on
// 127.0.0.1 until `wait` returns (Ctrl-C). Every request that changes something is played as a
// scenario step by the same step runner as `wblab run`; with a record path the session is
// written back as a scenario after every step.
//
//   LabOptions options{.agent = *resolveAgent("reference", argv0), .until = 2};
//   labUp(scenario, options, std::cout, waitForInterrupt);

#include <wblab/harness/runner.hpp>
#include <wblab/scenario/model.hpp>
#include <wblab/support/expected.hpp>

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>

namespace wblab::harness {

struct LabOptions {
    AgentCommand agent;
    DirectoryFlavour directory = DirectoryFlavour::Slapd;
    /// The scenario's steps played before the API opens (1-based count; 0: none).
    std::size_t until = 0;
    /// The API's port on 127.0.0.1; 0 picks a free one.
    int port = 0;
    /// Where the session is written as a scenario (empty: not recorded).
    std::string recordPath;
    /// The tenant's admin the API's bearer token stands for (a user of the scenario's tenant);
    /// empty: the lab's own Global Administrator, lab-admin@testlab.onmicrosoft.com.
    std::string caller;
    /// Where the API's bearer token is written (0600; removed when the lab ends); empty:
    /// graph.token in the run directory.
    std::string tokenFile;
    bool keep = false;  ///< keep the run directory after the lab ends
    std::uint64_t seed = 0;
};

/// Runs the lab until `wait` returns; what it prints goes to `out` (never a password: the
/// token and the directory's secrets go to 0600 files). An error before the API is up (a bad
/// --until, a scenario that cannot be set up) is returned.
Expected<void> labUp(const scenario::Scenario& scenario,
                     const LabOptions& options,
                     std::ostream& out,
                     const std::function<void()>& wait);

}  // namespace wblab::harness
