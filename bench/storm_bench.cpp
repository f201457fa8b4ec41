// Reset-storm benchmark (DESIGN.md §8): N self-service resets of distinct users written back
// through the reference agent into slapd, over the agent protocol as in a run (passwords sealed to
// the agent's key; as many requests in flight as the agent's ready declares in `window`, as a
// storm step keeps them, and once more through the same agent started with --window 1: one
// request at a time, each answer awaited), against the physical limit: raw
// libldap Password Modify by the connector with the user's DN already known, on the same slapd.
// A third loop, raw search-by-anchor then Password Modify, is what the agent must do on the
// directory for each request, so it splits the agent's cost into directory work and the rest
// (protocol, decryption, logging). The loops run interleaved in rounds, their order alternating,
// so that a machine shared with other work slows them alike; the figures are medians over rounds.
// Each loop also reports the CPU it cost per writeback in each process (this one, slapd, the
// agent), read from /proc: two cores can serve at most 2000 / (their sum in ms) writebacks a
// second, which is what stands between a ratio and its target.
//
//   wblab_bench_storm [--writebacks N] [--rounds R] [--agent PATH]
#include <wblab/fixture/directory.hpp>
#include <wblab/protocol/crypto.hpp>
#include <wblab/protocol/messages.hpp>
#include <wblab/support/process.hpp>

#include <ldap.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace wblab;
using Seconds = std::chrono::duration<double>;

struct Options {
    int writebacks = 10000;
    int rounds = 5;
    std::string agent = WBLAB_AGENT_PATH;
};

[[noreturn]] void die(const std::string& why) {
    std::cerr << "wblab_bench_storm: " << why << "\n";
    std::exit(1);
}

/// Throughput and latency of one loop of N writebacks, and its CPU per writeback by process.
struct LoopResult {
    double perSecond = 0;
    double p50Ms = 0;
    double p99Ms = 0;
    double cpuMs[3] = {0, 0, 0};  ///< this process (the cloud's side), slapd, the agent
};

/// CPU seconds (user + system) a process has used so far: /proc/PID/stat fields 14 and 15.
double cpuSecondsOf(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto afterName = stat.rfind(')');
    if (afterName == std::string::npos) {
        return 0;
    }
    std::istringstream fields(stat.substr(afterName + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; fields >> field && i <= 15; ++i) {
        if (i >= 14) {
            ticks += std::stod(field);
        }
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double ownCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// The slapd serving `runDirectory` (its command line names the configuration there).
int slapdServing(const std::string& runDirectory) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::ifstream in(entry.path() / "cmdline");
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find("slapd") != std::string::npos &&
            cmdline.find(runDirectory) != std::string::npos) {
            return std::stoi(name);
        }
    }
    die("no slapd found for " + runDirectory);
}

/// The CPU of the three processes at one moment; the difference of two is a loop's.
struct CpuSnapshot {
    double seconds[3] = {0, 0, 0};

    static CpuSnapshot take(int slapd, int agent) {
        CpuSnapshot s;
        s.seconds[0] = ownCpuSeconds();
        s.seconds[1] = cpuSecondsOf(slapd);
        s.seconds[2] = agent > 0 ? cpuSecondsOf(agent) : 0;
        return s;
    }
};

/// Times a loop and fills in its CPU per writeback from snapshots around it.
template <typename Loop>
LoopResult measured(int slapd, int agent, int n, Loop loop) {
    const auto before = CpuSnapshot::take(slapd, agent);
    LoopResult r = loop();
    const auto after = CpuSnapshot::take(slapd, agent);
    for (int k = 0; k < 3; ++k) {
        r.cpuMs[k] = 1000.0 * (after.seconds[k] - before.seconds[k]) / n;
    }
    return r;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

LoopResult summarise(std::vector<double> latenciesMs, Seconds wall) {
    std::sort(latenciesMs.begin(), latenciesMs.end());
    auto at = [&](double q) {
        return latenciesMs[static_cast<std::size_t>(q *
                                                    static_cast<double>(latenciesMs.size() - 1))];
    };
    return {static_cast<double>(latenciesMs.size()) / wall.count(), at(0.50), at(0.99)};
}

std::string sam(int i) {
    return "storm" + std::to_string(i);
}

/// A new password per user, loop and round: the directory sees every reset as a real change.
std::string passwordFor(int round, char loop, int i) {
    return "Storm-" + std::to_string(round) + loop + "-Pw0rd-" + std::to_string(i);
}

/// A session bound as the connector, as the agent opens it.
LDAP* bindAsConnector(const fixture::SlapdFixture& fx) {
    LDAP* ld = nullptr;
    if (ldap_initialize(&ld, fx.url().c_str()) != LDAP_SUCCESS) {
        die("cannot initialise libldap");
    }
    int version = LDAP_VERSION3;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    std::string pw = fx.connectorPassword();
    berval cred{static_cast<ber_len_t>(pw.size()), pw.data()};
    int rc = ldap_sasl_bind_s(
        ld, fx.connectorDn().c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
        die(std::string("connector bind: ") + ldap_err2string(rc));
    }
    return ld;
}

void passwordModify(LDAP* ld, const std::string& dn, const std::string& password) {
    berval user{static_cast<ber_len_t>(dn.size()), const_cast<char*>(dn.data())};
    berval newPw{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
    berval generated{0, nullptr};
    int rc = ldap_passwd_s(ld, &user, nullptr, &newPw, &generated, nullptr, nullptr);
    ber_memfree(generated.bv_val);
    if (rc != LDAP_SUCCESS) {
        die("password modify of " + dn + ": " + ldap_err2string(rc));
    }
}

/// The user's DN found by anchor, as the agent searches for it.
std::string searchByAnchor(LDAP* ld, const fixture::SlapdFixture& fx, const std::string& anchor) {
    char uac[] = "userAccountControl";
    char* attrs[] = {uac, nullptr};
    const std::string filter = "(" + fx.anchorAttribute() + "=" + anchor + ")";
    LDAPMessage* result = nullptr;
    int rc = ldap_search_ext_s(ld,
                               fx.baseDn().c_str(),
                               LDAP_SCOPE_SUBTREE,
                               filter.c_str(),
                               attrs,
                               0,
                               nullptr,
                               nullptr,
                               nullptr,
                               2,
                               &result);
    LDAPMessage* entry = rc == LDAP_SUCCESS ? ldap_first_entry(ld, result) : nullptr;
    if (entry == nullptr) {
        die("search by anchor " + anchor + ": " + ldap_err2string(rc));
    }
    char* dn = ldap_get_dn(ld, entry);
    std::string out = dn;
    ldap_memfree(dn);
    ldap_msgfree(result);
    return out;
}

/// Raw libldap: Password Modify of each user, DN known (`search` adds the agent's search first).
LoopResult rawLoop(LDAP* ld, const fixture::SlapdFixture& fx, int n, int round, bool search) {
    std::vector<double> latencies;
    latencies.reserve(static_cast<std::size_t>(n));
    const char loop = search ? 's' : 'r';
    const auto started = Clock::now();
    for (int i = 0; i < n; ++i) {
        const auto t0 = Clock::now();
        const std::string dn =
            search ? searchByAnchor(ld, fx, fixture::defaultAnchorFor(sam(i))) : fx.userDn(sam(i));
        passwordModify(ld, dn, passwordFor(round, loop, i));
        latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    return summarise(std::move(latencies), Clock::now() - started);
}

/// The reference agent as a storm step drives it: up to its window of requests in flight.
class AgentDriver {
public:
    AgentDriver(const std::vector<std::string>& argv, const fixture::SlapdFixture& fx) {
        ProcessSpec spec;
        spec.argv = argv;
        spec.env = {{"PATH", "/usr/bin:/bin"}};
        spec.stderrPath = fx.runDirectory() + "/agent.stderr";
        spec.pipeStdin = true;
        spec.pipeStdout = true;
        auto started = Process::start(spec);
        if (!started) {
            die("cannot start the agent: " + started.error().message);
        }
        process_.emplace(std::move(*started));
        protocol::Hello hello;
        hello.directoryUrl = fx.url();
        hello.baseDn = fx.baseDn();
        hello.anchorAttribute = fx.anchorAttribute();
        hello.flavour = "openldap-ad";
        hello.connectorDn = fx.connectorDn();
        hello.connectorPassword = fx.connectorPassword();
        auto ready = exchange(protocol::encode(hello));
        const auto* r = std::get_if<protocol::Ready>(&ready);
        if (r == nullptr || r->publicKeyPem.empty()) {
            die("the agent did not answer hello with a ready and a public key");
        }
        publicKey_ = r->publicKeyPem;
        version_ = r->protocol;
        window_ = r->window;
    }

    int window() const { return window_; }

    int pid() const { return process_->pid(); }

    ~AgentDriver() {
        if (process_) {
            process_->stop(std::chrono::milliseconds(1000));
        }
    }

    AgentDriver(const AgentDriver&) = delete;
    AgentDriver& operator=(const AgentDriver&) = delete;

    /// N request lines and their ids. The cloud seals before the relay delivers: sealing is not
    /// the agent's time, so it is done before the loop is timed.
    struct Requests {
        std::vector<std::string> lines, ids;
    };

    Requests requests(int n, int round, char tag) const {
        std::vector<std::string> lines;
        std::vector<std::string> ids;
        lines.reserve(static_cast<std::size_t>(n));
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        for (int i = 0; i < n; ++i) {
            protocol::Request request;
            request.id = "storm-" + std::to_string(round) + tag + std::to_string(i);
            auto sealed = protocol::seal(publicKey_,
                                         passwordFor(round, tag, i),
                                         version_,
                                         protocol::sealContext(request.id, "new_password"));
            if (!sealed) {
                die("cannot seal: " + sealed.error().message);
            }
            request.operation = protocol::Operation::Reset;
            request.anchor = fixture::defaultAnchorFor(sam(i));
            request.upn = sam(i) + "@testlab.example";
            request.newPassword = *sealed;
            request.issuedAt = protocol::formatUtc(now);
            request.expiresAt = protocol::formatUtc(now + 3600);
            lines.push_back(protocol::encode(request));
            ids.push_back(request.id);
        }
        return {std::move(lines), std::move(ids)};
    }

    /// Keeps up to window_ of the lines in flight; each latency from send to its answer.
    LoopResult drive(const Requests& requests) {
        const auto& lines = requests.lines;
        const auto& ids = requests.ids;
        std::vector<double> latencies;
        latencies.reserve(lines.size());
        std::map<std::string, Clock::time_point> sentAt;
        std::size_t next = 0;
        const auto started = Clock::now();
        while (latencies.size() < lines.size()) {
            while (next < lines.size() && sentAt.size() < static_cast<std::size_t>(window_)) {
                sentAt.emplace(ids[next], Clock::now());
                write(lines[next++]);
            }
            auto message = read();
            const auto* answer = std::get_if<protocol::Answer>(&message);
            if (answer == nullptr || answer->result != protocol::Result::Success) {
                die("the agent did not write a reset back" +
                    (answer ? ": " + std::to_string(answer->reason) + " " + answer->detail : ""));
            }
            auto it = sentAt.find(answer->id);
            if (it == sentAt.end()) {
                die("an answer for a request not in flight");
            }
            latencies.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - it->second).count());
            sentAt.erase(it);
        }
        return summarise(std::move(latencies), Clock::now() - started);
    }

private:
    void write(const std::string& line) {
        if (!process_->write(line + "\n", deadlineIn(std::chrono::milliseconds(10000)))) {
            die("cannot write to the agent");
        }
    }

    protocol::Message read() {
        std::string reply;
        if (process_->readLine(reply,
                               deadlineIn(std::chrono::milliseconds(10000)),
                               protocol::kMaxLineBytes) != Process::LineStatus::Line) {
            die("the agent did not answer within 10 s");
        }
        auto message = protocol::decode(reply);
        if (!message) {
            die("unreadable line from the agent: " + message.error().message);
        }
        return *message;
    }

    protocol::Message exchange(const std::string& line) {
        write(line);
        return read();
    }

    std::optional<Process> process_;
    std::string publicKey_;
    int version_ = protocol::kProtocolV1;  ///< the version the agent chose in its ready
    int window_ = 1;                       ///< requests in flight, as its ready declared
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) {
            die("usage: wblab_bench_storm [--writebacks N] [--rounds R] [--agent PATH]");
        }
        if (arg == "--writebacks") {
            o.writebacks = std::max(1, std::atoi(argv[++i]));
        } else if (arg == "--rounds") {
            o.rounds = std::max(1, std::atoi(argv[++i]));
        } else if (arg == "--agent") {
            o.agent = argv[++i];
        } else {
            die("unknown argument " + arg);
        }
    }
    return o;
}

/// One loop's figures over the rounds.
struct Series {
    std::vector<double> perSecond, p50, p99, cpu[3];

    void add(const LoopResult& r) {
        perSecond.push_back(r.perSecond);
        p50.push_back(r.p50Ms);
        p99.push_back(r.p99Ms);
        for (int k = 0; k < 3; ++k) {
            cpu[k].push_back(r.cpuMs[k]);
        }
    }

    LoopResult medians() const {
        return {median(perSecond),
                median(p50),
                median(p99),
                {median(cpu[0]), median(cpu[1]), median(cpu[2])}};
    }
};

std::string loadAverage() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

void print(const char* name, const LoopResult& r) {
    const double cpu = r.cpuMs[0] + r.cpuMs[1] + r.cpuMs[2];
    std::printf(
        "%-34s %6.0f /s  p50 %6.3f ms  p99 %6.3f ms  CPU per writeback %.3f ms (this "
        "process %.3f, slapd %.3f, agent %.3f; two cores: at most %.0f /s)\n",
        name,
        r.perSecond,
        r.p50Ms,
        r.p99Ms,
        cpu,
        r.cpuMs[0],
        r.cpuMs[1],
        r.cpuMs[2],
        2000.0 / cpu);
}

/// One user per writeback of a loop.
fixture::DirectorySeed stormSeed(int users) {
    fixture::DirectorySeed seed;
    for (int i = 0; i < users; ++i) {
        fixture::DirectoryUser u;
        u.samAccountName = sam(i);
        u.upn = sam(i) + "@testlab.example";
        u.password = "Seed-Passw0rd-" + std::to_string(i);
        seed.users.push_back(std::move(u));
    }
    return seed;
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    const fixture::DirectorySeed seed = stormSeed(options.writebacks);
    fixture::FixtureOptions fxOptions;
    fxOptions.startTimeout = std::chrono::milliseconds(120000);
    auto fx = fixture::SlapdFixture::start(seed, fxOptions);
    if (!fx) {
        die("fixture: " + (*fx ? std::string() : fx.error().message));
    }
    LDAP* ld = bindAsConnector(**fx);
    AgentDriver agent({options.agent}, **fx);
    AgentDriver single({options.agent, "--window", "1"}, **fx);
    const int slapd = slapdServing((*fx)->runDirectory());

    std::printf(
        "reset storm: %d writebacks of distinct users per loop, %d rounds, interleaved; agent "
        "window %d\n",
        options.writebacks,
        options.rounds,
        agent.window());
    // raw, raw search + modify, the agent with its window, the agent one request at a time
    Series series[4];
    std::vector<double> ratios, singleRatios;
    const int n = options.writebacks;
    for (int round = 0; round < options.rounds; ++round) {
        LoopResult results[4];
        auto run = [&](int which) {
            switch (which) {
                case 0:
                    results[0] =
                        measured(slapd, 0, n, [&] { return rawLoop(ld, **fx, n, round, false); });
                    break;
                case 1:
                    results[1] =
                        measured(slapd, 0, n, [&] { return rawLoop(ld, **fx, n, round, true); });
                    break;
                case 2: {
                    const auto requests = agent.requests(n, round, 'a');
                    results[2] =
                        measured(slapd, agent.pid(), n, [&] { return agent.drive(requests); });
                    break;
                }
                default: {
                    const auto requests = single.requests(n, round, '1');
                    results[3] =
                        measured(slapd, single.pid(), n, [&] { return single.drive(requests); });
                }
            }
        };
        // The order alternates, so that a load that comes and goes slows each loop alike.
        for (int k = 0; k < 4; ++k) {
            run(round % 2 == 0 ? k : 3 - k);
        }
        std::printf(
            "round %d: raw %.0f/s, raw search+modify %.0f/s, agent %.0f/s (window %d), "
            "agent one at a time %.0f/s; ratio %.2f (one at a time %.2f); load %s\n",
            round + 1,
            results[0].perSecond,
            results[1].perSecond,
            results[2].perSecond,
            agent.window(),
            results[3].perSecond,
            results[2].perSecond / results[0].perSecond,
            results[3].perSecond / results[0].perSecond,
            loadAverage().c_str());
        for (int k = 0; k < 4; ++k) {
            series[k].add(results[k]);
        }
        ratios.push_back(results[2].perSecond / results[0].perSecond);
        singleRatios.push_back(results[3].perSecond / results[0].perSecond);
    }
    ldap_unbind_ext_s(ld, nullptr, nullptr);
    std::printf("medians over %d rounds:\n", options.rounds);
    print("raw libldap password modify", series[0].medians());
    print("raw search by anchor + modify", series[1].medians());
    const std::string windowed = "through the agent, window " + std::to_string(agent.window());
    print(windowed.c_str(), series[2].medians());
    print("through the agent, one at a time", series[3].medians());
    std::printf("ratio agent / raw: %.2f (one at a time: %.2f; issue 18 target >= 0.80)\n",
                median(ratios),
                median(singleRatios));
    return 0;
}
