#pragma once
// Private to the harness: a worker's directories, kept from one scenario to the next. A scenario
// takes an idle directory configured as its seed needs, reseeded with its own seed
// (fixture::Directory::reseed: the slapd flavour replaces its tree over LDAP, no process
// started), and gives it back at its end; a seed that needs a configuration no idle directory has
// (connector rights, TLS, base DN, map size), another flavour, or a kept run directory gets a
// fresh directory. A worker keeps up to three, the most recently used, so that a scenario with
// other connector rights or TLS does not cost the next ordinary scenario a fresh start too.
//
//   FixturePool fixtures;                       // one per worker, beside its AgentSlot
//   auto lease = fixtures.take(flavour, seed, options, reuse);
//   ...                                         // the scenario runs on *lease->directory
//   fixtures.giveBack(std::move(lease->directory));
//   fixtures.close();                           // stops the idle directories

#include <wblab/fixture/directory.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace wblab::harness {

class FixturePool {
public:
    struct Lease {
        std::unique_ptr<fixture::Directory> directory;
        bool reused = false;  ///< the idle directory, reseeded
    };

    FixturePool() = default;
    FixturePool(const FixturePool&) = delete;
    FixturePool& operator=(const FixturePool&) = delete;
    ~FixturePool();

    /// A running directory seeded with `seed`: an idle one configured for it, reseeded, when
    /// `reuse` is set, else a fresh one (without `reuse`, the idle ones are stopped first).
    Expected<Lease> take(fixture::Flavour flavour,
                         const fixture::DirectorySeed& seed,
                         const fixture::FixtureOptions& options,
                         bool reuse);

    /// Keeps the directory for later scenarios when its flavour can reseed (take() reseeds it,
    /// and restarts a stopped server), else stops it; beyond kKept, the least recently used
    /// idle one is stopped.
    void giveBack(std::unique_ptr<fixture::Directory> directory);

    /// Stops the idle directories.
    void close();

    /// The directory given back last, if it is kept (for tests).
    const fixture::Directory* idle() const { return idle_.empty() ? nullptr : idle_.front().get(); }

    static constexpr std::size_t kKept = 3;

private:
    std::vector<std::unique_ptr<fixture::Directory>> idle_;  ///< most recently used first
};

}  // namespace wblab::harness
