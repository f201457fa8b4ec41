#include <wblab/support/files.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace wblab {

Expected<RunDirectory> RunDirectory::create(std::string_view tag, const std::string& root) {
    const char* env = std::getenv("WBLAB_TMPDIR");
    std::string base = !root.empty() ? root : (env != nullptr && *env != '\0') ? env : "/tmp";
    // Made absolute once: slapd, the agent and socket URLs must not depend on a working
    // directory (WBLAB_TMPDIR=tmp works as /cwd/tmp).
    std::error_code ec;
    if (auto absolute = std::filesystem::absolute(base, ec); !ec) {
        base = absolute.lexically_normal().string();
    }
    if (base.size() > 1 && base.back() == '/') {
        base.pop_back();
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
