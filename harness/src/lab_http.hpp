#pragma once
// Private to the harness: the lab's HTTP API on 127.0.0.1 (docs/lab.md): a Graph-compatible
// surface of the simulated tenant (users, resetPassword and its long-running operation,
// riskyUsers, directoryAudits) and lab endpoints for what Graph has no API for. Requests are
// served one at a time; each that changes something is a step of the session. cpp-httplib stays
// in lab_http.cpp.
//
//   LabServer server(session, token);
//   WBLAB_TRY_ASSIGN(int port, server.bind(0), "");
//   std::thread serving([&] { server.serve(); });
//   ...; server.stop(); serving.join();

#include "lab_session.hpp"

#include <memory>
#include <string>

namespace wblab::harness {

class LabServer {
public:
    /// `token`: the bearer token every request must carry.
    LabServer(LabSession& session, std::string token);
    LabServer(const LabServer&) = delete;
    LabServer& operator=(const LabServer&) = delete;
    ~LabServer();

    /// Binds 127.0.0.1:`port` (0: a free port); returns the port.
    Expected<int> bind(int port);
    /// Serves until stop() (from another thread).
    void serve();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace wblab::harness
