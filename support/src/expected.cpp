#include <wblab/support/expected.hpp>

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

std::string Error::describe() const {
    if (!where) {
        return message;
    }
    std::ostringstream out;
    out << where->file;
    if (where->line > 0) {
        out << ":" << where->line;
        if (where->column > 0) {
            out << ":" << where->column;
        }
    }
    out << ": " << message;
    return out.str();
}

}  // namespace wblab
