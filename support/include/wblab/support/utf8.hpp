#pragma once
// File: utf8.hpp
//
// Passwords are counted in characters, as the cloud counts them (256 at most): Unicode code points
// of UTF-8 text. Text that is not valid UTF-8 has no count.
//
//   auto n = utf8Characters("Pässwörd");  // 8

#include <cstddef>
#include <optional>
#include <string_view>

namespace wblab {

/// Unicode characters (code points) in UTF-8 text; nullopt when it is not valid UTF-8
/// (overlong forms, surrogates and values past U+10FFFF are invalid).
std::optional<std::size_t> utf8Characters(std::string_view text);

}  // namespace wblab
