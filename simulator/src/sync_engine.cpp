// The sync engine: directory users reach the cloud by object sync (every 30 minutes) and their
// password hashes by password hash sync (every 2 minutes), on the lab's virtual clock
// (DOMAIN.md §1.3 step 11, DESIGN.md §2). Pinned by simulator/tests/sync_test.cpp.
#include "lower.hpp"

#include <wblab/sim/cloud.hpp>

#include <set>
#include <string_view>
#include <unordered_set>

namespace wblab::sim {

namespace {

using detail::lower;

// Audit of a synced password change (DOMAIN.md §1.3 step 11, §6.4).
constexpr const char* kSyncedChangeActivity = "Change user password";
constexpr const char* kSyncActor = "Sync_Connect";
constexpr const char* kCoreDirectory = "Core Directory";

}  // namespace

SyncReport Cloud::initialSync(DirectorySource& source) {
    SyncReport report;
    for (const auto& object : source.readUsers()) {
        if (CloudUser* user = userByAnchor(object.anchor)) {
            user->enabled = object.enabled;
            if (user->samAccountName.empty()) {
                user->samAccountName = object.samAccountName;
            }
            if (settings_.passwordHashSync) {
                user->syncedPasswordHash = object.passwordHash;
            }
        }
    }
    lastHashSync_ = clock_.now();
    lastObjectSync_ = clock_.now();
    return report;
}

SyncReport Cloud::syncObjects(DirectorySource& source) {
    auto objects = source.readUsers();
    return applyObjects(objects);
}

SyncReport Cloud::syncPasswordHashes(DirectorySource& source) {
    auto objects = source.readUsers();
    return applyHashes(objects);
}

SyncReport Cloud::syncAll(DirectorySource& source) {
    // One read of the directory serves both cycles (the hash cycle reads no UPN).
    auto objects = source.readUsers();
    auto report = applyObjects(objects);
    auto hashes = applyHashes(objects);
    report.hashCycles = hashes.hashCycles;
    report.passwordsSynced = hashes.passwordsSynced;
    return report;
}

SyncReport Cloud::applyObjects(std::vector<DirectoryObject>& objects) {
    SyncReport report;
    report.objectCycles = 1;
    // Synced users whose directory object is gone are deleted in the cloud (soft-deleted there).
    // Views of the read's anchors, which outlive the set (no copy of a million strings).
    std::unordered_set<std::string_view> present;
    present.reserve(objects.size());
    for (const auto& object : objects) {
        present.insert(object.anchor);
    }
    for (auto it = byAnchor_.begin(); it != byAnchor_.end();) {
        if (present.count(it->first) == 0) {
            users_.erase(it->second);
            it = byAnchor_.erase(it);
            ++report.usersDeleted;
        } else {
            ++it;
        }
    }
    // Every synced user left has an anchor of this read: the join never needs more room.
    byAnchor_.reserve(objects.size());
    for (auto& object : objects) {
        CloudUser* match = userByAnchor(object.anchor);
        if (match == nullptr) {
            // A new directory user: created in the cloud with the tenant's defaults.
            CloudUser user;
            user.upn = std::move(object.upn);
            user.anchor = object.anchor;
            user.samAccountName = std::move(object.samAccountName);
            user.synced = true;
            user.enabled = object.enabled;
            addUser(std::move(user));
            ++report.usersAdded;
            continue;
        }
        if (mutated(LabMutation::DisableNotSynced)) {
            continue;
        }
        if (match->enabled && !object.enabled) {
            ++report.usersDisabled;
        }
        match->enabled = object.enabled;
    }
    lastObjectSync_ = clock_.now();
    return report;
}

SyncReport Cloud::applyHashes(std::vector<DirectoryObject>& objects) {
    SyncReport report;
    report.hashCycles = 1;
    lastHashSync_ = clock_.now();
    if (!settings_.passwordHashSync || mutated(LabMutation::NoPasswordHashSync)) {
        return report;
    }
    for (auto& object : objects) {
        CloudUser* user = userByAnchor(object.anchor);
        if (user == nullptr || user->syncedPasswordHash == object.passwordHash) {
            continue;
        }
        const std::string key = lower(user->upn);
        // A password set on-premises after OnPremisesSuccessCloudFailure: hash sync commits it
        // ("it overwrites the existing cloud password"), or the cloud keeps refusing it.
        auto pending = pendingCommit_.find(key);
        const bool committed = pending != pendingCommit_.end() && verifier_ &&
                               verifier_(object.passwordHash, pending->second);
        if (committed && !settings_.hashSyncCommitsCloudFailure) {
            continue;
        }
        if (pending != pendingCommit_.end()) {
            pendingCommit_.erase(pending);
        }
        if (mutated(LabMutation::LeaksMatchOldPasswords) && !user->syncedPasswordHash.empty()) {
            formerHashes_[key].push_back(user->syncedPasswordHash);
        }
        user->syncedPasswordHash = std::move(object.passwordHash);  // read below from the user
        ++report.passwordsSynced;
        record(kSyncedChangeActivity,
               true,
               "Password hash synchronized",
               kSyncActor,
               user->upn,
               "",
               kCoreDirectory);
        auto echo = pendingEcho_.find(key);
        const bool fromCloud = committed || (echo != pendingEcho_.end() && verifier_ &&
                                             verifier_(user->syncedPasswordHash, echo->second));
        if (echo != pendingEcho_.end()) {
            pendingEcho_.erase(echo);
        }
        if (committed) {
            ++user->passwordVersion;  // the cloud takes the password now; risk stays as it was
        } else if (!fromCloud) {
            // Changed on-premises (Ctrl+Alt+Del, ADUC): with the tenant setting on, this
            // remediates user risk (DOMAIN.md §7.3).
            ++user->passwordVersion;
            if (settings_.identityProtection.onPremisesChangeResetsRisk ||
                mutated(LabMutation::OnPremChangeAlwaysRemediates)) {
                remediate(user->upn, RiskDetail::UserChangedPasswordOnPremises);
            }
        }
    }
    return report;
}

SyncReport Cloud::runDueCycles(DirectorySource& source) {
    SyncReport report;
    const auto now = clock_.now();
    const bool hashesDue =
        settings_.passwordHashSync && now - lastHashSync_ >= settings_.hashSyncIntervalSeconds;
    const bool objectsDue = now - lastObjectSync_ >= settings_.syncIntervalSeconds;
    if (!hashesDue && !objectsDue) {
        return report;
    }
    auto objects = source.readUsers();
    if (hashesDue) {
        auto r = applyHashes(objects);
        report.hashCycles += r.hashCycles;
        report.passwordsSynced += r.passwordsSynced;
    }
    if (objectsDue) {
        auto r = applyObjects(objects);
        report.objectCycles += r.objectCycles;
        report.usersAdded += r.usersAdded;
        report.usersDisabled += r.usersDisabled;
    }
    return report;
}

}  // namespace wblab::sim
