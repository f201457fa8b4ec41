// libFuzzer target: the protocol decoder must turn any line into a message or an error, never a
// crash, a hang or undefined behaviour; a decoded message must encode and decode to itself.
#include <wblab/protocol/messages.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view line(reinterpret_cast<const char*>(data), size);
    auto message = wblab::protocol::decode(line);
    if (message) {
        auto again = wblab::protocol::decode(wblab::protocol::encode(*message));
        if (!again || again->index() != message->index() ||
            wblab::protocol::encode(*again) != wblab::protocol::encode(*message)) {
            std::abort();  // encode and decode disagree
        }
    }
    return 0;
}
