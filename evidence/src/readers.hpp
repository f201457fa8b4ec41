#pragma once
// Private to the evidence module: one reader per family of formats, each given the decoded text
// and the file's name (for file:line), adding records to the evidence and returning what the
// file was read as. read.cpp decides which reader a file goes to.

#include "text.hpp"

#include <wblab/evidence/evidence.hpp>

#include <string>
#include <string_view>

namespace wblab::evidence::detail {

/// Graph JSON: directoryAudits (REST or PowerShell), riskyUsers, riskDetections, the
/// authentication methods policy, the authorization policy (json_readers.cpp).
Expected<std::string> readJson(std::string_view text, const std::string& name, Evidence& into);

/// wevtutil qe /f:xml output, with or without a root element (event_xml.cpp).
Expected<std::string> readEventXml(std::string_view text, const std::string& name, Evidence& into);

/// Comma-separated exports: the audit log download and Event Viewer's (csv_readers.cpp).
Expected<std::string> readCsv(std::string_view text,
                              const std::string& name,
                              Evidence& into,
                              const ReadOptions& options);

/// LDIF content records (ldif.cpp).
Expected<std::string> readLdif(std::string_view text, const std::string& name, Evidence& into);

}  // namespace wblab::evidence::detail
