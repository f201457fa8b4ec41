#pragma once
// Test helpers for the cloud model: a recording channel with a canned reply, and a small lab.

#include <wblab/sim/cloud.hpp>

namespace wblab::sim::test {

/// A channel that records what it was sent and answers with a canned reply.
class FakeChannel : public WritebackChannel {
public:
    explicit FakeChannel(WritebackReply reply) : reply_(std::move(reply)) {}

    WritebackReply deliver(const WritebackRequest& request) override {
        requests.push_back(request);
        return reply_;
    }

    bool serviceUp() const override { return up; }

    std::vector<WritebackRequest> requests;
    bool up = true;

private:
    WritebackReply reply_;
};

inline WritebackReply answered(bool success, std::vector<int> events, int reason = 0) {
    WritebackReply r;
    r.delivery = WritebackReply::Delivery::Answered;
    r.success = success;
    r.events = std::move(events);
    r.reason = reason;
    return r;
}

struct Lab {
    VirtualClock clock{1'800'000'000};
    Cloud cloud;

    explicit Lab(TenantSettings settings = {}) : cloud(settings, clock) {
        cloud.addUser(user("user1@testlab.example", "anchor-1"));
        cloud.addUser(user("cloud@testlab.onmicrosoft.com", "", false));
    }

    static CloudUser user(const std::string& upn, const std::string& anchor, bool synced = true) {
        CloudUser u;
        u.upn = upn;
        u.anchor = anchor;
        u.synced = synced;
        return u;
    }
};

inline const AuditEntry& lastAudit(const Cloud& cloud) {
    return cloud.auditLog().back();
}

}  // namespace wblab::sim::test
