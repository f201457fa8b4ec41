#pragma once
// The reference agent's worker threads: requests of a window served side by side, each worker
// with a directory connection of its own (the caller indexes its connections by the worker's
// number). Jobs with the same key (an account's anchor) run one after another, in the order they
// were submitted; others in any order.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace wblab::agent {

class Workers {
public:
    using Job = std::function<void(int worker)>;

    explicit Workers(int count);
    ~Workers();
    Workers(const Workers&) = delete;
    Workers& operator=(const Workers&) = delete;

    /// Queues `job`; it runs once no earlier job of the same `key` is queued or running.
    void submit(std::string key, Job job);

    /// Waits until every submitted job has run.
    void drain();

    int count() const { return static_cast<int>(threads_.size()); }

private:
    struct Queued {
        std::string key;
        Job job;
    };

    void serve(int worker);
    /// The first queued job whose key is free, or end().
    std::deque<Queued>::iterator runnable();

    std::mutex lock_;
    std::condition_variable changed_;
    std::deque<Queued> queue_;
    std::multiset<std::string> busy_;  ///< keys of running jobs
    int running_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace wblab::agent
