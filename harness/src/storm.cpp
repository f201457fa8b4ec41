#include "storm.hpp"

#include "scenario_run.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

namespace wblab::harness {

namespace {

/// The user a storm step writes back for ("" for any other step).
std::string userOf(const scenario::Step& step) {
    if (const auto* reset = std::get_if<scenario::SsprReset>(&step.action)) {
        return reset->timing ? std::string() : reset->user;
    }
    if (const auto* admin = std::get_if<scenario::AdminReset>(&step.action)) {
        return admin->user;
    }
    return std::string();
}

bool pipelinable(const scenario::Step& step) {
    return !userOf(step).empty() && step.relay == scenario::RelaySpec{} && !step.during;
}

struct Conductor;

/// One storm step on its own thread. The conductor and the flights hand one turn around: a
/// flight runs only between resume and park (or its end), the conductor only while no flight
/// runs.
struct Flight {
    Conductor* conductor = nullptr;
    std::string user;
    bool running = true;   ///< holds the turn
    bool resumed = false;  ///< is the oldest, may finish
    bool done = false;
    std::exception_ptr error;
    std::thread thread;
};

struct Conductor {
    std::mutex lock;
    std::condition_variable changed;
    std::exception_ptr error;  ///< the first a step threw, rethrown once every step finished
};

thread_local Flight* tFlight = nullptr;

/// Waits until `flight` gave the turn back (parked or done).
void awaitTurn(Conductor& c, Flight& flight) {
    std::unique_lock guard(c.lock);
    c.changed.wait(guard, [&] { return !flight.running; });
}

void join(Conductor& c, Flight& flight) {
    flight.thread.join();
    if (flight.error && !c.error) {
        c.error = flight.error;
    }
}

/// Lets the oldest flight finish, and takes it off the list.
void finishOldest(Conductor& c, std::deque<std::unique_ptr<Flight>>& flights) {
    auto flight = std::move(flights.front());
    flights.pop_front();
    while (!flight->done) {
        {
            std::lock_guard guard(c.lock);
            flight->resumed = true;
            flight->running = true;
        }
        c.changed.notify_all();
        awaitTurn(c, *flight);
    }
    join(c, *flight);
}

bool userInFlight(const std::deque<std::unique_ptr<Flight>>& flights, const std::string& user) {
    for (const auto& f : flights) {
        if (f->user == user) {
            return true;
        }
    }
    return false;
}

void launch(Flight& flight, ScenarioRun& run, std::size_t index, const scenario::Step& step) {
    flight.thread = std::thread([&flight, &run, index, &step] {
        tFlight = &flight;
        try {
            runStep(run, index, step);
        } catch (...) {
            flight.error = std::current_exception();
        }
        std::lock_guard guard(flight.conductor->lock);
        flight.done = true;
        flight.running = false;
        flight.conductor->changed.notify_all();
    });
}

}  // namespace

std::size_t stormEnd(const scenario::Scenario& s, std::size_t first) {
    std::size_t end = first + 1;
    if (first >= s.steps.size() || !pipelinable(s.steps[first])) {
        return end;
    }
    const auto& where = s.steps[first].where;
    while (end < s.steps.size() && pipelinable(s.steps[end]) && s.steps[end].where == where &&
           s.steps[end].action.index() == s.steps[first].action.index()) {
        ++end;
    }
    return end;
}

void runStormSteps(ScenarioRun& run, std::size_t first, std::size_t end, int window) {
    Conductor conductor;
    std::deque<std::unique_ptr<Flight>> flights;
    for (std::size_t i = first; i < end && !run.stepsStopped(); ++i) {
        if (run.outOfTime("before step " + std::to_string(i + 1))) {
            break;
        }
        const auto& step = run.scenario().steps[i];
        const std::string user = userOf(step);
        // One request per user at a time, and no more than the agent's window.
        while (!flights.empty() &&
               (static_cast<int>(flights.size()) >= window || userInFlight(flights, user))) {
            finishOldest(conductor, flights);
        }
        auto flight = std::make_unique<Flight>();
        flight->conductor = &conductor;
        flight->user = user;
        launch(*flight, run, i, step);
        awaitTurn(conductor, *flight);
        if (flight->done) {
            join(conductor, *flight);  // sent nothing and had no step before it to wait for
        } else {
            flights.push_back(std::move(flight));
        }
    }
    while (!flights.empty()) {
        finishOldest(conductor, flights);
    }
    if (conductor.error) {
        std::rethrow_exception(conductor.error);
    }
}

bool inStormFlight() {
    return tFlight != nullptr;
}

namespace {

void park(bool always) {
    Flight* flight = tFlight;
    if (flight == nullptr) {
        return;
    }
    Conductor& c = *flight->conductor;
    std::unique_lock guard(c.lock);
    if (!always && flight->resumed) {
        return;
    }
    flight->running = false;
    c.changed.notify_all();
    c.changed.wait(guard, [&] { return flight->running; });
}

}  // namespace

void parkPostedStormFlight() {
    park(true);
}

void parkStormFlight() {
    park(false);
}

}  // namespace wblab::harness
