// Storms (`storm:`): one cloud operation per generated user, expanded into ordinary steps, with
// the directory checked on both sides for every user.
#include "loading.hpp"

namespace wblab::scenario::detail {

namespace {

struct StormOperation {
    bool adminReset = false;
    bool unlock = true;
    bool mustChange = false;
    int count = 0;
    std::string passwordPattern;
};

StormOperation readStormOperation(const Reader& r,
                                  const YAML::Node& op,
                                  const std::string& path,
                                  const GeneratedUsers& generated) {
    r.checkKeys(op, path, {"operation", "new_password", "count", "unlock", "must_change"});
    r.require(op, path, {"new_password"});
    StormOperation s;
    if (op["operation"]) {
        const std::string kind = r.string(op["operation"], path + ".operation");
        if (kind != "sspr_reset" && kind != "admin_reset") {
            r.fail(op["operation"], path + ".operation", "expected sspr_reset or admin_reset");
        }
        s.adminReset = kind == "admin_reset";
    }
    s.count = op["count"] ? r.smallInteger(op["count"], path + ".count", 1, generated.count)
                          : generated.count;
    s.passwordPattern = readPasswordPattern(r, op["new_password"], path + ".new_password", s.count);
    if (op["unlock"]) {
        if (s.adminReset) {
            r.fail(op["unlock"], path + ".unlock", "only an sspr_reset storm unlocks");
        }
        s.unlock = r.boolean(op["unlock"], path + ".unlock");
    }
    if (op["must_change"]) {
        if (!s.adminReset) {
            r.fail(op["must_change"], path + ".must_change", "only an admin_reset storm sets it");
        }
        s.mustChange = r.boolean(op["must_change"], path + ".must_change");
    }
    return s;
}

/// Both sides of one user's writeback: on success the new password binds and the seeded one
/// does not; on any other outcome nothing changed.
DirectoryExpect bothSides(const GeneratedUsers& generated,
                          int n,
                          const std::string& newPassword,
                          bool written,
                          const std::string& criterion,
                          const SourcePos& where) {
    DirectoryExpect d;
    d.where = where;
    d.user = generated.samPrefix + std::to_string(n);
    const std::string seeded = numbered(generated.passwordPattern, n);
    d.binds = Expectation<std::vector<std::string>>{{written ? newPassword : seeded}, criterion};
    d.rejects = Expectation<std::vector<std::string>>{{written ? seeded : newPassword}, criterion};
    return d;
}

}  // namespace

std::vector<Step> readStorm(const Reader& r,
                            const YAML::Node& node,
                            const std::string& path,
                            const GeneratedUsers& generated,
                            std::vector<DirectoryExpect>& directory) {
    r.checkKeys(node, path, {"storm", "expect"});
    const std::string opPath = path + ".storm";
    if (generated.count == 0) {
        r.fail(node["storm"], opPath, "a storm needs onprem.generate_users");
    }
    const StormOperation op = readStormOperation(r, node["storm"], opPath, generated);
    StepExpect expect;
    std::string directoryCriterion;
    if (node["expect"]) {
        expect = readStepExpect(r,
                                node["expect"],
                                path + ".expect",
                                {"outcome", "request_sent", "events", "reason", "audit"},
                                &directoryCriterion);
    }
    std::vector<Step> steps;
    for (int n = 1; n <= op.count; ++n) {
        Step step;
        step.where = r.pos(node);
        step.expect = expect;
        const std::string upn = generated.samPrefix + std::to_string(n) + "@" + generated.upnDomain;
        const std::string newPassword = numbered(op.passwordPattern, n);
        if (op.adminReset) {
            step.action = AdminReset{upn, newPassword, op.mustChange, {}};
        } else {
            step.action = SsprReset{upn, newPassword, op.unlock, std::nullopt};
        }
        if (expect.outcome) {
            const bool written = expect.outcome->value == sim::Outcome::Success;
            directory.push_back(
                bothSides(generated, n, newPassword, written, directoryCriterion, step.where));
        }
        steps.push_back(std::move(step));
    }
    return steps;
}

}  // namespace wblab::scenario::detail
