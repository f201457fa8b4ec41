// Earned verdicts: under each fault of the reference agent, the criteria that fail are exactly
// those whose checks caught the fault, never every criterion of a failed scenario.
#include "e2e_support.hpp"

using namespace wblab;
using namespace wblab::e2e;

namespace {

struct FaultCase {
    std::string fault;
    std::vector<std::string> scenarios;  ///< files under scenarios/
    std::set<std::string> failed;        ///< exactly these criteria fail
};

std::set<std::string> failedUnder(const FaultCase& c) {
    std::vector<report::CaseResult> results;
    auto options = optionsFor(referenceAgent(c.fault));
    options.stepTimeout = std::chrono::milliseconds(1000);
    for (const auto& file : c.scenarios) {
        results.push_back(harness::runScenario(load(kScenarios + "/" + file), options));
    }
    return failedCriteria(results);
}

}  // namespace

TEST_CASE("Under a fault, exactly the criteria whose checks caught it fail",
          "[e2e][slapd][earned]") {
    const std::string reset = "conformance/0001_sspr_reset_synced_user.yaml";
    auto c = GENERATE_COPY(
        // The issue's own example: every event was right, only must-change was wrong.
        FaultCase{"ignores-must-change",
                  {reset,
                   "conformance/0013_admin_reset_must_change.yaml",
                   "conformance/0014_admin_reset_never_expires.yaml"},
                  {"wb-admin-reset-must-change"}},
        // Nothing logged, everything sealed: only what the directory shows fails.
        FaultCase{"success-without-write", {reset}, {"wb-convergence", "wb-reset-applies"}},
        FaultCase{"logs-password", {reset}, {"sec-never-logged"}},
        FaultCase{"accepts-plaintext", {reset}, {"sec-encrypted-in-transit"}},
        FaultCase{
            "wrong-event-ids", {reset, "conformance/0015_sspr_change.yaml"}, {"wb-event-ids"}},
        FaultCase{"applies-replay",
                  {"conformance/0018_replayed_request_rejected.yaml"},
                  {"sec-replay-rejected"}},
        // A hang: the answer's own criterion, and what the user and the directory then show.
        FaultCase{"hangs", {reset}, {"wb-answers-in-time", "wb-event-ids", "wb-reset-applies"}});
    INFO(c.fault);
    CHECK(failedUnder(c) == c.failed);
}
