// wblab-fake-agent: a misbehaving writeback agent for the harness's own tests, compiled rather
// than written as inline shell. It completes the handshake (declaring "plaintext", so it needs
// no key) and then misbehaves in one chosen way; or it wraps a real agent to count its starts.
// The log-* modes answer every request as a correct agent would say (success, 31001 31002,
// writing nothing) and leak the request's new password to stderr in one form or at one moment.
//
//   wblab-fake-agent --mode silent
//   wblab-fake-agent --mode grandchild --marker 60.4242
//   wblab-fake-agent --mode log-at-next-hello --capabilities reset,plaintext,rehandshake
//   wblab-fake-agent --mode twice-later [--twice-after MS] --capabilities
//   reset,plaintext,rehandshake wblab-fake-agent --count /tmp/starts -- /path/to/wblab-agent --bug
//   hangs wblab-fake-agent --late-every 5 --late-by 600 -- /path/to/wblab-agent wblab-fake-agent
//   --window 4 --record /tmp/flights [--slow-every 5 --slow-by 1300]
#include <wblab/protocol/messages.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <poll.h>
#include <set>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace wblab::protocol;

struct Options {
    std::string mode = "silent";
    int window = 1;         ///< --window N: declared in ready; see serveWindow()
    std::string record;     ///< --record FILE: one line per request taken, see serveWindow()
    int slowEvery = 0;      ///< --slow-every N: every Nth request is answered late
    long slowByMs = 0;      ///< --slow-by MS: by this much after it came
    long twiceAfterMs = 8;  ///< --twice-after MS: twice-later's copy comes this much later
    std::string marker;
    long floodBytes = 0;
    std::vector<std::string> capabilities = {
        "reset", "change", "admin_reset", "unlock_only", "forced_change", "plaintext"};
};

void send(const Message& m) {
    std::cout << encode(m) << "\n" << std::flush;
}

bool readLine(std::string& line) {
    return static_cast<bool>(std::getline(std::cin, line));
}

/// The last password a request carried in clear, for the modes that leak it later.
std::string lastPassword;

void log(const std::string& text) {
    std::cerr << text << "\n" << std::flush;
}

std::string base64(const std::string& in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned value = 0;
    int bits = -6;
    for (unsigned char c : in) {
        value = (value << 8) + c;
        bits += 8;
        while (bits >= 0) {
            out += t[(value >> bits) & 0x3F];
            bits -= 6;
        }
    }
    if (bits > -6) {
        out += t[((value << 8) >> (bits + 8)) & 0x3F];
    }
    while (out.size() % 4 != 0) {
        out += '=';
    }
    return out;
}

std::string hex(const std::string& in) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : in) {
        out += d[c >> 4];
        out += d[c & 15];
    }
    return out;
}

std::string utf16le(const std::string& in) {
    std::string out;
    for (char c : in) {
        out += c;
        out += '\0';
    }
    return out;
}

void sendReady(const Options& o, const std::string& hello) {
    if (o.mode == "log-connector") {
        auto message = decode(hello);
        if (message && std::holds_alternative<Hello>(*message)) {
            log("bind as " + std::get<Hello>(*message).connectorPassword);
        }
    }
    Ready r;
    r.agentName = "wblab-fake-agent";
    r.agentVersion = o.mode;
    r.capabilities = o.capabilities;
    r.window = o.window;
    send(r);
}

void ready(const Options& o) {
    std::string hello;
    if (!readLine(hello)) {
        std::exit(1);
    }
    sendReady(o, hello);
}

std::string idOf(const std::string& line) {
    auto message = decode(line);
    if (message && std::holds_alternative<Request>(*message)) {
        return std::get<Request>(*message).id;
    }
    return std::string();
}

Answer answer(const std::string& id, bool success, std::vector<int> events, int reason) {
    Answer a;
    a.id = id;
    a.result = success ? Result::Success : Result::Failure;
    a.events = std::move(events);
    a.reason = reason;
    return a;
}

/// A process that ignores SIGTERM and keeps the agent's stdout open: the harness must stop the
/// whole group (`marker` is a sleep duration, so that it shows in the process list); with
/// `leaveSession` it also leaves the agent's process group and session (setsid).
void leaveGrandchild(const std::string& marker, bool leaveSession) {
    if (::fork() == 0) {
        std::signal(SIGTERM, SIG_IGN);
        if (leaveSession) {
            ::setsid();
        }
        ::execl("/bin/sleep", "sleep", marker.c_str(), static_cast<char*>(nullptr));
        std::_Exit(127);
    }
}

/// Writes `bytes` bytes of noise to stderr, then the last password once.
void flood(long bytes) {
    const std::string chunk(65536, 'n');
    for (long left = bytes; left > 0; left -= static_cast<long>(chunk.size())) {
        std::cerr.write(chunk.data(), std::min<long>(left, static_cast<long>(chunk.size())));
    }
    std::cerr << std::flush;
}

/// The log-* modes: a plausible answer, and the password leaked as the mode says.
bool leak(const Options& o, const std::string& id) {
    const std::string& pw = lastPassword;
    if (o.mode == "log-base64") {
        log("request " + id + " token " + base64("user1:" + pw));
    } else if (o.mode == "log-hex") {
        log("request " + id + " bytes " + hex(pw));
    } else if (o.mode == "log-utf16") {
        log("request " + id + " wide " + utf16le(pw));
    } else if (o.mode.rfind("log-", 0) != 0 && o.mode != "quiet") {
        return false;
    }
    send(answer(id, true, {31001, 31002}, 0));
    return true;
}

/// One request line, answered as the mode says.
void misbehave(const Options& o, const std::string& line) {
    const std::string id = idOf(line);
    if (auto message = decode(line); message && std::holds_alternative<Request>(*message)) {
        if (const auto& sealed = std::get<Request>(*message).newPassword) {
            lastPassword = sealed->data;
        }
    }
    if (leak(o, id)) {
        return;
    }
    if (o.mode == "password-as-id") {
        send(answer(lastPassword, true, {31001, 31002}, 0));
    } else if (o.mode == "password-as-type") {
        std::cout << "{\"type\": \"" << lastPassword << "\"}\n" << std::flush;
    } else if (o.mode == "unknown-id") {
        send(answer("nope", true, {31001, 31002}, 0));
    } else if (o.mode == "twice") {
        send(answer(id, true, {31001, 31002}, 0));
        send(answer(id, true, {31001, 31002}, 0));
    } else if (o.mode == "twice-later") {
        // The copy comes after the scenario has had its last answer, by default inside the
        // 20 ms the harness gives an agent to send anything more (--twice-after MS).
        send(answer(id, true, {31001, 31002}, 0));
        std::this_thread::sleep_for(std::chrono::milliseconds(o.twiceAfterMs));
        send(answer(id, true, {31001, 31002}, 0));
    } else if (o.mode == "huge-line") {
        std::cout << std::string(1100000, 'x') << "\n" << std::flush;
    } else if (o.mode == "garbage") {
        std::cout << "not json at all\n" << std::flush;
    } else if (o.mode == "heartbeat-refusal") {
        send(Heartbeat{{31019}});
        send(answer(id, false, {31001, 31003, 33008}, 33008));
    }
    // silent, grandchild: never answer
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool hasValue = i + 1 < argc;
        if (arg == "--mode" && hasValue) {
            o.mode = argv[++i];
        } else if (arg == "--marker" && hasValue) {
            o.marker = argv[++i];
        } else if (arg == "--flood" && hasValue) {
            o.floodBytes = std::atol(argv[++i]);
        } else if (arg == "--window" && hasValue) {
            o.window = std::atoi(argv[++i]);
        } else if (arg == "--record" && hasValue) {
            o.record = argv[++i];
        } else if (arg == "--slow-every" && hasValue) {
            o.slowEvery = std::atoi(argv[++i]);
        } else if (arg == "--slow-by" && hasValue) {
            o.slowByMs = std::atol(argv[++i]);
        } else if (arg == "--twice-after" && hasValue) {
            o.twiceAfterMs = std::atol(argv[++i]);
        } else if (arg == "--capabilities" && hasValue) {
            o.capabilities.clear();
            std::string list = argv[++i];
            for (std::size_t at = 0; at != std::string::npos;) {
                auto comma = list.find(',', at);
                o.capabilities.push_back(list.substr(at, comma - at));
                at = comma == std::string::npos ? comma : comma + 1;
            }
        } else {
            std::cerr << "wblab-fake-agent: unknown argument " << arg << "\n";
            std::exit(2);
        }
    }
    return o;
}

/// --count FILE -- ARGV...: one line per start in FILE, then the real agent in this process.
[[noreturn]] void countAndExec(int argc, char** argv) {
    std::ofstream(argv[2], std::ios::app) << "started\n";
    if (argc < 5 || std::strcmp(argv[3], "--") != 0) {
        std::cerr << "wblab-fake-agent: --count FILE -- PROGRAM [ARGS...]\n";
        std::exit(2);
    }
    ::execv(argv[4], argv + 4);
    std::cerr << "wblab-fake-agent: cannot start " << argv[4] << ": " << std::strerror(errno)
              << "\n";
    std::exit(127);
}

/// Writes all of `text` to `fd`; false when the other side is gone.
bool writeAll(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

/// One line from `in` (without its newline); false at the end.
bool readFrom(std::FILE* in, std::string& line) {
    line.clear();
    for (int c = std::fgetc(in); c != EOF; c = std::fgetc(in)) {
        if (c == '\n') {
            return true;
        }
        line += static_cast<char>(c);
    }
    return !line.empty();
}

/// --late-every N --late-by MS -- PROGRAM [ARGS...]: runs the program as the agent and relays
/// every line both ways, holding back every Nth answer for MS milliseconds before passing it on:
/// a real agent that answers some requests after the harness's deadline, in order.
[[noreturn]] void relayLate(int argc, char** argv) {
    if (argc < 7 || std::strcmp(argv[3], "--late-by") != 0 || std::strcmp(argv[5], "--") != 0) {
        std::cerr << "wblab-fake-agent: --late-every N --late-by MS -- PROGRAM [ARGS...]\n";
        std::exit(2);
    }
    const int every = std::atoi(argv[2]);
    const auto lateBy = std::chrono::milliseconds(std::atoi(argv[4]));
    int toChild[2];
    int fromChild[2];
    if (every <= 0 || ::pipe(toChild) != 0 || ::pipe(fromChild) != 0) {
        std::exit(2);
    }
    const pid_t child = ::fork();
    if (child == 0) {
        ::dup2(toChild[0], 0);
        ::dup2(fromChild[1], 1);
        for (int fd : {toChild[0], toChild[1], fromChild[0], fromChild[1]}) {
            ::close(fd);
        }
        ::execv(argv[6], argv + 6);
        std::_Exit(127);
    }
    ::close(toChild[0]);
    ::close(fromChild[1]);
    std::FILE* agentOut = ::fdopen(fromChild[0], "r");
    int requests = 0;
    for (std::string line; readLine(line);) {
        if (!writeAll(toChild[1], line + "\n")) {
            break;
        }
        auto message = decode(line);
        if (!message || std::holds_alternative<Heartbeat>(*message)) {
            continue;
        }
        // hello, request and shutdown each get one line back (ready, answer, bye).
        std::string reply;
        if (!readFrom(agentOut, reply)) {
            break;
        }
        if (std::holds_alternative<Request>(*message) && ++requests % every == 0) {
            std::this_thread::sleep_for(lateBy);
        }
        // One line back per line in: whatever window the agent declares, it gets one request
        // at a time through this relay.
        if (auto ready = decode(reply); ready && std::holds_alternative<Ready>(*ready)) {
            std::get<Ready>(*ready).window = 1;
            reply = encode(*ready);
        }
        std::cout << reply << "\n" << std::flush;
    }
    ::close(toChild[1]);
    int status = 0;
    ::waitpid(child, &status, 0);
    std::exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/// Lines from stdin read with poll, so that the windowed agent can wait for more requests for
/// a while and then answer what it holds.
class StdinLines {
public:
    /// A line, nullopt at the end; `timeoutMs` without input: an empty optional line in `idle`.
    bool next(std::string& line, int timeoutMs, bool& idle) {
        idle = false;
        while (true) {
            auto nl = buffer_.find('\n');
            if (nl != std::string::npos) {
                line.assign(buffer_, 0, nl);
                buffer_.erase(0, nl + 1);
                return true;
            }
            pollfd p{0, POLLIN, 0};
            if (::poll(&p, 1, timeoutMs) == 0) {
                idle = true;
                return true;
            }
            char chunk[65536];
            const ssize_t n = ::read(0, chunk, sizeof chunk);
            if (n <= 0) {
                return false;
            }
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

private:
    std::string buffer_;
};

/// A request held by the windowed agent, and when to answer it.
struct Held {
    Request request;
    std::chrono::steady_clock::time_point due;
};

/// --window N: takes requests without answering until it holds N or none came for 100 ms, then
/// answers those that are due, newest first (out of order); with --slow-every K every Kth request
/// is due --slow-by ms after it came (a late answer inside the window). Answers success without
/// writing anything. --record FILE gets one line per request taken: "<id> <anchor> <held>", the
/// number held with it, and "overlap <anchor>" when a request came for an account that already
/// had one in flight.
void serveWindow(const Options& o) {
    std::ofstream record(o.record.empty() ? "/dev/null" : o.record, std::ios::app);
    std::vector<Held> held;
    StdinLines in;
    int taken = 0;
    auto answerDue = [&](bool all) {
        const auto now = std::chrono::steady_clock::now();
        for (auto it = held.rbegin(); it != held.rend();) {
            if (all || it->due <= now) {
                send(answer(it->request.id, true, {31001, 31002}, 0));
                it = std::reverse_iterator(held.erase(std::next(it).base()));
            } else {
                ++it;
            }
        }
    };
    for (std::string line;;) {
        bool idle = false;
        if (!in.next(line, 100, idle)) {
            return;
        }
        if (idle || static_cast<int>(held.size()) >= o.window) {
            answerDue(false);
            if (idle) {
                continue;
            }
        }
        auto message = decode(line);
        if (message && std::holds_alternative<Shutdown>(*message)) {
            answerDue(true);
            return;
        }
        if (message && std::holds_alternative<Hello>(*message)) {
            sendReady(o, line);
            continue;
        }
        if (!message || !std::holds_alternative<Request>(*message)) {
            continue;
        }
        const auto& request = std::get<Request>(*message);
        for (const auto& h : held) {
            if (h.request.anchor == request.anchor) {
                record << "overlap " << request.anchor << "\n";
            }
        }
        const bool slow = o.slowEvery > 0 && ++taken % o.slowEvery == 0;
        held.push_back(
            {request,
             std::chrono::steady_clock::now() + std::chrono::milliseconds(slow ? o.slowByMs : 0)});
        record << request.id << " " << request.anchor << " " << held.size() << "\n" << std::flush;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && std::strcmp(argv[1], "--count") == 0) {
        countAndExec(argc, argv);
    }
    if (argc >= 3 && std::strcmp(argv[1], "--late-every") == 0) {
        relayLate(argc, argv);
    }
    const Options o = parse(argc, argv);
    if (o.mode == "no-ready") {
        // Reads the hello and never answers; shrugs off SIGTERM too.
        std::signal(SIGTERM, SIG_IGN);
        std::string hello;
        readLine(hello);
        while (readLine(hello)) {
        }
        ::pause();
        return 0;
    }
    ready(o);
    if (o.window > 1) {
        serveWindow(o);
        return 0;
    }
    if (o.mode.rfind("exit-after-ready=", 0) == 0) {
        return std::atoi(o.mode.c_str() + std::strlen("exit-after-ready="));
    }
    if (o.mode == "grandchild" || o.mode == "setsid-grandchild") {
        leaveGrandchild(o.marker, o.mode == "setsid-grandchild");
    }
    for (std::string line; readLine(line);) {
        auto message = decode(line);
        if (message && std::holds_alternative<Hello>(*message)) {
            // A new session (rehandshake): the previous scenario's password, now.
            if (o.mode == "log-at-next-hello" && !lastPassword.empty()) {
                log("earlier: " + lastPassword);
            }
            sendReady(o, line);
            continue;
        }
        if (message && std::holds_alternative<Shutdown>(*message)) {
            break;
        }
        misbehave(o, line);
        if (o.floodBytes > 0) {
            flood(o.floodBytes);
            log("after the flood: " + lastPassword);
        }
    }
    if (o.mode == "log-at-exit" && !lastPassword.empty()) {
        log("bye, last password " + lastPassword);
    }
    return 0;
}
