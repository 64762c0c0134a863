// Runtime settings: typed keys with built-in defaults, overrides stored in
// PostgreSQL, read from an in-memory snapshot, changed live. A change on any
// node reaches every node through NOTIFY posta_settings.
#pragma once

#include "core/db/pool.hpp"

#include <boost/json/value.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace posta::settings {

enum class kind { boolean, integer, string, list };

// What a string setting must look like beyond being a string.
enum class string_format {
  any,
  host_name,  // empty, or an LDH host name (RFC 1123 2.1): no CR, LF, spaces or other bytes
  // SECURITY: a credential: any string, never shown by the API, the CLI or
  // the journal (they print whether it is set).
  secret,
};

struct definition {
  std::string key;
  kind type;
  boost::json::value default_value;
  std::string description;
  std::int64_t min = 0;                 // integers only
  std::int64_t max = INT64_MAX;
  string_format format = string_format::any;  // strings only
};

// Why `name` is not a host name (RFC 1123 2.1, RFC 1035 2.3.1 letters,
// digits and inner hyphens; labels 1..63 octets, at most 253 in all), or
// empty when it is one. Pure.
std::string host_name_problem(std::string_view name);

// Every runtime setting Posta knows, in display order.
std::vector<definition> const& definitions();
definition const* find_definition(std::string_view key);
std::string_view kind_name(kind k);
inline bool is_secret(definition const& d) { return d.format == string_format::secret; }

// Modules above core validate the items of their list settings (e.g. the
// SMTP allow list's networks and addresses) and the values of string
// settings (e.g. relay.smarthost's host:port); app/ registers them at start-up.
using item_validator = std::function<result<void>(std::string_view item)>;
void register_item_validator(std::string key, item_validator validator);

// Checks and normalises a value for `def` (e.g. "25" for an integer is refused,
// lists must hold strings). Pure.
result<boost::json::value> validate(definition const& def, boost::json::value const& value);

class store {
 public:
  explicit store(db::pool& pool);

  // Loads the overrides; call at start-up and whenever posta_settings fires.
  asio::awaitable<result<void>> reload();
  asio::awaitable<result<void>> set(std::string const& key, boost::json::value const& value);

  boost::json::value get(std::string_view key) const;  // the value in force
  bool is_overridden(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  std::int64_t get_int(std::string_view key) const;
  std::string get_string(std::string_view key) const;
  std::vector<std::string> get_list(std::string_view key) const;

  // Called after every reload that changed something (on the reloading coroutine).
  void on_change(std::function<void()> callback);

 private:
  using snapshot = std::map<std::string, boost::json::value, std::less<>>;
  db::pool& pool_;
  std::atomic<std::shared_ptr<snapshot const>> overrides_;
  std::mutex callbacks_mutex_;
  std::vector<std::function<void()>> callbacks_;
};

inline constexpr char const* notify_channel = "posta_settings";

}  // namespace posta::settings
