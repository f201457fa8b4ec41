#pragma once
// Private to the harness: the one mapping from the scenario model to the directory's and the
// cloud's types. Everything a scenario says about the tenant, the users and the directory passes
// through here on its way to the fixture and the cloud model.

#include <wblab/fixture/directory.hpp>
#include <wblab/harness/runner.hpp>
#include <wblab/scenario/model.hpp>
#include <wblab/sim/cloud.hpp>

#include <vector>

namespace wblab::harness {

/// The directory a scenario describes: base DN, policies, connector rights, users.
fixture::DirectorySeed directorySeedOf(const scenario::Scenario& s);

/// The tenant's settings as the cloud model takes them.
sim::TenantSettings tenantSettingsOf(const scenario::TenantSpec& t);

/// The fixture's flavour for the run's choice of directory.
fixture::Flavour flavourOf(DirectoryFlavour flavour);

/// The fixture's name for an AD behaviour a scenario needs.
fixture::AdBehaviour adBehaviourOf(scenario::DirectoryNeed need);

/// The fixture's name for the certificate the directory presents over ldaps.
fixture::TlsCertificate tlsCertificateOf(scenario::TlsCertificate certificate);

/// How to start the scenario's directory: ldaps and its certificate, kept or not.
fixture::FixtureOptions fixtureOptionsOf(const scenario::OnPremSpec& onprem, bool keep);

/// Every account the cloud knows at the start: the synced users (with their anchors) and the
/// cloud-only ones.
std::vector<sim::CloudUser> cloudUsersOf(const scenario::Scenario& s);

}  // namespace wblab::harness
