// Where wblab's own files are (install_layout.hpp).
#include <wblab/support/install_layout.hpp>

#include <cstdlib>
#include <filesystem>

#ifndef WBLAB_RELATIVE_DATA_DIR
#error "WBLAB_RELATIVE_DATA_DIR must be defined by the build (share/wblab)"
#endif
#ifndef WBLAB_RELATIVE_MODULE_DIR
#error "WBLAB_RELATIVE_MODULE_DIR must be defined by the build (lib/wblab)"
#endif

namespace wblab {

namespace {

namespace fs = std::filesystem;

/// A file every complete data folder has.
constexpr const char* kDataMarker = "slapd/slapd.conf.in";
/// A file every complete module folder has.
constexpr const char* kModuleMarker = "wblab_ad_complexity.so";

std::string fromEnvironment(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : "";
}

bool has(const fs::path& dir, const char* marker) {
    std::error_code ec;
    return fs::exists(dir / marker, ec);
}

}  // namespace

std::string executablePath() {
    std::error_code ec;
    auto self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : self.string();
}

Expected<InstallLayout> installLayoutFor(const std::string& program) {
    InstallLayout layout{fromEnvironment("WBLAB_DATA_DIR"), fromEnvironment("WBLAB_MODULE_DIR")};
    std::string looked;
    // The program sits in <prefix>/bin (installed) or one or two folders below the build root.
    fs::path dir = fs::path(program).parent_path();
    for (int up = 0; up < 2 && (layout.dataDir.empty() || layout.moduleDir.empty()); ++up) {
        dir = dir.parent_path();
        const fs::path data = dir / WBLAB_RELATIVE_DATA_DIR;
        const fs::path modules = dir / WBLAB_RELATIVE_MODULE_DIR;
        looked += (looked.empty() ? "" : ", ") + data.string();
        if (layout.dataDir.empty() && has(data, kDataMarker)) {
            layout.dataDir = data.lexically_normal().string();
        }
        if (layout.moduleDir.empty() && has(modules, kModuleMarker)) {
            layout.moduleDir = modules.lexically_normal().string();
        }
    }
    if (layout.dataDir.empty() || layout.moduleDir.empty()) {
        return makeError(ErrorCode::NotFound,
                         std::string("cannot find wblab's ") +
                             (layout.dataDir.empty() ? "data (slapd templates)" : "modules") +
                             " beside " + program + " (looked in " + looked + " and the " +
                             WBLAB_RELATIVE_MODULE_DIR +
                             " beside them); is wblab installed whole? WBLAB_DATA_DIR and "
                             "WBLAB_MODULE_DIR name other folders");
    }
    return layout;
}

Expected<InstallLayout> installLayout() {
    static const Expected<InstallLayout> layout = installLayoutFor(executablePath());
    return layout;
}

}  // namespace wblab
