#pragma once
// File: expected.hpp
//
// Expected<T>: the value-or-Error type that every wblab module returns across its public API
// (g++ 12 has no std::expected in C++20). Only the subset of std::expected that wblab uses.
//
//   Expected<int> parsePort(std::string_view s);
//   auto port = parsePort("389");
//   if (!port) { std::cerr << port.error().describe(); }
//
//   Expected<Config> load(const std::string& path) {
//       WBLAB_TRY_ASSIGN(std::string text, readFile(path), "reading " + path);
//       WBLAB_TRY(validate(text), "");  // no context: the error says enough
//       return parse(text);
//   }

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

    /// "file:line:column: message" when a position is known, else the message; control
    /// characters (newlines and tabs aside) escaped, for terminals and reports.
    std::string describe() const;
};

inline Error makeError(ErrorCode code, std::string message) {
    return Error{code, std::move(message), std::nullopt};
}

/// `error` with `context` put in front of its message ("starting slapd: cannot ..."); an empty
/// context leaves it as it is.
Error withContext(Error error, const std::string& context);

namespace detail {
/// Reached only through a bug: asking an Expected for what it does not hold. Prints what was
/// asked and aborts (a test tool fails fast rather than going on undefined).
[[noreturn]] void expectedMisuse(const char* what, const Error* held);
}  // namespace detail

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

    /// The error; calling it on a value is a bug and aborts with a message.
    const Error& error() const {
        if (has_value()) {
            detail::expectedMisuse("error() on an Expected holding a value", nullptr);
        }
        return std::get<1>(state_);
    }

private:
    void check() const {
        if (!has_value()) {
            detail::expectedMisuse("value() on an Expected holding an error", &std::get<1>(state_));
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

    /// The error; calling it on success is a bug and aborts with a message.
    const Error& error() const {
        if (!error_) {
            detail::expectedMisuse("error() on a successful Expected<void>", nullptr);
        }
        return *error_;
    }

private:
    std::optional<Error> error_;
};

}  // namespace wblab

// Early returns with context. WBLAB_TRY(expr, context) evaluates an Expected and, on an error,
// returns it from the enclosing function with `context` in front of its message;
// WBLAB_TRY_ASSIGN(declaration, expr, context) does the same and moves the value into the
// declaration on success.
#define WBLAB_TRY(expr, context)                                               \
    do {                                                                       \
        if (auto wblab_try_result_ = (expr); !wblab_try_result_) {             \
            return ::wblab::withContext(wblab_try_result_.error(), (context)); \
        }                                                                      \
    } while (false)

#define WBLAB_TRY_CONCAT_INNER(a, b) a##b
#define WBLAB_TRY_CONCAT(a, b) WBLAB_TRY_CONCAT_INNER(a, b)
#define WBLAB_TRY_ASSIGN(declaration, expr, context) \
    WBLAB_TRY_ASSIGN_IMPL(WBLAB_TRY_CONCAT(wblab_try_value_, __LINE__), declaration, expr, context)
#define WBLAB_TRY_ASSIGN_IMPL(temporary, declaration, expr, context) \
    auto temporary = (expr);                                         \
    if (!temporary) {                                                \
        return ::wblab::withContext(temporary.error(), (context));   \
    }                                                                \
    declaration = std::move(*temporary)
