#include "workers.hpp"

namespace wblab::agent {

Workers::Workers(int count) {
    for (int i = 0; i < count; ++i) {
        threads_.emplace_back([this, i] { serve(i); });
    }
}

Workers::~Workers() {
    {
        std::lock_guard guard(lock_);
        stopping_ = true;
    }
    changed_.notify_all();
    for (auto& t : threads_) {
        t.join();
    }
}

void Workers::submit(std::string key, Job job) {
    {
        std::lock_guard guard(lock_);
        queue_.push_back({std::move(key), std::move(job)});
    }
    changed_.notify_all();
}

void Workers::drain() {
    std::unique_lock guard(lock_);
    changed_.wait(guard, [&] { return queue_.empty() && running_ == 0; });
}

std::deque<Workers::Queued>::iterator Workers::runnable() {
    std::set<std::string> earlier;  // keys of jobs queued before: they go first
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
        if (busy_.count(it->key) == 0 && earlier.count(it->key) == 0) {
            return it;
        }
        earlier.insert(it->key);
    }
    return queue_.end();
}

void Workers::serve(int worker) {
    std::unique_lock guard(lock_);
    while (true) {
        auto next = queue_.end();
        changed_.wait(guard, [&] {
            next = runnable();
            return stopping_ || next != queue_.end();
        });
        if (next == queue_.end()) {
            return;  // stopping, nothing left to run
        }
        Queued job = std::move(*next);
        queue_.erase(next);
        busy_.insert(job.key);
        ++running_;
        guard.unlock();
        job.job(worker);
        guard.lock();
        busy_.erase(busy_.find(job.key));
        --running_;
        changed_.notify_all();
    }
}

}  // namespace wblab::agent
