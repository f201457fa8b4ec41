// Pseudonyms (evidence.hpp): every UPN, mail address, account name, display name, DN and GUID
// in the evidence replaced consistently, in the records' fields and in free text (event
// messages, audit reasons), so that a draft can be shared. Security identifiers and security
// descriptors stay as they are: they name no person, and the connector's rights depend on them.
#include "text.hpp"

#include <wblab/evidence/evidence.hpp>

#include <algorithm>
#include <map>

namespace wblab::evidence {

namespace {

using detail::iequals;
using detail::lower;

class Pseudonyms {
public:
    std::string upn(const std::string& value) {
        if (value.find('@') == std::string::npos) {
            return value;
        }
        const auto at = value.find('@');
        const std::string key = lower(value);
        auto it = upns_.find(key);
        if (it == upns_.end()) {
            const std::string local = "user" + std::to_string(upns_.size() + 1);
            it = upns_.emplace(key, local + "@" + domain(value.substr(at + 1))).first;
            text_.emplace_back(value, it->second);
        }
        return it->second;
    }

    std::string domain(const std::string& value) {
        return mapped(domains_, value, [&] {
            return "domain" + std::to_string(domains_.size() + 1) + ".example";
        });
    }

    std::string name(const std::string& value) {
        return mapped(names_, value, [&] { return "Person " + std::to_string(names_.size() + 1); });
    }

    std::string account(const std::string& value) {
        if (detail::startsWith(lower(value), "msol_")) {
            return mapped(
                accounts_, value, [&] { return "MSOL_" + std::to_string(accounts_.size() + 1); });
        }
        return mapped(
            accounts_, value, [&] { return "acct" + std::to_string(accounts_.size() + 1); });
    }

    std::string guid(const std::string& value) {
        return mapped(guids_, value, [&] {
            char buf[40];
            std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012zu", guids_.size() + 1);
            return std::string(buf);
        });
    }

    /// A 16-byte binary GUID, consistently.
    std::string binaryGuid(const std::string& bytes) {
        return mapped(binary_, bytes, [&] {
            std::string out(16, '\0');
            const auto n = binary_.size() + 1;
            out[0] = '\x11';
            out[15] = static_cast<char>(n & 0xFF);
            out[14] = static_cast<char>((n >> 8) & 0xFF);
            return out;
        });
    }

    std::string dn(const std::string& value) {
        std::string out;
        std::size_t start = 0;
        while (start < value.size()) {
            auto end = value.find(',', start);
            std::string rdn =
                value.substr(start, end == std::string::npos ? std::string::npos : end - start);
            const auto eq = rdn.find('=');
            if (eq != std::string::npos) {
                const std::string type = lower(detail::trim(rdn.substr(0, eq)));
                const std::string v = rdn.substr(eq + 1);
                const std::string replaced = type == "dc"   ? dcPart(v)
                                             : type == "cn" ? name(v)
                                                            : "unit" + std::to_string(unit(v));
                rdn = rdn.substr(0, eq + 1) + replaced;
            }
            out += (out.empty() ? "" : ",") + rdn;
            if (end == std::string::npos) {
                break;
            }
            start = end + 1;
        }
        text_.emplace_back(value, out);
        return out;
    }

    /// Free text with every known original replaced in one pass, the longest match first at
    /// each position (a replacement is never searched again).
    std::string text(const std::string& value) {
        auto pairs = text_;
        std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
            return a.first.size() > b.first.size();
        });
        const std::string low = lower(value);
        std::string out;
        for (std::size_t i = 0; i < value.size();) {
            const auto hit = std::find_if(pairs.begin(), pairs.end(), [&](const auto& p) {
                return p.first.size() >= 3 && low.compare(i, p.first.size(), lower(p.first)) == 0;
            });
            if (hit == pairs.end()) {
                out += value[i++];
            } else {
                out += hit->second;
                i += hit->first.size();
            }
        }
        return out;
    }

private:
    template <typename Make>
    std::string mapped(std::map<std::string, std::string>& table,
                       const std::string& value,
                       Make make) {
        if (value.empty()) {
            return value;
        }
        const std::string key = lower(value);
        auto it = table.find(key);
        if (it == table.end()) {
            it = table.emplace(key, make()).first;
            if (&table != &binary_) {
                text_.emplace_back(value, it->second);
            }
        }
        return it->second;
    }

    std::string dcPart(const std::string& v) {
        auto it = dcs_.find(lower(v));
        if (it == dcs_.end()) {
            it = dcs_.emplace(lower(v), "dc" + std::to_string(dcs_.size() + 1)).first;
        }
        return it->second;
    }

    std::size_t unit(const std::string& v) {
        return units_.emplace(lower(v), units_.size() + 1).first->second;
    }

    std::map<std::string, std::string> upns_, domains_, names_, accounts_, guids_, binary_, dcs_;
    std::map<std::string, std::size_t> units_;
    std::vector<std::pair<std::string, std::string>> text_;
};

void pseudonymiseEntry(Pseudonyms& p, DirectoryEntry& e) {
    e.dn = p.dn(e.dn);
    for (auto& [name, value] : e.values) {
        const std::string n = lower(name);
        if (n == "userprincipalname" || n == "mail") {
            value = p.upn(value);
        } else if (n == "proxyaddresses" && value.find(':') != std::string::npos) {
            value = value.substr(0, value.find(':') + 1) + p.upn(value.substr(value.find(':') + 1));
        } else if (n == "samaccountname") {
            value = p.account(value);
        } else if (n == "displayname" || n == "cn" || n == "name" || n == "givenname" ||
                   n == "sn") {
            value = p.name(value);
        } else if (n == "distinguishedname" || n == "mspsoappliesto" || n == "msds-psoappliesto" ||
                   n == "member" || n == "memberof" || n == "manager") {
            value = p.dn(value);
        } else if ((n == "objectguid" || n == "ms-ds-consistencyguid") && value.size() == 16) {
            value = p.binaryGuid(value);
        }
    }
}

}  // namespace

void pseudonymise(Evidence& evidence) {
    Pseudonyms p;
    for (auto& e : evidence.entries) {
        pseudonymiseEntry(p, e);
    }
    for (auto& a : evidence.audits) {
        a.actorUpn = p.upn(a.actorUpn);
        a.targetUpn = p.upn(a.targetUpn);
        a.targetDisplayName = p.name(a.targetDisplayName);
        if (detail::isGuid(a.correlationId)) {
            a.correlationId = p.guid(a.correlationId);
        }
    }
    for (auto& r : evidence.riskyUsers) {
        r.upn = p.upn(r.upn);
    }
    for (auto& d : evidence.detections) {
        d.upn = p.upn(d.upn);
    }
    // Free text last, when every name has its pseudonym.
    for (auto& a : evidence.audits) {
        a.resultReason = p.text(a.resultReason);
        for (auto& [key, value] : a.details) {
            value = p.text(value);
        }
    }
    for (auto& e : evidence.events) {
        e.text = p.text(e.text);
    }
}

}  // namespace wblab::evidence
