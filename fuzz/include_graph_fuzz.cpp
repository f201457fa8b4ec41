// libFuzzer target: include graphs and aliases. One input is several files: the parts between
// lines "#--- NAME" become files of a private folder (NAME: a file name, no '/'), the first part
// is the scenario. Fan-outs, cycles, deep chains and alias bombs across files must end in a
// scenario or an error with a position, within the loader's limits (32 files, 8 deep).
#include <wblab/scenario/loader.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <unistd.h>

namespace {

/// A private folder for one fuzzing process, emptied before each input and removed at exit.
struct Folder {
    std::string path;

    Folder() {
        char name[] = "/tmp/wblab-fuzz-includes-XXXXXX";
        if (::mkdtemp(name) != nullptr) {
            path = name;
        }
    }

    ~Folder() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }

    void clear() const {
        std::error_code ignored;
        for (const auto& entry : std::filesystem::directory_iterator(path, ignored)) {
            std::filesystem::remove_all(entry.path(), ignored);
        }
    }
};

void writeFile(const std::string& path, std::string_view text) {
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
    }
}

/// Writes every part; returns the scenario's path.
std::string writeParts(const Folder& folder, std::string_view input) {
    constexpr std::string_view kMarker = "\n#--- ";
    std::string name = "scenario.yaml";
    const std::string scenario = folder.path + "/" + name;
    int parts = 0;
    while (parts++ < 16) {
        const auto next = input.find(kMarker);
        writeFile(folder.path + "/" + name, input.substr(0, next));
        if (next == std::string_view::npos) {
            break;
        }
        input.remove_prefix(next + kMarker.size());
        const auto eol = input.find('\n');
        name = std::string(input.substr(0, eol));
        input.remove_prefix(eol == std::string_view::npos ? input.size() : eol + 1);
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
            name = "_part" + std::to_string(parts) + ".yaml";
        }
    }
    return scenario;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Folder folder;
    if (folder.path.empty()) {
        return 0;
    }
    folder.clear();
    const std::string path =
        writeParts(folder, std::string_view(reinterpret_cast<const char*>(data), size));
    wblab::scenario::LoadOptions options;
    options.includeRoot = folder.path;
    auto loaded = wblab::scenario::loadScenarioFile(path, options);
    for (const auto& e : loaded.errors) {
        if (e.message.empty()) {
            std::abort();  // every error says what is wrong
        }
    }
    return 0;
}
