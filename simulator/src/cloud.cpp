#include "lower.hpp"

#include <wblab/sim/cloud.hpp>
#include <wblab/support/seed.hpp>

#include <cstdio>

namespace wblab::sim {

namespace {

using detail::lower;

}  // namespace

Cloud::Cloud(TenantSettings settings, VirtualClock& clock) : settings_(settings), clock_(clock) {}

void Cloud::addUser(CloudUser user) {
    auto key = lower(user.upn);
    if (user.synced && !user.anchor.empty()) {
        byAnchor_[user.anchor] = key;
    }
    users_[key] = std::move(user);
}

CloudUser* Cloud::userByAnchor(const std::string& anchor) {
    auto it = byAnchor_.find(anchor);
    if (it == byAnchor_.end()) {
        return nullptr;
    }
    auto user = users_.find(it->second);
    return user == users_.end() ? nullptr : &user->second;
}

const CloudUser* Cloud::findUser(const std::string& upn) const {
    auto it = users_.find(lower(upn));
    return it == users_.end() ? nullptr : &it->second;
}

CloudUser* Cloud::mutableUser(const std::string& upn) {
    auto it = users_.find(lower(upn));
    return it == users_.end() ? nullptr : &it->second;
}

std::string Cloud::nextCorrelationId() {
    char buf[40];
    if (!idSeed_) {
        std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", nextId_++);
        return buf;
    }
    // A version-4-shaped UUID from the scenario's seed: ids look like the real service's, and the
    // same seed gives the same ids.
    const std::uint64_t hi = mixSeed(*idSeed_ + 2 * static_cast<std::uint64_t>(nextId_));
    const std::uint64_t lo = mixSeed(*idSeed_ + 2 * static_cast<std::uint64_t>(nextId_) + 1);
    ++nextId_;
    std::snprintf(buf,
                  sizeof buf,
                  "%08x-%04x-4%03x-%04x-%012llx",
                  static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xffff),
                  static_cast<unsigned>(hi & 0x0fff),
                  static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return buf;
}

void Cloud::record(const std::string& activity,
                   bool success,
                   const std::string& reason,
                   const std::string& actor,
                   const std::string& target,
                   const std::string& correlationId,
                   const char* service) {
    AuditEntry e;
    e.time = clock_.now();
    if (service != nullptr) {
        e.service = service;
    }
    e.activity = activity;
    e.result = success ? "success" : "failure";
    e.reason = reason;
    e.actor = actor;
    e.target = target;
    e.correlationId = correlationId;
    audit_.push_back(std::move(e));
}

}  // namespace wblab::sim
