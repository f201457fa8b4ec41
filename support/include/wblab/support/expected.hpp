#pragma once
// File: expected.hpp
//
// Expected<T>: the value-or-Error type that every wblab module returns across its public API
// (g++ 12 has no std::expected in C++20). Only the subset of std::expected that wblab uses.
//
//   Expected<int> parsePort(std::string_view s);
//   auto port = parsePort("389");
//   if (!port) { std::cerr << port.error().describe(); }

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace wblab {

/// What kind of failure; add a code only when some caller reacts to it differently.
enum class ErrorCode {
    Internal,           ///< a bug or an unclassified failure
    InvalidInput,       ///< bad scenario, bad flag, bad file: the user must fix their input
    NotFound,           ///< a file or a named thing does not exist
    Io,                 ///< the operating system refused (file, pipe, process)
    Timeout,            ///< a deadline passed
    ProtocolViolation,  ///< the peer sent something the protocol does not allow
    Unavailable,        ///< a dependency (slapd, the agent) is not there or not ready
};

const char* toString(ErrorCode code);

/// Where in an input file something went wrong; line and column are 1-based.
struct SourcePos {
    std::string file;
    int line = 0;
    int column = 0;
};

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    std::optional<SourcePos> where;

    /// "file:line:column: message" when a position is known, else the message.
    std::string describe() const;
};

inline Error makeError(ErrorCode code, std::string message) {
    return Error{code, std::move(message), std::nullopt};
}

template <typename T>
class [[nodiscard]] Expected {
public:
    Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}

    Expected(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool has_value() const { return state_.index() == 0; }

    explicit operator bool() const { return has_value(); }

    T& value() & {
        check();
        return std::get<0>(state_);
    }

    const T& value() const& {
        check();
        return std::get<0>(state_);
    }

    T&& value() && {
        check();
        return std::get<0>(std::move(state_));
    }

    T& operator*() & { return value(); }

    const T& operator*() const& { return value(); }

    T* operator->() { return &value(); }

    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(state_); }

private:
    void check() const {
        if (!has_value()) {
            std::cerr << "wblab: internal error: value() on an Expected holding an error: "
                      << std::get<1>(state_).describe() << "\n";
            std::abort();
        }
    }

    std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Expected<void> {
public:
    Expected() = default;

    Expected(Error error) : error_(std::move(error)) {}

    bool has_value() const { return !error_.has_value(); }

    explicit operator bool() const { return has_value(); }

    const Error& error() const { return *error_; }

private:
    std::optional<Error> error_;
};

}  // namespace wblab
