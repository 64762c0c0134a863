// Query parameters: every value travels as a separate libpq parameter in text
// form, never spliced into SQL (SECURITY: no injection by construction).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace posta::db {

// nullopt = SQL NULL. A binary parameter travels as raw bytes (a bytea in
// PostgreSQL's binary format): no hex or base64 text to build, check and
// decode for a message body.
struct param : std::optional<std::string> {
  using std::optional<std::string>::optional;
  bool binary = false;
};
using params = std::vector<param>;

// Raw bytes for a `$n::bytea` parameter.
struct bytes {
  std::string data;
};

inline param to_param(std::nullptr_t) { return std::nullopt; }
inline param to_param(std::string s) { return s; }
inline param to_param(std::string_view s) { return std::string(s); }
inline param to_param(char const* s) { return std::string(s); }
inline param to_param(bool b) { return std::string(b ? "t" : "f"); }
inline param to_param(param p) { return p; }
inline param to_param(bytes b) {
  param p(std::move(b.data));
  p.binary = true;
  return p;
}
template <class T>
  requires std::is_integral_v<T> && (!std::is_same_v<T, bool>)
param to_param(T v) { return std::to_string(v); }
template <class T>
param to_param(std::optional<T> const& v) { return v ? to_param(*v) : std::nullopt; }

template <class... Args>
params make_params(Args&&... args) {
  params out;
  out.reserve(sizeof...(args));
  (out.push_back(to_param(std::forward<Args>(args))), ...);
  return out;
}

}  // namespace posta::db
