#pragma once
// Lower-case ASCII, for case-insensitive keys (UPNs are case-insensitive in the cloud).

#include <algorithm>
#include <cctype>
#include <string>

namespace wblab::sim::detail {

inline std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return s;
}

}  // namespace wblab::sim::detail
