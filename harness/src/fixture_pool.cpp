// A worker's directory kept from one scenario to the next (fixture_pool.hpp).
#include "fixture_pool.hpp"

namespace wblab::harness {

FixturePool::~FixturePool() {
    close();
}

Expected<FixturePool::Lease> FixturePool::take(fixture::Flavour flavour,
                                               const fixture::DirectorySeed& seed,
                                               const fixture::FixtureOptions& options,
                                               bool reuse) {
    if (!reuse || options.keepRunDirectory) {
        close();
    }
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
        const bool sameFlavour = std::string((*it)->flavourName()) == fixture::toString(flavour);
        if (!sameFlavour || !(*it)->configuredFor(seed, options)) {
            continue;
        }
        std::unique_ptr<fixture::Directory> candidate = std::move(*it);
        idle_.erase(it);
        if (candidate->reseed(seed, options)) {
            return Lease{std::move(candidate), true};
        }
        // A reseed that failed half-way: nothing of it is trusted.
        candidate->stop();
        break;
    }
    WBLAB_TRY_ASSIGN(auto fresh, fixture::startDirectory(flavour, seed, options), "");
    return Lease{std::move(fresh), false};
}

void FixturePool::giveBack(std::unique_ptr<fixture::Directory> directory) {
    if (!directory) {
        return;
    }
    if (!directory->canReseed()) {
        directory->stop();  // a Samba DC, say: nothing to gain by keeping it
        return;
    }
    idle_.insert(idle_.begin(), std::move(directory));
    while (idle_.size() > kKept) {
        idle_.back()->stop();
        idle_.pop_back();
    }
}

void FixturePool::close() {
    for (auto& directory : idle_) {
        directory->stop();
    }
    idle_.clear();
}

}  // namespace wblab::harness
