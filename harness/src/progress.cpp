#include <wblab/harness/progress.hpp>

#include <algorithm>
#include <cstring>

namespace wblab::harness {

namespace {

constexpr const char* kClearLine = "\r\x1b[2K";

}  // namespace

ProgressStyle progressStyleFor(bool isTerminal, const char* ciVariable, const char* termVariable) {
    const bool ci = ciVariable != nullptr && std::strcmp(ciVariable, "") != 0 &&
                    std::strcmp(ciVariable, "0") != 0 && std::strcmp(ciVariable, "false") != 0;
    const bool dumb = termVariable != nullptr && std::strcmp(termVariable, "dumb") == 0;
    return isTerminal && !ci && !dumb ? ProgressStyle::Live : ProgressStyle::Lines;
}

Progress::Progress(std::ostream& out, std::size_t total, ProgressStyle style, std::size_t width)
    : out_(out), total_(total), style_(style), width_(std::max<std::size_t>(width, 20)) {}

void Progress::started(const std::string& id) {
    running_.push_back(id);
    if (style_ == ProgressStyle::Live) {
        redraw();
    }
}

void Progress::finished(const std::string& id, const std::string& verdict, bool failure) {
    ++finished_;
    failures_ += failure ? 1 : 0;
    running_.erase(std::remove(running_.begin(), running_.end(), id), running_.end());
    if (style_ == ProgressStyle::Lines) {
        out_ << "[" << finished_ << "/" << total_ << "] " << verdict << " " << id << "\n"
             << std::flush;
        return;
    }
    if (failure) {
        // A failure stays on screen above the status line.
        out_ << kClearLine << verdict << " " << id << "\n";
        drawn_ = false;
    }
    redraw();
}

void Progress::redraw() {
    std::string line = "[" + std::to_string(finished_) + "/" + std::to_string(total_) + "] " +
                       std::to_string(failures_) + " failed";
    if (!running_.empty()) {
        line += " · running ";
        for (std::size_t i = 0; i < running_.size(); ++i) {
            line += (i ? ", " : "") + running_[i];
        }
    }
    // Stay on one terminal row, or the next \r would only rewrite its last part. Count code
    // points, not bytes ("·" is two bytes), and cut on a code point boundary.
    const std::size_t limit = width_ - 1;
    std::size_t points = 0;
    std::size_t cut = std::string::npos;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) {
            continue;
        }
        if (points == limit - 3) {
            cut = i;
        }
        if (++points > limit) {
            line = line.substr(0, cut) + "...";
            break;
        }
    }
    out_ << kClearLine << line << std::flush;
    drawn_ = true;
}

void Progress::done() {
    if (style_ == ProgressStyle::Live && drawn_) {
        out_ << kClearLine << std::flush;
        drawn_ = false;
    }
}

}  // namespace wblab::harness
