// libFuzzer target: the evidence readers must turn any export into records or an error with a
// file and a line, never a crash or a hang; what they read must draft or be refused cleanly.
#include <wblab/evidence/evidence.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wblab::evidence::Evidence evidence;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto read = wblab::evidence::readEvidence(text, "fuzz", evidence);
    if (!read) {
        if (read.error().message.empty()) {
            std::abort();  // every error says what is wrong
        }
        return 0;
    }
    wblab::evidence::pseudonymise(evidence);
    auto draft = wblab::evidence::draftScenario(evidence, {"fuzz", ""});
    if (!draft && draft.error().message.empty()) {
        std::abort();
    }
    return 0;
}
