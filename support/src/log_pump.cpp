// A child's log read as it is written, searched whole, kept up to a cap (log_pump.hpp).
#include <wblab/support/log_pump.hpp>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <thread>
#include <unistd.h>

namespace wblab {

namespace {

constexpr std::size_t kTailBytes = 4096;

}  // namespace

struct LogPump::State {
    int fd = -1;
    int wake[2] = {-1, -1};  ///< the destructor's way to stop the reader
    std::uint64_t cap = 0;
    mutable std::mutex mutex;
    std::condition_variable eofSeen;
    bool eof = false;
    FILE* out = nullptr;
    LogPart part;
    std::unique_ptr<SecretStream> stream;
    std::thread reader;

    void open(std::string path, std::shared_ptr<const SecretScanner> scanner) {
        part = LogPart{};
        part.path = std::move(path);
        part.scanner = scanner ? std::move(scanner) : std::make_shared<SecretScanner>();
        stream = std::make_unique<SecretStream>(part.scanner);
        out = part.path.empty() ? nullptr : std::fopen(part.path.c_str(), "wb");
    }

    /// Ends the part: notes a truncation in the file itself, hands the part over.
    LogPart close() {
        LogPart done = std::move(part);
        done.findings = stream->findings();
        done.complete = eof;
        if (out != nullptr) {
            if (done.truncated()) {
                std::fprintf(out,
                             "\n[wblab: the log held %llu bytes here; the first %llu are kept, "
                             "all of them were searched for passwords]\n",
                             static_cast<unsigned long long>(done.bytes),
                             static_cast<unsigned long long>(done.kept));
            }
            std::fclose(out);
            out = nullptr;
        }
        return done;
    }

    /// Takes one chunk (mutex held).
    void take(const char* data, std::size_t n) {
        const std::string_view chunk(data, n);
        stream->feed(chunk);
        if (out != nullptr && part.kept < cap) {
            const std::size_t keep =
                static_cast<std::size_t>(std::min<std::uint64_t>(n, cap - part.kept));
            std::fwrite(data, 1, keep, out);
            std::fflush(out);
            part.kept += keep;
        }
        part.bytes += n;
        part.tail.append(chunk);
        if (part.tail.size() > kTailBytes) {
            part.tail.erase(0, part.tail.size() - kTailBytes);
        }
    }

    /// Reads what the pipe holds without waiting (mutex held); false at end of file.
    bool drain() {
        char buf[65536];
        while (true) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n > 0) {
                take(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n == 0) {
                eof = true;
                eofSeen.notify_all();
                return false;
            }
            return true;  // EAGAIN: nothing more for now
        }
    }

    void run() {
        while (true) {
            pollfd pfds[] = {{fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
            if (::poll(pfds, 2, -1) < 0 && errno != EINTR) {
                break;
            }
            if (pfds[1].revents != 0) {
                break;
            }
            std::lock_guard lock(mutex);
            if (!drain()) {
                break;
            }
        }
    }
};

LogPump::LogPump(int fd,
                 std::string path,
                 std::uint64_t capPerPart,
                 std::shared_ptr<const SecretScanner> scanner)
    : state_(std::make_unique<State>()) {
    state_->fd = fd;
    state_->cap = capPerPart;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (::pipe2(state_->wake, O_CLOEXEC) != 0) {
        state_->wake[0] = state_->wake[1] = -1;
    }
    state_->open(std::move(path), std::move(scanner));
    if (fd >= 0) {
        state_->reader = std::thread([state = state_.get()] { state->run(); });
    } else {
        state_->eof = true;
    }
}

LogPump::~LogPump() {
    if (state_->reader.joinable()) {
        (void)!::write(state_->wake[1], "x", 1);
        state_->reader.join();
    }
    std::lock_guard lock(state_->mutex);
    if (state_->out != nullptr) {
        state_->close();
    }
    for (int f : {state_->fd, state_->wake[0], state_->wake[1]}) {
        if (f >= 0) {
            ::close(f);
        }
    }
}

LogPart LogPump::nextPart(std::string path, std::shared_ptr<const SecretScanner> scanner) {
    std::lock_guard lock(state_->mutex);
    if (!state_->eof && state_->fd >= 0) {
        state_->drain();
    }
    LogPart done = state_->close();
    state_->open(std::move(path), std::move(scanner));
    return done;
}

LogPart LogPump::finish(Deadline deadline) {
    std::unique_lock lock(state_->mutex);
    state_->eofSeen.wait_until(lock, deadline, [&] { return state_->eof; });
    if (!state_->eof && state_->fd >= 0) {
        state_->drain();
    }
    LogPart done = state_->close();
    state_->open(std::string(), nullptr);
    return done;
}

LogPart LogPump::peek() const {
    std::lock_guard lock(state_->mutex);
    LogPart now = state_->part;
    now.findings = state_->stream->findings();
    now.complete = state_->eof;
    return now;
}

}  // namespace wblab
