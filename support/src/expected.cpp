#include <wblab/support/expected.hpp>
#include <wblab/support/secrets.hpp>

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace wblab {

const char* toString(ErrorCode code) {
    switch (code) {
        case ErrorCode::Internal:
            return "internal";
        case ErrorCode::InvalidInput:
            return "invalid input";
        case ErrorCode::NotFound:
            return "not found";
        case ErrorCode::Io:
            return "i/o";
        case ErrorCode::Timeout:
            return "timeout";
        case ErrorCode::ProtocolViolation:
            return "protocol violation";
        case ErrorCode::Unavailable:
            return "unavailable";
    }
    return "unknown";
}

Error withContext(Error error, const std::string& context) {
    if (!context.empty()) {
        error.message = context + ": " + error.message;
    }
    return error;
}

namespace detail {

void expectedMisuse(const char* what, const Error* held) {
    std::cerr << "wblab: internal error: " << what
              << (held != nullptr ? ": " + held->describe() : std::string()) << "\n";
    std::abort();
}

}  // namespace detail

std::string Error::describe() const {
    // What goes to a terminal or a report: no control characters, whatever a file was called.
    if (!where) {
        return printable(message, true);
    }
    std::ostringstream out;
    out << printable(where->file);
    if (where->line > 0) {
        out << ":" << where->line;
        if (where->column > 0) {
            out << ":" << where->column;
        }
    }
    out << ": " << printable(message, true);
    return out.str();
}

}  // namespace wblab
