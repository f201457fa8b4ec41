// What a report shows of the agent's stderr (agent_log.hpp).
#include "agent_log.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace wblab::harness {

std::string redacted(std::string text, const std::vector<std::string>& secrets) {
    // Longest first: a secret that contains another is replaced whole.
    std::vector<std::string> ordered;
    for (const auto& s : secrets) {
        if (!s.empty()) {
            ordered.push_back(s);
        }
    }
    std::sort(ordered.begin(), ordered.end(), [](const std::string& a, const std::string& b) {
        return a.size() > b.size();
    });
    for (const auto& secret : ordered) {
        for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
            text.replace(pos, secret.size(), "[redacted]");
            pos += std::string("[redacted]").size();
        }
    }
    return text;
}

std::string redactedTail(const std::string& path,
                         const std::vector<std::string>& secrets,
                         std::size_t maxLines,
                         std::size_t maxBytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return "";
    }
    // Read a little more than kept, so that a secret cut by the window is still recognised.
    std::size_t longest = 0;
    for (const auto& s : secrets) {
        longest = std::max(longest, s.size());
    }
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg()));
    const std::size_t window = std::min(size, maxBytes + longest);
    in.seekg(static_cast<std::streamoff>(size - window));
    std::string text(window, '\0');
    in.read(text.data(), static_cast<std::streamsize>(window));
    text = redacted(std::move(text), secrets);
    if (text.size() > maxBytes) {
        text = text.substr(text.size() - maxBytes);
        text = text.substr(std::min(text.size(), text.find('\n') + 1));  // whole lines only
    }
    std::vector<std::string> lines;
    std::istringstream split(text);
    for (std::string line; std::getline(split, line);) {
        lines.push_back(std::move(line));
    }
    std::string tail;
    const std::size_t first = lines.size() > maxLines ? lines.size() - maxLines : 0;
    for (std::size_t i = first; i < lines.size(); ++i) {
        tail += lines[i] + "\n";
    }
    return tail;
}

std::string utcNowWithMillis() {
    const auto now = std::chrono::system_clock::now();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    std::ostringstream out;
    out << std::put_time(&utc, "%Y-%m-%dT%H:%M:%S") << "." << std::setw(3) << std::setfill('0')
        << ms % 1000 << "Z";
    return out.str();
}

}  // namespace wblab::harness
