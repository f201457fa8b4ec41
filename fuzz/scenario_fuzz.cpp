// libFuzzer target: the scenario loader must turn any file into a scenario or an error with a
// position, never a crash or a hang (deep nesting, huge strings, binary garbage, alias bombs).
#include <wblab/scenario/loader.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace {

/// The file each input is written to; removed when the fuzzer exits.
struct InputFile {
    std::string path = "/tmp/wblab-fuzz-" + std::to_string(::getpid()) + ".yaml";

    ~InputFile() { std::remove(path.c_str()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const InputFile input;
    const std::string& path = input.path;
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
        auto scenario = wblab::scenario::loadScenario(path);
        if (!scenario && scenario.error().message.empty()) {
            std::abort();  // every error says what is wrong
        }
    }
    return 0;
}
