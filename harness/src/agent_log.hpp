#pragma once
// Private to the harness: what a report shows of the agent's stderr. Only its last lines, and
// never a secret of the run: every password the scenario names and the connector's password are
// replaced before the text leaves the harness (the agent may log what it must not).

#include <cstddef>
#include <string>
#include <vector>

namespace wblab::harness {

/// `text` with every occurrence of each non-empty secret replaced by "[redacted]".
std::string redacted(std::string text, const std::vector<std::string>& secrets);

/// The last `maxLines` lines (at most `maxBytes`) of the file at `path`, redacted; empty when
/// the file is missing or empty.
std::string redactedTail(const std::string& path,
                         const std::vector<std::string>& secrets,
                         std::size_t maxLines = 20,
                         std::size_t maxBytes = 4096);

/// The current time as ISO 8601 UTC with milliseconds ("2026-12-01T10:00:00.125Z").
std::string utcNowWithMillis();

}  // namespace wblab::harness
