// Names and small queries of the scenario model (model.hpp).
#include <wblab/scenario/model.hpp>

#include <algorithm>
#include <cctype>
#include <type_traits>

namespace wblab::scenario {

std::vector<std::string> UserSpec::nameTokensRefusedInPassword() const {
    auto lower = [](std::string text) {
        for (auto& c : text) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return text;
    };
    std::vector<std::string> tokens;
    if (sam.size() >= 3) {
        tokens.push_back(lower(sam));
    }
    std::string token;
    for (char c : displayName + " ") {
        if (std::string(",.-_ #\t").find(c) != std::string::npos) {
            if (token.size() >= 3) {
                tokens.push_back(lower(token));
            }
            token.clear();
        } else {
            token += c;
        }
    }
    return tokens;
}

namespace {

template <typename T>
struct KindName;

#define WBLAB_STEP_KIND(Type, name)                \
    template <>                                    \
    struct KindName<Type> {                        \
        static constexpr const char* value = name; \
    };

WBLAB_STEP_KIND(SsprReset, "sspr_reset")
WBLAB_STEP_KIND(SsprChange, "sspr_change")
WBLAB_STEP_KIND(ForcedChange, "forced_change")
WBLAB_STEP_KIND(AdminReset, "admin_reset")
WBLAB_STEP_KIND(Unlock, "unlock")
WBLAB_STEP_KIND(GraphReset, "graph_reset")
WBLAB_STEP_KIND(SignIn, "sign_in")
WBLAB_STEP_KIND(Replay, "replay")
WBLAB_STEP_KIND(Release, "release")
WBLAB_STEP_KIND(Advance, "advance")
WBLAB_STEP_KIND(Fault, "fault")
WBLAB_STEP_KIND(NewSession, "new_session")
WBLAB_STEP_KIND(UnsupportedReset, "unsupported_reset")
WBLAB_STEP_KIND(Sync, "sync")
WBLAB_STEP_KIND(OnPremChange, "onprem_change")
WBLAB_STEP_KIND(OnPremDisable, "onprem_disable")
WBLAB_STEP_KIND(OnPremDelete, "onprem_delete")
WBLAB_STEP_KIND(RiskDetection, "risk_detection")
WBLAB_STEP_KIND(LeakedCredentials, "leaked_credentials")
WBLAB_STEP_KIND(DismissRisk, "dismiss_risk")
WBLAB_STEP_KIND(ConfirmCompromised, "confirm_compromised")
WBLAB_STEP_KIND(Register, "register")
WBLAB_STEP_KIND(TenantChange, "tenant_change")

#undef WBLAB_STEP_KIND

struct CapabilityName {
    Capability capability;
    const char* name;
};

constexpr CapabilityName kCapabilities[] = {
    {Capability::Reset, "reset"},
    {Capability::Change, "change"},
    {Capability::AdminReset, "admin_reset"},
    {Capability::UnlockOnly, "unlock_only"},
    {Capability::ForcedChange, "forced_change"},
    {Capability::Rehandshake, "rehandshake"},
};

struct DirectoryNeedName {
    DirectoryNeed need;
    const char* name;
};

constexpr DirectoryNeedName kDirectoryNeeds[] = {
    {DirectoryNeed::ResetPolicyHints, "reset_policy_hints"},
    {DirectoryNeed::ResetKeepsMustChange, "reset_keeps_must_change"},
};

struct TlsCertificateName {
    TlsCertificate certificate;
    const char* name;
};

constexpr TlsCertificateName kTlsCertificates[] = {
    {TlsCertificate::Trusted, "trusted"},
    {TlsCertificate::OtherCa, "other_ca"},
    {TlsCertificate::OtherHost, "other_host"},
};

}  // namespace

const char* toString(TlsCertificate certificate) {
    for (const auto& c : kTlsCertificates) {
        if (c.certificate == certificate) {
            return c.name;
        }
    }
    return "unknown";
}

std::optional<TlsCertificate> tlsCertificateFromString(std::string_view name) {
    for (const auto& c : kTlsCertificates) {
        if (name == c.name) {
            return c.certificate;
        }
    }
    return std::nullopt;
}

std::vector<std::string> tlsCertificateNames() {
    std::vector<std::string> names;
    for (const auto& c : kTlsCertificates) {
        names.emplace_back(c.name);
    }
    return names;
}

const char* toString(DirectoryNeed need) {
    for (const auto& n : kDirectoryNeeds) {
        if (n.need == need) {
            return n.name;
        }
    }
    return "unknown";
}

std::optional<DirectoryNeed> directoryNeedFromString(std::string_view name) {
    for (const auto& n : kDirectoryNeeds) {
        if (name == n.name) {
            return n.need;
        }
    }
    return std::nullopt;
}

std::vector<std::string> directoryNeedNames() {
    std::vector<std::string> names;
    for (const auto& n : kDirectoryNeeds) {
        names.emplace_back(n.name);
    }
    return names;
}

const char* kindName(const Action& action) {
    return std::visit([](const auto& a) { return KindName<std::decay_t<decltype(a)>>::value; },
                      action);
}

bool sendsRequest(const Action& action) {
    return std::holds_alternative<SsprReset>(action) ||
           std::holds_alternative<SsprChange>(action) ||
           std::holds_alternative<ForcedChange>(action) ||
           std::holds_alternative<AdminReset>(action) || std::holds_alternative<Unlock>(action) ||
           std::holds_alternative<GraphReset>(action) || std::holds_alternative<SignIn>(action);
}

std::optional<Capability> capabilityOf(const Action& action) {
    if (std::holds_alternative<SsprReset>(action)) {
        return Capability::Reset;
    }
    if (std::holds_alternative<SsprChange>(action)) {
        return Capability::Change;
    }
    if (std::holds_alternative<ForcedChange>(action)) {
        return Capability::ForcedChange;
    }
    if (std::holds_alternative<AdminReset>(action) || std::holds_alternative<GraphReset>(action)) {
        return Capability::AdminReset;
    }
    if (std::holds_alternative<Unlock>(action)) {
        return Capability::UnlockOnly;
    }
    if (std::holds_alternative<NewSession>(action)) {
        return Capability::Rehandshake;
    }
    // A sign-in's secure password change goes out as a change.
    if (const auto* signIn = std::get_if<SignIn>(&action); signIn && !signIn->newPassword.empty()) {
        return Capability::Change;
    }
    return std::nullopt;
}

const char* toString(Capability capability) {
    for (const auto& c : kCapabilities) {
        if (c.capability == capability) {
            return c.name;
        }
    }
    return "unknown";
}

std::optional<Capability> capabilityFromString(std::string_view name) {
    for (const auto& c : kCapabilities) {
        if (name == c.name) {
            return c.capability;
        }
    }
    return std::nullopt;
}

std::vector<std::string> capabilityNames() {
    std::vector<std::string> names;
    for (const auto& c : kCapabilities) {
        names.emplace_back(c.name);
    }
    return names;
}

const char* toString(FaultKind kind) {
    switch (kind) {
        case FaultKind::AgentDown:
            return "agent_down";
        case FaultKind::AgentUp:
            return "agent_up";
        case FaultKind::AgentCrash:
            return "agent_crash";
        case FaultKind::DirectoryDown:
            return "directory_down";
        case FaultKind::DirectoryUp:
            return "directory_up";
    }
    return "unknown";
}

const char* toString(SyncKind kind) {
    switch (kind) {
        case SyncKind::Objects:
            return "objects";
        case SyncKind::Hashes:
            return "hashes";
        case SyncKind::All:
            return "all";
    }
    return "unknown";
}

const char* toString(RelayMode mode) {
    switch (mode) {
        case RelayMode::Deliver:
            return "deliver";
        case RelayMode::Drop:
            return "drop";
        case RelayMode::Duplicate:
            return "duplicate";
        case RelayMode::Hold:
            return "hold";
    }
    return "unknown";
}

namespace {

void addPasswords(const Action& action, std::vector<std::string>& out) {
    auto add = [&](const std::string& pw) {
        if (!pw.empty()) {
            out.push_back(pw);
        }
    };
    std::visit(
        [&](const auto& a) {
            if constexpr (requires { a.newPassword; }) {
                add(a.newPassword);
            }
            if constexpr (requires { a.oldPassword; }) {
                add(a.oldPassword);
            }
            if constexpr (requires { a.password; }) {
                add(a.password);
            }
            if constexpr (requires { a.passwords; }) {
                out.insert(out.end(), a.passwords.begin(), a.passwords.end());
            }
        },
        action);
}

}  // namespace

std::vector<std::string> Scenario::secrets() const {
    std::vector<std::string> out;
    for (const auto& u : onprem.users) {
        out.push_back(u.password);
    }
    for (const auto& step : steps) {
        addPasswords(step.action, out);
    }
    for (const auto& d : expectDirectory) {
        for (const auto* list :
             {d.binds ? &d.binds->value : nullptr, d.rejects ? &d.rejects->value : nullptr}) {
            if (list != nullptr) {
                out.insert(out.end(), list->begin(), list->end());
            }
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

const UserSpec* Scenario::userSigningInAs(const std::string& signInName) const {
    for (const auto& u : onprem.users) {
        if (u.signInName() == signInName) {
            return &u;
        }
    }
    return nullptr;
}

const CloudUserSpec* Scenario::cloudOnlyUser(const std::string& upn) const {
    for (const auto& u : tenant.cloudUsers) {
        if (u.upn == upn) {
            return &u;
        }
    }
    return nullptr;
}

const TenantSpec& Scenario::tenantBefore(std::size_t index) const {
    for (std::size_t i = std::min(index, steps.size()); i > 0; --i) {
        if (const auto* change = std::get_if<TenantChange>(&steps[i - 1].action)) {
            return change->tenant;
        }
    }
    return tenant;
}

const UserSpec* Scenario::userWithSam(const std::string& sam) const {
    for (const auto& u : onprem.users) {
        if (u.sam == sam) {
            return &u;
        }
    }
    return nullptr;
}

}  // namespace wblab::scenario
