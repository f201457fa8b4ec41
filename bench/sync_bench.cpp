// The sync benchmark (DESIGN.md §8 budget: 100,000 users seeded and synced into the cloud model in
// at most 10 s, peak RSS at most 500 MB; issue 18's scale point: 1,000,000 users in at most 60 s
// and 2 GB, `wblab_bench_sync 1000000`, `bench/run scale`). One run, phases timed separately:
// seeding the directory (slapadd + slapd), the raw LDAP read of every user (the baseline: what any
// sync must pay), and the cloud's object and password-hash cycles over that read.
#include "seed_users.hpp"

#include <wblab/fixture/directory.hpp>
#include <wblab/sim/cloud.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

class ProbeSource : public wblab::sim::DirectorySource {
public:
    explicit ProbeSource(const wblab::fixture::DirectoryProbe& probe) : probe_(probe) {}

    std::vector<wblab::sim::DirectoryObject> readUsers() override {
        std::vector<wblab::sim::DirectoryObject> out;
        auto users = probe_.listUsers();
        if (!users) {
            std::fprintf(stderr, "listing users failed: %s\n", users.error().message.c_str());
            std::exit(1);
        }
        out.reserve(users->size());
        for (auto& u : *users) {
            out.push_back({std::move(u.anchor),
                           std::move(u.upn),
                           std::move(u.samAccountName),
                           !u.disabled,
                           std::move(u.passwordHash)});
        }
        return out;
    }

private:
    const wblab::fixture::DirectoryProbe& probe_;
};

/// The seed lives only until slapadd has loaded it: what is measured after is what the
/// fixture and the sync hold.
wblab::Expected<std::unique_ptr<wblab::fixture::SlapdFixture>> startSeeded(
    wblab::fixture::DirectorySeed seed) {
    wblab::fixture::FixtureOptions options;
    options.startTimeout = std::chrono::minutes(10);  // slapadd of a million entries
    return wblab::fixture::SlapdFixture::start(seed, options);
}

/// The baseline: every user read over LDAP and dropped (its records are not the sync's).
bool rawRead(const wblab::fixture::DirectoryProbe& probe, int count) {
    auto raw = probe.listUsers();
    if (!raw || static_cast<int>(raw->size()) != count) {
        std::fprintf(stderr,
                     "raw read: %s\n",
                     raw ? ("read " + std::to_string(raw->size()) + " users").c_str()
                         : raw.error().message.c_str());
        return false;
    }
    return true;
}

/// The peak resident size (VmHWM, KiB) of this process's running children (slapd), summed:
/// getrusage counts only the children already reaped (slapadd).
long runningChildrenPeakKiB() {
    long total = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string pid = entry.path().filename();
        if (pid.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::ifstream status(entry.path() / "status");
        long parent = -1;
        long peak = 0;
        for (std::string line; std::getline(status, line);) {
            if (line.rfind("PPid:", 0) == 0) {
                parent = std::atol(line.c_str() + 5);
            } else if (line.rfind("VmHWM:", 0) == 0) {
                peak = std::atol(line.c_str() + 6);
            }
        }
        if (parent == static_cast<long>(::getpid())) {
            total += peak;
        }
    }
    return total;
}

}  // namespace

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 100000;
    auto seed = wblab::bench::seedWithUsers(count);
    const auto started = Clock::now();
    auto fx = startSeeded(std::move(seed));
    if (!fx) {
        std::fprintf(stderr, "fixture: %s\n", fx.error().message.c_str());
        return 1;
    }
    const double seeded = secondsSince(started);
    wblab::fixture::DirectoryProbe probe(**fx);

    auto readStart = Clock::now();
    if (!rawRead(probe, count)) {
        return 1;
    }
    const double rawSeconds = secondsSince(readStart);

    wblab::sim::VirtualClock clock(1'800'000'000);
    wblab::sim::Cloud cloud(wblab::sim::TenantSettings{}, clock);
    cloud.setPasswordVerifier(wblab::fixture::storedPasswordMatches);
    ProbeSource source(probe);
    auto syncStart = Clock::now();
    auto report = cloud.syncAll(source);
    const double synced = secondsSince(syncStart);
    const double total = secondsSince(started);
    if (report.usersAdded != count || report.passwordsSynced != count) {
        std::fprintf(stderr,
                     "sync imported %d users and %d hashes, expected %d\n",
                     report.usersAdded,
                     report.passwordsSynced,
                     count);
        return 1;
    }
    rusage self{};
    rusage children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    const long slapdPeakKiB = runningChildrenPeakKiB();
    (*fx)->stop();
    std::printf("users %d\n", count);
    std::printf("seed directory (slapadd + slapd ready)  %.2f s\n", seeded);
    std::printf("raw LDAP read of all users (baseline)    %.2f s\n", rawSeconds);
    std::printf("object + hash sync (one read)            %.2f s (%.2fx the raw read)\n",
                synced,
                synced / rawSeconds);
    const bool scalePoint = count > 100000;
    std::printf("seeded and synced, total                 %.2f s (budget %s)\n",
                total,
                scalePoint ? "60 s for 1,000,000" : "10 s for 100,000");
    std::printf(
        "peak RSS wblab %.0f MiB (budget %s); not counted: slapadd %.0f MiB, slapd %.0f "
        "MiB\n",
        static_cast<double>(self.ru_maxrss) / 1024.0,
        scalePoint ? "2 GB for 1,000,000" : "500 MB for 100,000",
        static_cast<double>(children.ru_maxrss) / 1024.0,
        static_cast<double>(slapdPeakKiB) / 1024.0);
    return 0;
}
