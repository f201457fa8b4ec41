#pragma once
// File: preflight.hpp
//
// What `wblab run` checks before the first scenario, so that a broken setup is one clear error
// (exit 2) instead of every scenario failing and the agent under test taking the blame: the
// temporary directory is writable, wblab's data and modules are where the program expects them,
// the chosen directory starts (slapd and its modules load, or the Samba DC), a `--bug NAME`
// names a fault the agent lists, and the agent starts and completes its handshake. The agent's
// stderr, redacted, is part of the error when it does not.
//
//   if (auto ok = preflight(options); !ok) { std::cerr << ok.error().describe(); return 2; }

#include <wblab/harness/runner.hpp>
#include <wblab/support/expected.hpp>

namespace wblab::harness {

Expected<void> preflight(const RunOptions& options);

}  // namespace wblab::harness
