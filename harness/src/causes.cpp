// The documented causes diagnose tries (causes.hpp), from the troubleshooting catalog
// (DOMAIN.md §9, §4; docs/cloud-model.md). Their order is the preference among equals:
// misconfigurations an admin fixes before account states that describe a user's situation.
#include "causes.hpp"

#include <algorithm>

namespace wblab::harness::causes {

namespace {

using scenario::Scenario;
using Users = std::vector<std::string>;

constexpr const char* kPermissions =
    "Connect: Set-ADSyncPasswordWritebackPermissions for the AD DS connector account "
    "(ADSyncConfig), or the right on Descendant User objects; cloud sync: "
    "Set-AADCloudSyncPermissions -PermissionType PasswordWriteBack. Inheritance must reach the "
    "users; propagation can take an hour.";

Cause connectorRight(const char* id,
                     const char* right,
                     bool scenario::ConnectorSpec::*field,
                     const char* why) {
    return Cause{{id,
                  std::string("The connector account lacks ") + right,
                  "DOMAIN.md §4.1, §4.3; troubleshoot-sspr-writeback (33004); "
                  "tutorial-enable-sspr-writeback",
                  std::string("Grant ") + right + " (" + why + "). " + kPermissions},
                 "connector",
                 [field](const Scenario& s) { return !(s.onprem.connector.*field); },
                 [field](Scenario& s) { s.onprem.connector.*field = true; },
                 [field](Scenario& s, const Users&) {
                     s.onprem.connector.*field = false;
                     return true;
                 }};
}

/// A flag of the users: present on any, removed from all, added to the involved ones.
Cause userFlag(CauseInfo info, bool scenario::UserSpec::*flag) {
    return Cause{std::move(info),
                 "users",
                 [flag](const Scenario& s) {
                     return std::any_of(s.onprem.users.begin(),
                                        s.onprem.users.end(),
                                        [&](const auto& u) { return u.*flag; });
                 },
                 [flag](Scenario& s) {
                     for (auto& u : s.onprem.users) {
                         u.*flag = false;
                     }
                 },
                 [flag](Scenario& s, const Users& users) {
                     bool any = false;
                     for (auto& u : s.onprem.users) {
                         if (std::find(users.begin(), users.end(), u.sam) != users.end() &&
                             !established(s, "user:" + u.sam)) {
                             u.*flag = true;
                             u.mustChange = flag == &scenario::UserSpec::passwordNeverExpires
                                                ? false
                                                : u.mustChange;
                             any = true;
                         }
                     }
                     return any;
                 }};
}

std::vector<Cause> connectorCauses() {
    using C = scenario::ConnectorSpec;
    return {connectorRight("connector-reset-password",
                           "Reset Password",
                           &C::resetPassword,
                           "resets, admin resets"),
            connectorRight("connector-write-lockout-time",
                           "Write lockoutTime",
                           &C::writeLockoutTime,
                           "the unlock SSPR asks for with every reset"),
            connectorRight("connector-write-pwd-last-set",
                           "Write pwdLastSet",
                           &C::writePwdLastSet,
                           "must change at next sign-in, and clearing it"),
            connectorRight("connector-unexpire-password",
                           "Unexpire Password",
                           &C::unexpirePassword,
                           "on the root of each domain: without it must-change stays set")};
}

Cause domainPolicy(CauseInfo info,
                   std::function<bool(const scenario::PolicySpec&)> present,
                   std::function<void(scenario::PolicySpec&)> remove,
                   std::function<bool(scenario::PolicySpec&)> add) {
    return Cause{std::move(info),
                 "policy",
                 [present](const Scenario& s) { return present(s.onprem.policy); },
                 [remove](Scenario& s) { remove(s.onprem.policy); },
                 [add](Scenario& s, const Users&) { return add(s.onprem.policy); }};
}

std::vector<Cause> policyCauses() {
    return {
        Cause{{"fine-grained-policy",
               "A fine-grained password policy (PSO) applies to the user",
               "DOMAIN.md §3; passwords-faq",
               "Check the PSO that wins for the user (Get-ADUserResultantPasswordPolicy) and tell "
               "its users its rules: it replaces the domain policy on writeback."},
              "policy",
              [](const Scenario& s) { return !s.onprem.fineGrainedPolicies.empty(); },
              [](Scenario& s) { s.onprem.fineGrainedPolicies.clear(); },
              [](Scenario&, const Users&) { return false; }},
        domainPolicy(
            {"password-history",
             "The domain's password history refuses a recent password",
             "DOMAIN.md §3, §9.5; troubleshoot-sspr-writeback (33008)",
             "Users must pick a password that is not one of the last N: history is "
             "enforced on resets too (policy hints)."},
            [](const auto& p) { return p.history > 0; },
            [](auto& p) { p.history = 0; },
            [](auto& p) { return (p.history = 24) > 0; }),
        domainPolicy(
            {"minimum-age",
             "The domain's minimum password age refuses a second change the same day",
             "DOMAIN.md §3, §9.5; tutorial-enable-sspr-writeback",
             "Set the minimum password age to 0 where users may reset more than once a "
             "day, or tell them to wait."},
            [](const auto& p) { return p.minAgeSeconds > 0; },
            [](auto& p) { p.minAgeSeconds = 0; },
            [](auto& p) { return (p.minAgeSeconds = 86400) > 0; }),
        domainPolicy(
            {"complexity",
             "AD complexity refuses the password (the user's name, or too few classes)",
             "DOMAIN.md §3, §9.5",
             "Tell users AD's rules: no account name or display-name part, three of "
             "four character classes; SSPR does not show on-premises rules."},
            [](const auto& p) { return p.complexity; },
            [](auto& p) { p.complexity = false; },
            [](auto& p) { return !std::exchange(p.complexity, true); }),
    };
}

std::vector<Cause> accountCauses() {
    using U = scenario::UserSpec;
    return {
        userFlag({"protected-account",
                  "The account is protected (adminCount=1): AdminSDHolder took the connector's "
                  "rights away",
                  "DOMAIN.md §9.1; troubleshoot-sspr-writeback (33004); concept-sspr-writeback",
                  "Clear adminCount and turn inheritance back on for a former admin; a real admin "
                  "resets on-premises (self-service change still works)."},
                 &U::protectedAccount),
        userFlag({"cannot-change-password",
                  "'User cannot change password' is set on the account",
                  "DOMAIN.md §9.4; troubleshoot-sspr-writeback (6329)",
                  "Clear 'User cannot change password' (the denied Change Password) if the user "
                  "should change it; an admin reset still works."},
                 &U::cannotChangePassword),
    };
}

std::vector<Cause> stateCauses() {
    using U = scenario::UserSpec;
    return {
        userFlag({"password-never-expires",
                  "'Password never expires' is set: AD drops must-change silently",
                  "DOMAIN.md §2.3, §9.4; concept-sspr-writeback",
                  "Clear 'Password never expires' on accounts whose users must change a temporary "
                  "password."},
                 &U::passwordNeverExpires),
        userFlag({"account-disabled",
                  "The account is disabled on-premises and the cloud does not know yet",
                  "DOMAIN.md §9.4; troubleshoot-sspr-writeback (33005)",
                  "Expected for a leaver: the cloud account is disabled at the next sync (30 "
                  "minutes); enable the account if the user still works here."},
                 &U::disabled),
        userFlag({"account-locked",
                  "The account is locked out on-premises",
                  "DOMAIN.md §9.4; troubleshoot-sspr-writeback (33006)",
                  "A change of a locked-out account fails; reset with unlock (the SSPR default) or "
                  "unlock it on-premises."},
                 &U::locked),
    };
}

bool sharedAnchor(const Scenario& s) {
    for (std::size_t i = 0; i < s.onprem.users.size(); ++i) {
        for (std::size_t j = i + 1; j < s.onprem.users.size(); ++j) {
            const auto& a = s.onprem.users[i].anchor;
            if (!a.empty() && a == s.onprem.users[j].anchor) {
                return true;
            }
        }
    }
    return false;
}

bool addTwins(Scenario& s, const Users& users) {
    int n = 0;
    for (const auto& sam : users) {
        const auto* user = s.userWithSam(sam);
        if (user == nullptr || sam.size() > 15) {
            continue;
        }
        scenario::UserSpec twin = *user;
        if (twin.anchor.empty()) {
            twin.anchor = "d1a90000-0000-4000-8000-00000000000" + std::to_string(++n % 10);
            s.onprem.users[static_cast<std::size_t>(user - s.onprem.users.data())].anchor =
                twin.anchor;
        }
        twin.sam = sam + "-twin";
        twin.upn = sam + "@twin-forest.example";
        twin.cloudUpn.clear();
        twin.password = "Twin-Forest-Passw0rd-1";
        s.onprem.users.push_back(twin);
    }
    return !users.empty();
}

std::vector<Cause> identityCauses() {
    return {
        Cause{{"duplicate-anchor",
               "Two accounts share the user's source anchor",
               "DOMAIN.md §9.3; troubleshoot-sspr-writeback (33003)",
               "Find the other account with the anchor (another forest, or a copied "
               "mS-DS-ConsistencyGuid) and disable or re-anchor it: writeback does not pick one."},
              "users",
              sharedAnchor,
              [](Scenario& s) {
                  for (std::size_t i = 1; i < s.onprem.users.size(); ++i) {
                      for (std::size_t j = 0; j < i; ++j) {
                          if (!s.onprem.users[i].anchor.empty() &&
                              s.onprem.users[i].anchor == s.onprem.users[j].anchor) {
                              s.onprem.users[i].anchor.clear();
                          }
                      }
                  }
              },
              addTwins},
        Cause{{"deleted-on-premises",
               "The account was deleted (or moved out of scope) on-premises before the next sync",
               "DOMAIN.md §1.3, §9.3; troubleshoot-sspr-writeback (33002)",
               "Restore the account or its OU scope, or wait for the next sync (30 minutes) to "
               "remove the cloud account."},
              "users",
              [](const Scenario& s) {
                  return std::any_of(s.steps.begin(), s.steps.end(), [](const auto& st) {
                      return std::holds_alternative<scenario::OnPremDelete>(st.action);
                  });
              },
              [](Scenario& s) {
                  std::erase_if(s.steps, [](const auto& st) {
                      return std::holds_alternative<scenario::OnPremDelete>(st.action);
                  });
              },
              [](Scenario& s, const Users& users) {
                  bool any = false;
                  for (const auto& sam : users) {
                      if (!established(s, "user:" + sam)) {
                          s.steps.insert(
                              s.steps.begin(),
                              scenario::Step{
                                  scenario::OnPremDelete{sam}, {}, std::nullopt, {}, {}});
                          any = true;
                      }
                  }
                  return any;
              }},
    };
}

Cause faultStep(CauseInfo info,
                scenario::FaultKind down,
                std::initializer_list<scenario::FaultKind> all) {
    std::vector<scenario::FaultKind> kinds(all);
    return Cause{std::move(info),
                 "service",
                 [kinds](const Scenario& s) {
                     return std::any_of(s.steps.begin(), s.steps.end(), [&](const auto& st) {
                         const auto* f = std::get_if<scenario::Fault>(&st.action);
                         return f != nullptr &&
                                std::find(kinds.begin(), kinds.end(), f->kind) != kinds.end();
                     });
                 },
                 [kinds](Scenario& s) {
                     std::erase_if(s.steps, [&](const auto& st) {
                         const auto* f = std::get_if<scenario::Fault>(&st.action);
                         return f != nullptr &&
                                std::find(kinds.begin(), kinds.end(), f->kind) != kinds.end();
                     });
                 },
                 [down](Scenario& s, const Users&) {
                     s.steps.insert(
                         s.steps.begin(),
                         scenario::Step{scenario::Fault{down}, {}, std::nullopt, {}, {}});
                     return true;
                 }};
}

Cause relayMode(CauseInfo info, bool drop) {
    auto has = [drop](const scenario::Step& st) {
        return drop ? st.relay.mode == scenario::RelayMode::Drop : st.relay.delaySeconds > 0;
    };
    return Cause{
        std::move(info),
        "service",
        [has](const Scenario& s) { return std::any_of(s.steps.begin(), s.steps.end(), has); },
        [drop](Scenario& s) {
            for (auto& st : s.steps) {
                if (drop && st.relay.mode == scenario::RelayMode::Drop) {
                    st.relay.mode = scenario::RelayMode::Deliver;
                } else if (!drop) {
                    st.relay.delaySeconds = 0;
                }
            }
        },
        [drop](Scenario& s, const Users&) {
            for (auto& st : s.steps) {
                if (!scenario::sendsRequest(st.action) ||
                    st.relay.mode != scenario::RelayMode::Deliver) {
                    continue;
                }
                if (drop) {
                    st.relay.mode = scenario::RelayMode::Drop;
                } else {
                    st.relay.delaySeconds = 600;  // twice the message lifetime
                }
            }
            return true;
        }};
}

std::vector<Cause> serviceCauses() {
    using K = scenario::FaultKind;
    constexpr const char* relayStep =
        "Check the outbound path to *.servicebus.windows.net on 443 (proxy, firewall, idle "
        "timeouts) and events 32002, 32014, 31034 on the agent's host.";
    return {
        Cause{{"writeback-off",
               "Password writeback is off in the tenant",
               "DOMAIN.md §1.2, §6.3 (SSPR_0010); troubleshoot-sspr",
               "Turn on 'Write back passwords to your on-premises directory' (Password reset, "
               "On-premises integration; for cloud sync also 'Write back passwords with Microsoft "
               "Entra Connect cloud sync')."},
              "tenant",
              [](const Scenario& s) { return !s.tenant.writeback; },
              [](Scenario& s) { s.tenant.writeback = true; },
              [](Scenario& s, const Users&) { return std::exchange(s.tenant.writeback, false); }},
        relayMode({"relay-delay",
                   "The relay delivers requests late: past their lifetime they are refused",
                   "DOMAIN.md §1.4, §9.2; troubleshoot-sspr-writeback (32002, 32014)",
                   relayStep},
                  false),
        relayMode({"relay-drop",
                   "The relay loses requests: the cloud waits in vain",
                   "DOMAIN.md §9.2; troubleshoot-sspr (SSPR_0030)",
                   relayStep},
                  true),
        faultStep(
            {"agent-down",
             "The writeback service is stopped or not connected",
             "DOMAIN.md §9.2; concept-sspr-writeback; troubleshoot-sspr-writeback (31016, 31044)",
             "Restart ADSync (Connect) or the provisioning agent (cloud sync); check 31015, "
             "31016, 31034 and 31044 and the outbound path."},
            K::AgentDown,
            {K::AgentDown, K::AgentCrash, K::AgentUp}),
        faultStep({"directory-down",
                   "The agent cannot reach a domain controller",
                   "DOMAIN.md §9.2, §4.2; troubleshoot-sspr-writeback (33001)",
                   "Check the domain controllers the connector uses (preferred DCs) and the "
                   "network between them and the agent's host."},
                  K::DirectoryDown,
                  {K::DirectoryDown, K::DirectoryUp}),
    };
}

Cause riskCause() {
    return Cause{{"onprem-change-keeps-risk",
                  "An on-premises change does not reset user risk in this tenant",
                  "DOMAIN.md §7.2, §7.3; howto-identity-protection-remediate-unblock",
                  "Turn on 'Allow on-premises password change to reset user risk' (needs password "
                  "hash sync), or let users make the secure change in the cloud, which writeback "
                  "carries."},
                 "tenant",
                 [](const Scenario& s) {
                     const auto& ip = s.tenant.identityProtection;
                     return !ip.onPremisesChangeResetsRisk && ip.userRiskPolicy.enabled &&
                            std::any_of(s.steps.begin(), s.steps.end(), [](const auto& st) {
                                return std::holds_alternative<scenario::OnPremChange>(st.action);
                            });
                 },
                 [](Scenario& s) { s.tenant.identityProtection.onPremisesChangeResetsRisk = true; },
                 [](Scenario& s, const Users&) {
                     return std::exchange(s.tenant.identityProtection.onPremisesChangeResetsRisk,
                                          false);
                 }};
}

}  // namespace

bool established(const Scenario& s, const std::string& part) {
    return std::find(s.established.begin(), s.established.end(), part) != s.established.end();
}

std::vector<std::string> involvedUsers(const Scenario& s) {
    std::vector<std::string> out;
    auto add = [&](const std::string& sam) {
        if (!sam.empty() && std::find(out.begin(), out.end(), sam) == out.end()) {
            out.push_back(sam);
        }
    };
    for (const auto& step : s.steps) {
        std::visit(
            [&](const auto& a) {
                if constexpr (requires { a.sam; }) {
                    add(a.sam);
                } else if constexpr (requires { a.user; }) {
                    if (const auto* u = s.userSigningInAs(a.user)) {
                        add(u->sam);
                    }
                }
            },
            step.action);
    }
    return out;
}

const std::vector<Cause>& all() {
    static const std::vector<Cause> causes = [] {
        std::vector<Cause> out;
        for (auto group : {connectorCauses(),
                           accountCauses(),
                           policyCauses(),
                           identityCauses(),
                           serviceCauses(),
                           std::vector<Cause>{riskCause()},
                           stateCauses()}) {
            out.insert(out.end(), group.begin(), group.end());
        }
        return out;
    }();
    return causes;
}

}  // namespace wblab::harness::causes
