// wblab-fake-agent: a misbehaving writeback agent for the harness's own tests, compiled rather
// than written as inline shell. It completes the handshake (declaring "plaintext", so it needs
// no key) and then misbehaves in one chosen way; or it wraps a real agent to count its starts.
//
//   wblab-fake-agent --mode silent
//   wblab-fake-agent --mode grandchild --marker /tmp/run-42
//   wblab-fake-agent --count /tmp/starts -- /path/to/wblab-agent --bug hangs
#include <wblab/protocol/messages.hpp>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace wblab::protocol;

struct Options {
    std::string mode = "silent";
    std::string marker;
    std::vector<std::string> capabilities = {
        "reset", "change", "admin_reset", "unlock_only", "forced_change", "plaintext"};
};

void send(const Message& m) {
    std::cout << encode(m) << "\n" << std::flush;
}

bool readLine(std::string& line) {
    return static_cast<bool>(std::getline(std::cin, line));
}

void ready(const Options& o) {
    std::string hello;
    if (!readLine(hello)) {
        std::exit(1);
    }
    Ready r;
    r.agentName = "wblab-fake-agent";
    r.agentVersion = o.mode;
    r.capabilities = o.capabilities;
    send(r);
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
/// whole group.
void leaveGrandchild(const std::string& marker) {
    if (::fork() == 0) {
        std::signal(SIGTERM, SIG_IGN);
        ::execl("/bin/sleep", "sleep", "60", marker.c_str(), static_cast<char*>(nullptr));
        std::_Exit(127);
    }
}

/// One request line, answered as the mode says.
void misbehave(const Options& o, const std::string& line) {
    const std::string id = idOf(line);
    if (o.mode == "unknown-id") {
        send(answer("nope", true, {31001, 31002}, 0));
    } else if (o.mode == "twice") {
        send(answer(id, true, {31001, 31002}, 0));
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

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && std::strcmp(argv[1], "--count") == 0) {
        countAndExec(argc, argv);
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
    if (o.mode.rfind("exit-after-ready=", 0) == 0) {
        return std::atoi(o.mode.c_str() + std::strlen("exit-after-ready="));
    }
    if (o.mode == "grandchild") {
        leaveGrandchild(o.marker);
    }
    for (std::string line; readLine(line);) {
        misbehave(o, line);
    }
    return 0;
}
