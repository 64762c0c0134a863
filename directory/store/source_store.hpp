// Directory sources in PostgreSQL (schema/022): their settings, the sealed
// password of the service account, and where each one's sync stands.
#pragma once

#include "core/db/pool.hpp"
#include "core/util/crypto_secret_box.hpp"
#include "directory/store/source_config.hpp"

#include <optional>
#include <string>
#include <vector>

namespace posta::directory::store {

struct sync_status {
  std::string status = "never";  // never | ok | failed | stopped
  std::string message;
  std::optional<std::string> started_at, finished_at;
  std::string counts_json = "{}";
  std::string cookies_json;  // RFC 4533 cookies per base DN ("" before the first incremental pass)
};

struct source_row {
  std::int64_t id = 0;
  std::string name;
  source_config config;
  bool enabled = true;
  bool has_password = false;
  std::string created_at;
  sync_status sync;
  std::int64_t accounts = 0;  // linked to it
};

class source_store {
 public:
  source_store(db::pool& pool, std::string_view server_secret);

  asio::awaitable<result<source_row>> create(std::string name, source_config config,
                                             std::optional<std::string> password);
  asio::awaitable<result<std::vector<source_row>>> list();
  asio::awaitable<result<source_row>> get(std::string name);
  // What a login needs of a source (its settings, whether it is enabled):
  // one row, without the counts and sync state of get().
  struct login_view {
    bool enabled = false;
    source_config config;
  };
  asio::awaitable<result<login_view>> for_login(std::int64_t id);
  // nullopt leaves a value as it is; a password of "" removes it.
  asio::awaitable<result<source_row>> update(std::string name, source_config config,
                                             std::optional<std::string> password, std::optional<bool> enabled);
  // The accounts it leaves behind stay, unlinked and disabled; returns how many.
  asio::awaitable<result<std::int64_t>> remove(std::string name);

  // SECURITY: the service account's password, opened only to bind.
  result<std::string> bind_password(std::string const& name, std::string const& sealed) const;
  asio::awaitable<result<std::string>> sealed_password(std::int64_t id);

  asio::awaitable<result<void>> record_start(std::int64_t id);
  asio::awaitable<result<std::string>> cookie(std::int64_t id);  // "" when none
  asio::awaitable<result<void>> record_end(std::int64_t id, std::string status, std::string message,
                                           std::string counts_json);

  db::pool& pool() const { return pool_; }

 private:
  db::pool& pool_;
  util::secret_box box_;
};

}  // namespace posta::directory::store
