#include <wblab/support/files.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>
#include <vector>

namespace wblab {

Expected<RunDirectory> RunDirectory::create(std::string_view tag, const std::string& root) {
    const char* env = std::getenv("WBLAB_TMPDIR");
    std::string base = !root.empty() ? root : (env != nullptr && *env != '\0') ? env : "/tmp";
    // slapd, slapadd and the agent run in other directories: a relative path would mean
    // something else to each of them.
    std::error_code absent;
    const auto absolute = std::filesystem::absolute(base, absent);
    if (!absent) {
        base = absolute.lexically_normal().string();
        while (base.size() > 1 && base.back() == '/') {
            base.pop_back();
        }
    }
    std::string templ = base + "/wblab-" + std::string(tag) + "-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {
        return makeError(
            ErrorCode::Io,
            "cannot create a run directory under " + base + ": " + std::strerror(errno));
    }
    return RunDirectory(std::string(buf.data()));
}

RunDirectory::RunDirectory(RunDirectory&& other) noexcept
    : path_(std::move(other.path_)), keep_(other.keep_) {
    other.path_.clear();
}

RunDirectory& RunDirectory::operator=(RunDirectory&& other) noexcept {
    if (this != &other) {
        if (!path_.empty() && !keep_) {
            removeTree(path_);
        }
        path_ = std::move(other.path_);
        keep_ = other.keep_;
        other.path_.clear();
    }
    return *this;
}

RunDirectory::~RunDirectory() {
    if (!path_.empty() && !keep_) {
        removeTree(path_);
    }
}

Expected<void> writeFileAtomically(const std::string& path, std::string_view content) {
    std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) {
            return makeError(ErrorCode::Io, "cannot write " + tmp + ": " + std::strerror(errno));
        }
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            return makeError(ErrorCode::Io, "cannot write " + tmp);
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        return makeError(ErrorCode::Io, "cannot rename " + tmp + " to " + path);
    }
    return {};
}

Expected<void> writeFilesAtomically(
    const std::vector<std::pair<std::string, std::string>>& pathsAndContents) {
    std::vector<std::string> temporaries;
    auto discard = [&] {
        for (const auto& t : temporaries) {
            std::error_code ignored;
            std::filesystem::remove(t, ignored);
        }
    };
    for (const auto& [path, content] : pathsAndContents) {
        const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
        temporaries.push_back(tmp);
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            const std::string why = std::strerror(errno);
            discard();
            return makeError(ErrorCode::Io, "cannot write " + tmp + ": " + why);
        }
    }
    // Keep each file being replaced under a second name (a hard link) until every rename has
    // worked, so that a failure half-way puts the old set back. A target that cannot be linked
    // (a directory in its place) fails here, before anything is replaced.
    std::vector<std::string> backups(pathsAndContents.size());
    auto dropBackups = [&] {
        for (const auto& b : backups) {
            if (!b.empty()) {
                ::unlink(b.c_str());
            }
        }
    };
    for (std::size_t i = 0; i < pathsAndContents.size(); ++i) {
        const std::string& target = pathsAndContents[i].first;
        if (::access(target.c_str(), F_OK) != 0) {
            continue;
        }
        const std::string backup = target + ".old-" + std::to_string(::getpid());
        ::unlink(backup.c_str());
        if (::link(target.c_str(), backup.c_str()) != 0) {
            const std::string why = std::strerror(errno);
            dropBackups();
            discard();
            return makeError(ErrorCode::Io, "cannot replace " + target + ": " + why);
        }
        backups[i] = backup;
    }
    for (std::size_t i = 0; i < pathsAndContents.size(); ++i) {
        std::error_code ec;
        std::filesystem::rename(temporaries[i], pathsAndContents[i].first, ec);
        if (ec) {
            for (std::size_t j = 0; j < i; ++j) {
                if (!backups[j].empty()) {
                    ::rename(backups[j].c_str(), pathsAndContents[j].first.c_str());
                    backups[j].clear();
                } else {
                    ::unlink(pathsAndContents[j].first.c_str());
                }
            }
            dropBackups();
            discard();
            return makeError(ErrorCode::Io,
                             "cannot rename " + temporaries[i] + " to " +
                                 pathsAndContents[i].first + ": " + ec.message());
        }
    }
    dropBackups();
    return {};
}

Expected<DirectoryLock> DirectoryLock::acquire(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return makeError(ErrorCode::Io, "cannot create " + dir + ": " + ec.message());
    }
    const std::string path = dir + "/.wblab.lock";
    const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        return makeError(ErrorCode::Io, "cannot open " + path + ": " + std::strerror(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char holder[32] = {};
        (void)!::pread(fd, holder, sizeof holder - 1, 0);
        ::close(fd);
        return makeError(ErrorCode::Unavailable,
                         "another wblab (pid " + std::string(holder) + ") is using " + dir +
                             ": wait for it, or choose another directory");
    }
    const std::string pid = std::to_string(::getpid());
    (void)!::ftruncate(fd, 0);
    (void)!::pwrite(fd, pid.data(), pid.size(), 0);
    return DirectoryLock(fd);
}

DirectoryLock::DirectoryLock(DirectoryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DirectoryLock& DirectoryLock::operator=(DirectoryLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

DirectoryLock::~DirectoryLock() {
    if (fd_ >= 0) {
        ::close(fd_);  // releases the flock
    }
}

Expected<std::string> readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return makeError(ErrorCode::NotFound, "cannot read " + path + ": " + std::strerror(errno));
    }
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

void removeTree(const std::string& path) {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

std::string ldapiUrlFor(const std::string& socketPath) {
    static const char* hex = "0123456789ABCDEF";
    std::string url = "ldapi://";
    for (char ch : socketPath) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.') {
            url += static_cast<char>(c);
        } else {
            url += '%';
            url += hex[c >> 4];
            url += hex[c & 0xF];
        }
    }
    return url;
}

}  // namespace wblab
