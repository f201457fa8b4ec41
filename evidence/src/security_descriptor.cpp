// Reading security descriptors (security_descriptor.hpp), MS-DTYP 2.4.2 (SID), 2.4.4 (ACEs),
// 2.4.5 (ACL) and 2.4.6 (SECURITY_DESCRIPTOR, self-relative).
#include "security_descriptor.hpp"

#include "text.hpp"

namespace wblab::evidence::detail {

namespace {

constexpr std::uint32_t kGenericAll = 0x10000000;
constexpr std::uint32_t kControlAccessBit = 0x100;
constexpr std::uint32_t kWritePropertyBit = 0x20;
constexpr std::uint8_t kInheritOnly = 0x08;

std::uint32_t le(std::string_view b, std::size_t at, std::size_t size) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < size; ++i) {
        v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
    }
    return v;
}

/// A SID at `at`, its length in *used; empty when it does not fit.
std::string sidAt(std::string_view b, std::size_t at, std::size_t* used) {
    if (at + 8 > b.size() || static_cast<unsigned char>(b[at]) != 1) {
        return {};
    }
    const auto count = static_cast<unsigned char>(b[at + 1]);
    if (count > 15 || at + 8 + 4u * count > b.size()) {
        return {};
    }
    std::uint64_t authority = 0;
    for (std::size_t i = 2; i < 8; ++i) {
        authority = (authority << 8) | static_cast<unsigned char>(b[at + i]);
    }
    std::string out = "S-1-" + std::to_string(authority);
    for (std::size_t i = 0; i < count; ++i) {
        out += "-" + std::to_string(le(b, at + 8 + 4 * i, 4));
    }
    if (used != nullptr) {
        *used = 8 + 4u * count;
    }
    return out;
}

std::optional<Ace> aceAt(std::string_view b, std::size_t at, std::size_t size) {
    const auto type = static_cast<unsigned char>(b[at]);
    Ace ace;
    ace.flags = static_cast<std::uint8_t>(b[at + 1]);
    std::size_t pos = at + 4;
    const std::size_t end = at + size;
    if (type > 6 || (type != 0 && type != 1 && type != 5 && type != 6) || pos + 4 > end) {
        return std::nullopt;  // audit, alarm and callback ACEs grant nothing here
    }
    ace.allow = type == 0 || type == 5;
    ace.mask = le(b, pos, 4);
    pos += 4;
    if (type == 5 || type == 6) {
        if (pos + 4 > end) {
            return std::nullopt;
        }
        const auto objectFlags = le(b, pos, 4);
        pos += 4;
        if ((objectFlags & 1) != 0) {
            if (pos + 16 > end) {
                return std::nullopt;
            }
            ace.objectType = guidText(b.substr(pos, 16));
            pos += 16;
        }
        if ((objectFlags & 2) != 0) {
            pos += 16;  // the inherited object type: which objects inherit it
        }
    }
    if (pos > end) {
        return std::nullopt;
    }
    ace.sid = sidAt(b.substr(0, end), pos, nullptr);
    if (ace.sid.empty()) {
        return std::nullopt;
    }
    return ace;
}

/// What the DACL decides for `sid` on `mask` with one of `types`: the first applicable ACE in
/// order wins (ACEs are ordered denies first, MS-DTYP 2.4.5).
Grant decide(const SecurityDescriptor& sd,
             const std::string& sid,
             std::uint32_t bit,
             const std::vector<std::string>& types) {
    for (const auto& ace : sd.dacl) {
        if (ace.sid != sid || (ace.flags & kInheritOnly) != 0) {
            continue;
        }
        if ((ace.mask & (bit | kGenericAll)) == 0) {
            continue;
        }
        bool matches = ace.objectType.empty();
        for (const auto& t : types) {
            matches = matches || (!t.empty() && iequals(ace.objectType, t));
        }
        if (matches) {
            return ace.allow ? Grant::Allowed : Grant::Denied;
        }
    }
    return Grant::Absent;
}

}  // namespace

std::optional<SecurityDescriptor> parseSecurityDescriptor(std::string_view b) {
    if (b.size() < 20 || static_cast<unsigned char>(b[0]) != 1) {
        return std::nullopt;
    }
    const auto control = le(b, 2, 2);
    if ((control & 0x8000) == 0) {
        return std::nullopt;  // not self-relative
    }
    SecurityDescriptor sd;
    sd.daclProtected = (control & 0x1000) != 0;
    const std::size_t daclAt = le(b, 16, 4);
    if ((control & 0x0004) == 0 || daclAt == 0) {
        return sd;  // no DACL
    }
    if (daclAt + 8 > b.size()) {
        return std::nullopt;
    }
    const std::size_t aclSize = le(b, daclAt + 2, 2);
    const std::size_t count = le(b, daclAt + 4, 2);
    if (daclAt + aclSize > b.size()) {
        return std::nullopt;
    }
    std::size_t at = daclAt + 8;
    for (std::size_t i = 0; i < count; ++i) {
        if (at + 4 > daclAt + aclSize) {
            return std::nullopt;
        }
        const std::size_t size = le(b, at + 2, 2);
        if (size < 8 || at + size > daclAt + aclSize) {
            return std::nullopt;
        }
        if (auto ace = aceAt(b, at, size)) {
            sd.dacl.push_back(std::move(*ace));
        }
        at += size;
    }
    return sd;
}

std::string sidText(std::string_view bytes) {
    std::size_t used = 0;
    std::string sid = sidAt(bytes, 0, &used);
    return used == bytes.size() ? sid : std::string();
}

Grant controlAccess(const SecurityDescriptor& sd,
                    const std::string& sid,
                    const std::string& right) {
    return decide(sd, sid, kControlAccessBit, {right});
}

Grant writeProperty(const SecurityDescriptor& sd,
                    const std::string& sid,
                    const std::string& attribute,
                    const std::string& propertySet) {
    return decide(sd, sid, kWritePropertyBit, {attribute, propertySet});
}

}  // namespace wblab::evidence::detail
