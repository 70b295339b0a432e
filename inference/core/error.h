#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace es {

// BadInput: the user's file, config or argument is wrong (exit code 2).
// Runtime: the input was fine but something failed while running (exit code 1).
enum class ErrorKind { BadInput, Runtime };

class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
    ErrorKind kind() const { return m_kind; }

  private:
    ErrorKind m_kind;
};

template <typename... Args>
[[noreturn]] void throw_bad_input(fmt::format_string<Args...> format, Args&&... args) {
    throw Error(ErrorKind::BadInput, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void throw_runtime(fmt::format_string<Args...> format, Args&&... args) {
    throw Error(ErrorKind::Runtime, fmt::format(format, std::forward<Args>(args)...));
}

// Prefixes the message of an es::Error with context ("model.xml: "), keeping its kind.
[[noreturn]] void rethrow_with_context(const Error& error, const std::string& context);

}  // namespace es
