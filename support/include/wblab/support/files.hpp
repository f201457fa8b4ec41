#pragma once
// File: files.hpp
//
// Run directories and file helpers. A run directory is private (mode 0700), has a short path so
// that an ldapi:// socket inside it stays under the 108-byte limit of Unix socket paths, and is
// removed when its owner goes away unless it is kept for inspection.
//
//   auto dir = RunDirectory::create("fixture");
//   writeFileAtomically(dir->path() + "/junit.xml", xml);

#include <wblab/support/expected.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wblab {

class RunDirectory {
public:
    /// Creates a fresh private directory under `root`, else $WBLAB_TMPDIR, else /tmp, named
    /// wblab-<tag>-XXXXXX. A relative root is taken from the current directory (the path is
    /// made absolute: slapd and agents run elsewhere).
    static Expected<RunDirectory> create(std::string_view tag, const std::string& root = "");

    RunDirectory(RunDirectory&& other) noexcept;
    RunDirectory& operator=(RunDirectory&& other) noexcept;
    RunDirectory(const RunDirectory&) = delete;
    RunDirectory& operator=(const RunDirectory&) = delete;
    ~RunDirectory();

    const std::string& path() const { return path_; }

    /// Keep the directory on disk when this object is destroyed.
    void keep() { keep_ = true; }

    bool kept() const { return keep_; }

private:
    explicit RunDirectory(std::string path) : path_(std::move(path)) {}

    std::string path_;
    bool keep_ = false;
};

/// Writes to a temporary file beside `path`, then renames it over `path`: readers see the old
/// content or the new, never a half-written file.
Expected<void> writeFileAtomically(const std::string& path, std::string_view content);

/// Writes a set of files so that either all of them are replaced or none is: each is written
/// in full to a temporary file beside it first (a full disk fails here, replacing nothing), then
/// all are renamed into place.
Expected<void> writeFilesAtomically(
    const std::vector<std::pair<std::string, std::string>>& pathsAndContents);

Expected<std::string> readFile(const std::string& path);

/// An exclusive lock on a directory (an flock on <dir>/.wblab.lock, holding the owner's pid),
/// held while the object lives; the kernel drops it if the owner dies.
class DirectoryLock {
public:
    /// Creates the directory if needed; fails with Unavailable when another process holds it.
    static Expected<DirectoryLock> acquire(const std::string& dir);

    DirectoryLock(DirectoryLock&& other) noexcept;
    DirectoryLock& operator=(DirectoryLock&& other) noexcept;
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;
    ~DirectoryLock();

private:
    explicit DirectoryLock(int fd) : fd_(fd) {}

    int fd_ = -1;
};

/// Removes a directory tree; errors are ignored (best effort clean-up).
void removeTree(const std::string& path);

/// Percent-encodes a path for an ldapi:// URL.
std::string ldapiUrlFor(const std::string& socketPath);

}  // namespace wblab
