#pragma once
// Private to the harness: a worker's directory, kept from one scenario to the next. A scenario
// takes the idle directory reseeded with its own seed (fixture::Directory::reseed: the slapd
// flavour replaces its tree over LDAP, no process started) and gives it back at its end; a seed
// that needs another configuration (connector rights, TLS, base DN, map size), another flavour,
// or a kept run directory gets a fresh directory, and the idle one is stopped. One directory per
// worker at most, so that a run holds no more processes than before.
//
//   FixturePool fixtures;                       // one per worker, beside its AgentSlot
//   auto lease = fixtures.take(flavour, seed, options, reuse);
//   ...                                         // the scenario runs on *lease->directory
//   fixtures.giveBack(std::move(lease->directory));
//   fixtures.close();                           // stops the idle directory

#include <wblab/fixture/directory.hpp>

#include <memory>

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

    /// A running directory seeded with `seed`: the idle one reseeded when `reuse` is set and it
    /// can be, else a fresh one (the idle one is stopped first).
    Expected<Lease> take(fixture::Flavour flavour,
                         const fixture::DirectorySeed& seed,
                         const fixture::FixtureOptions& options,
                         bool reuse);

    /// Keeps the directory for the next scenario when its flavour can reseed (take() reseeds
    /// it, and restarts a stopped server), else stops it; an idle one already kept is stopped.
    void giveBack(std::unique_ptr<fixture::Directory> directory);

    /// Stops the idle directory.
    void close();

    /// The directory kept for the next scenario, if any (for tests).
    const fixture::Directory* idle() const { return idle_.get(); }

private:
    std::unique_ptr<fixture::Directory> idle_;
};

}  // namespace wblab::harness
