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
    if (idle_) {
        std::unique_ptr<fixture::Directory> candidate = std::move(idle_);
        const bool sameFlavour =
            std::string(candidate->flavourName()) == fixture::toString(flavour);
        if (reuse && sameFlavour && !options.keepRunDirectory && candidate->reseed(seed, options)) {
            return Lease{std::move(candidate), true};
        }
        // Another configuration, or a reseed that failed half-way: nothing of it is trusted.
        candidate->stop();
    }
    WBLAB_TRY_ASSIGN(auto fresh, fixture::startDirectory(flavour, seed, options), "");
    return Lease{std::move(fresh), false};
}

void FixturePool::giveBack(std::unique_ptr<fixture::Directory> directory) {
    close();
    if (directory && !directory->canReseed()) {
        directory->stop();  // a Samba DC, say: nothing to gain by keeping it
        return;
    }
    idle_ = std::move(directory);
}

void FixturePool::close() {
    if (idle_) {
        idle_->stop();
        idle_.reset();
    }
}

}  // namespace wblab::harness
