// Operational failures as values: result<T> carries either a T or an error
// (a code from a per-module category plus a short human context).
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <system_error>
#include <utility>

namespace posta {

struct error {
  std::error_code code;
  std::string context;  // short, for people: "connect to postgres: timeout"

  std::string message() const {
    return context.empty() ? code.message() : context + ": " + code.message();
  }
};

// Called by boost::system::result<T, error>::value() when it holds an error.
[[noreturn]] void throw_exception_from_error(error const& e, boost::source_location const& loc);

template <class T = void>
using result = boost::system::result<T, error>;

inline error make_error(std::error_code code, std::string context = {}) {
  return error{code, std::move(context)};
}

// Errors that belong to no protocol: the catch-all category of Posta itself.
enum class errc {
  ok = 0,
  invalid_argument = 1,  // bad input from a client or administrator
  not_found,
  already_exists,
  conflict,              // refers to something in use, or would dangle
  permission_denied,
  limit_exceeded,
  unavailable,           // a dependency is down; try later
  io_error,
  protocol_error,
  internal,
};

std::error_category const& posta_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), posta_category()};
}

inline error make_error(errc e, std::string context = {}) {
  return error{make_error_code(e), std::move(context)};
}

}  // namespace posta

template <>
struct std::is_error_code_enum<posta::errc> : std::true_type {};

// Propagate a failed result from an ordinary function: `auto x = POSTA_TRY(f());`
#define POSTA_TRY(expr)                                   \
  ({                                                      \
    auto&& posta_try_r_ = (expr);                         \
    if (!posta_try_r_) return std::move(posta_try_r_).error(); \
    std::move(posta_try_r_).value();                      \
  })

// Inside coroutines g++ 12 cannot compile co_return within a statement
// expression (internal compiler error), so the coroutine forms are statements:
//   POSTA_CO_TRY(co_await f());                  // propagate, discard the value
//   POSTA_CO_TRY_ASSIGN(auto rows, co_await g()); // propagate, or bind the value
#define POSTA_CAT_INNER_(a, b) a##b
#define POSTA_CAT_(a, b) POSTA_CAT_INNER_(a, b)
#define POSTA_CO_TRY(expr)                                                   \
  do {                                                                       \
    auto posta_co_try_r_ = (expr);                                           \
    if (!posta_co_try_r_) co_return std::move(posta_co_try_r_).error();      \
  } while (false)
#define POSTA_CO_TRY_ASSIGN(lhs, expr)                                                  \
  auto POSTA_CAT_(posta_co_try_, __LINE__) = (expr);                                    \
  if (!POSTA_CAT_(posta_co_try_, __LINE__))                                             \
    co_return std::move(POSTA_CAT_(posta_co_try_, __LINE__)).error();                   \
  lhs = std::move(POSTA_CAT_(posta_co_try_, __LINE__)).value()
