#include "directory/store/source_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace posta::directory::store {
namespace {

constexpr char const* select_sources =
    "SELECT s.id, s.name, s.config::text, s.enabled, s.bind_password IS NOT NULL, "
    "to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "coalesce(st.last_status, 'never'), coalesce(st.last_message, ''), "
    "to_char(st.last_started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(st.last_finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "coalesce(st.last_counts::text, '{}'), "
    "(SELECT count(*) FROM accounts a WHERE a.directory_source_id = s.id), "
    "coalesce(convert_from(st.cookie, 'UTF8'), '') "
    "FROM directory_sources s LEFT JOIN directory_sync_state st ON st.source_id = s.id ";

std::string associated(std::string const& name) {
  return "directory-bind " + name;
}

result<source_config> stored_config(std::string_view text) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(text, ec);
  if (ec || !doc.is_object()) return make_error(errc::internal, "directory source: stored config");
  return read_source_config(doc.as_object(), {}, false);
}

result<source_row> row_from(db::rows const& r, int i) {
  source_row s;
  s.id = r.i64(i, 0);
  s.name = r.str(i, 1);
  s.config = POSTA_TRY(stored_config(r.text(i, 2)));
  s.enabled = r.boolean(i, 3);
  s.has_password = r.boolean(i, 4);
  s.created_at = r.str(i, 5);
  s.sync = {r.str(i, 6), r.str(i, 7), r.opt(i, 8), r.opt(i, 9), r.str(i, 10)};
  s.accounts = r.i64(i, 11);
  s.sync.cookies_json = r.str(i, 12);
  return s;
}

result<void> check_name(std::string const& name) {
  bool ok = !name.empty() && name.size() <= 63;
  for (std::size_t i = 0; ok && i < name.size(); ++i) {
    char const c = name[i];
    ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '-' || c == '_'));
  }
  if (!ok)
    return make_error(
        errc::invalid_argument,
        "source name '" + name + "': lowercase letters, digits, - and _ (up to 63), not starting with - or _");
  return {};
}

}  // namespace

source_store::source_store(db::pool& pool, std::string_view server_secret)
    : pool_(pool), box_(server_secret, "posta directory bind password") {}

asio::awaitable<result<source_row>> source_store::create(std::string name, source_config config,
                                                         std::optional<std::string> password) {
  POSTA_CO_TRY(check_name(name));
  db::param sealed;
  if (password && !password->empty()) {
    POSTA_CO_TRY_ASSIGN(auto box, box_.seal(associated(name), *password));
    sealed = db::to_param(db::bytes{std::move(box)});
  }
  auto const text = boost::json::serialize(to_json(config));
  auto args = db::make_params(name, text, sealed);
  auto inserted = co_await pool_.query(
      "INSERT INTO directory_sources(name, config, bind_password) VALUES ($1, $2::jsonb, $3::bytea) "
      "ON CONFLICT (name) DO NOTHING RETURNING id",
      std::move(args));
  if (!inserted) co_return inserted.error();
  if (inserted->empty()) co_return make_error(errc::already_exists, "directory source " + name);
  co_return co_await get(name);
}

asio::awaitable<result<std::vector<source_row>>> source_store::list() {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.query(std::string(select_sources) + "ORDER BY s.name"));
  std::vector<source_row> out;
  for (int i = 0; i < rows.size(); ++i) {
    POSTA_CO_TRY_ASSIGN(auto row, row_from(rows, i));
    out.push_back(std::move(row));
  }
  co_return out;
}

asio::awaitable<result<source_row>> source_store::get(std::string name) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q(std::string(select_sources) + "WHERE s.name = $1", name));
  if (rows.empty()) co_return make_error(errc::not_found, "directory source " + name);
  co_return row_from(rows, 0);
}

asio::awaitable<result<source_store::login_view>> source_store::for_login(std::int64_t id) {
  POSTA_CO_TRY_ASSIGN(auto rows,
                      co_await pool_.q("SELECT enabled, config::text FROM directory_sources WHERE id = $1", id));
  if (rows.empty()) co_return make_error(errc::not_found, "directory source " + std::to_string(id));
  POSTA_CO_TRY_ASSIGN(auto config, stored_config(rows.text(0, 1)));
  co_return login_view{rows.boolean(0, 0), std::move(config)};
}

asio::awaitable<result<source_row>> source_store::update(std::string name, source_config config,
                                                         std::optional<std::string> password,
                                                         std::optional<bool> enabled) {
  db::param sealed;
  bool const change_password = password.has_value();
  if (password && !password->empty()) {
    POSTA_CO_TRY_ASSIGN(auto box, box_.seal(associated(name), *password));
    sealed = db::to_param(db::bytes{std::move(box)});
  }
  auto const text = boost::json::serialize(to_json(config));
  auto args = db::make_params(name, text, change_password, sealed, enabled);
  POSTA_CO_TRY_ASSIGN(
      auto updated, co_await pool_.query("UPDATE directory_sources SET config = $2::jsonb, "
                                         "bind_password = CASE WHEN $3::boolean THEN $4::bytea ELSE bind_password END, "
                                         "enabled = coalesce($5::boolean, enabled), updated_at = now() "
                                         "WHERE name = $1",
                                         std::move(args)));
  if (updated.affected() == 0) co_return make_error(errc::not_found, "directory source " + name);
  // New settings (a filter, a mapping, managed domains) must be applied to
  // every entry: the next pass is a full one.
  POSTA_CO_TRY(
      co_await pool_.q("UPDATE directory_sync_state SET cookie = NULL WHERE source_id = "
                       "(SELECT id FROM directory_sources WHERE name = $1)",
                       name));
  co_return co_await get(name);
}

asio::awaitable<result<std::int64_t>> source_store::remove(std::string name) {
  std::int64_t detached = 0;
  POSTA_CO_TRY(co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY_ASSIGN(auto found, co_await c.q("SELECT id FROM directory_sources WHERE name = $1 FOR UPDATE", name));
    if (found.empty()) co_return make_error(errc::not_found, "directory source " + name);
    auto const id = found.i64(0, 0);
    // SECURITY: an account whose directory is gone has no way to check a
    // password any more; it stays, disabled, until an administrator decides.
    POSTA_CO_TRY_ASSIGN(auto left, co_await c.q("UPDATE accounts SET enabled = false, directory_verifier = NULL, "
                                                "updated_at = now() WHERE directory_source_id = $1",
                                                id));
    detached = left.affected();
    POSTA_CO_TRY(co_await c.q("DELETE FROM directory_sources WHERE id = $1", id));
    co_return result<void>{};
  }));
  co_return detached;
}

result<std::string> source_store::bind_password(std::string const& name, std::string const& sealed) const {
  return box_.open(associated(name), sealed);
}

asio::awaitable<result<std::string>> source_store::sealed_password(std::int64_t id) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT bind_password FROM directory_sources WHERE id = $1", id));
  if (rows.empty()) co_return make_error(errc::not_found, "directory source");
  co_return rows.bytes(0, 0);
}

asio::awaitable<result<std::string>> source_store::cookie(std::int64_t id) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT convert_from(cookie, 'UTF8') FROM directory_sync_state "
                                                  "WHERE source_id = $1",
                                                  id));
  co_return rows.empty() ? std::string() : rows.str(0, 0);
}

asio::awaitable<result<void>> source_store::record_start(std::int64_t id) {
  POSTA_CO_TRY(
      co_await pool_.q("INSERT INTO directory_sync_state(source_id, last_started_at) VALUES ($1, now()) "
                       "ON CONFLICT (source_id) DO UPDATE SET last_started_at = now()",
                       id));
  co_return result<void>{};
}

asio::awaitable<result<void>> source_store::record_end(std::int64_t id, std::string status, std::string message,
                                                       std::string counts_json) {
  POSTA_CO_TRY(
      co_await pool_.q("INSERT INTO directory_sync_state(source_id, last_finished_at, last_status, "
                       "last_message, last_counts) VALUES ($1, now(), $2, $3, $4::jsonb) "
                       "ON CONFLICT (source_id) DO UPDATE SET last_finished_at = now(), last_status = $2, "
                       "last_message = $3, last_counts = $4::jsonb",
                       id, status, message, counts_json));
  co_return result<void>{};
}

}  // namespace posta::directory::store
