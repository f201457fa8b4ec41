#pragma once
// File: install_layout.hpp
//
// Where wblab's own files are at run time, found from the running program and never from a path
// compiled in at build time, so that an installed or unpacked wblab works wherever it lands:
// `<prefix>/bin/wblab` reads `<prefix>/share/wblab` (slapd templates, bundled scenarios) and loads
// `<prefix>/lib/wblab` (the slapd modules, the Samba password check). The build tree mirrors that
// layout (build/dev/share/wblab, build/dev/lib/wblab), so programs and tests one or two folders
// below the build root find it too. WBLAB_DATA_DIR and WBLAB_MODULE_DIR override either.
//
//   auto layout = installLayout();
//   if (!layout) { std::cerr << layout.error().describe(); }
//   std::string templates = layout->dataDir + "/slapd";

#include <wblab/support/expected.hpp>

#include <string>

namespace wblab {

struct InstallLayout {
    std::string dataDir;    ///< share/wblab: slapd/, scenarios/
    std::string moduleDir;  ///< lib/wblab: wblab_ad_complexity.so, wblab_ad_behaviour.so, ...
};

/// The running program's absolute path (/proc/self/exe).
std::string executablePath();

/// The layout beside the running program (or as the environment overrides it); NotFound, naming
/// every folder looked in, when neither has wblab's files.
Expected<InstallLayout> installLayout();

/// The layout beside `program`, for tests and for programs that know better than /proc.
Expected<InstallLayout> installLayoutFor(const std::string& program);

}  // namespace wblab
