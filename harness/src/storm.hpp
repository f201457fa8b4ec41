#pragma once
// Private to the harness: a storm's steps with several requests in flight (issue 18). An agent
// that declares a window above 1 in its ready gets up to that many requests of a storm before
// answering the first, at most one per user (the real service writes one password back per user
// at a time). Each step runs as before (cloud, relay, checks) but on a thread of its own that
// gives the turn back while its request is in flight; only one of them runs at any moment, and
// each finishes (its cloud outcome, timeline and checks) in step order, so reports read as a
// one-at-a-time run's do.

#include <wblab/scenario/model.hpp>

#include <cstddef>

namespace wblab::harness {

class ScenarioRun;

/// The end of the storm that begins at step `first`: the consecutive steps expanded from the
/// same `storm:` (a reset or an admin reset each, no relay fault, no race). `first + 1` when the
/// step is not part of one.
std::size_t stormEnd(const scenario::Scenario& s, std::size_t first);

/// Plays steps [first, end) with up to `window` requests in flight. Stops starting steps when
/// the run stops or runs out of time; every started step finishes.
void runStormSteps(ScenarioRun& run, std::size_t first, std::size_t end, int window);

/// True on the thread of a storm step (the relay then posts the request and parks).
bool inStormFlight();

/// Called by the relay once the step's request is posted: gives the turn back (so that the next
/// steps can post theirs) until this step is the oldest in flight.
void parkPostedStormFlight();

/// Called before a step's outcome is settled: gives the turn back until this step is the oldest
/// in flight; returns at once when it is already (or off a storm step's thread).
void parkStormFlight();

}  // namespace wblab::harness
