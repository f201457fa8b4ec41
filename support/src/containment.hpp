#pragma once
// Private to support: keeping every process the lab starts, and everything those start, under
// control (process.hpp, containDescendants()). Each child gets a marker in its environment
// (WBLAB_PROCESS=<wblab pid>.<n>); its descendants inherit it. Stopping a child kills its process
// group, every descendant found under it in /proc whatever group or session it moved to, and
// every orphan re-parented to wblab (the child subreaper) that carries its marker.

#include <mutex>
#include <string>
#include <vector>

namespace wblab::detail {

inline constexpr const char* kMarkerVariable = "WBLAB_PROCESS";

/// Held while a child is spawned and registered, and while orphans are swept, so that a sweep
/// never mistakes a child being started for an orphan.
std::mutex& spawnMutex();

/// A fresh marker value for the next child: "<wblab pid>.<n>".
std::string nextMarker();

/// Records a started child (call with spawnMutex held); tells the guard process its group.
void registerChild(int pid, const std::string& marker);
void unregisterChild(int pid);

/// The registered children's process-group ids.
std::vector<int> registeredGroups();

/// Kills the child's group, its descendants wherever they are, and the orphans that carry its
/// marker; reaps the orphans among them.
void killTree(int pid, const std::string& marker);

/// Kills and reaps every child of wblab that it did not start itself (orphans re-parented to
/// the subreaper), and reaps those that already ended.
void sweepOrphans();

/// Readable once the run is interrupted (stopAllProcesses): every wait in Process polls it.
int interruptFd();

/// Makes interruptFd() readable.
void signalInterrupt();

}  // namespace wblab::detail
