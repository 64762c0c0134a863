// Settings overrides in PostgreSQL, read through an atomic snapshot so that
// every session reads settings without locks.
#include "core/settings/settings.hpp"

#include "core/db/notifier.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace posta::settings {
namespace json = boost::json;

store::store(db::pool& pool) : pool_(pool), overrides_(std::make_shared<snapshot const>()) {}

asio::awaitable<result<void>> store::reload() {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.query("SELECT key, value::text FROM settings"));
  auto next = std::make_shared<snapshot>();
  for (int i = 0; i < rows.size(); ++i) {
    auto const* def = find_definition(rows.text(i, 0));
    boost::system::error_code ec;
    auto value = json::parse(rows.text(i, 1), ec);
    if (!def || ec) continue;  // a key from a newer version, or damaged: defaults apply
    if (auto ok = validate(*def, value)) (*next)[def->key] = *ok;
  }
  auto previous = overrides_.exchange(next);
  if (*previous != *next) {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(callbacks_mutex_);
      callbacks = callbacks_;
    }
    for (auto& cb : callbacks) cb();
  }
  co_return result<void>{};
}

asio::awaitable<result<void>> store::set(std::string const& key, json::value const& value) {
  auto const* def = find_definition(key);
  if (!def) co_return make_error(errc::not_found, "setting " + key);
  POSTA_CO_TRY_ASSIGN(auto normalised, validate(*def, value));
  auto text = json::serialize(normalised);
  POSTA_CO_TRY(co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY(co_await c.q("INSERT INTO settings(key, value) VALUES ($1, $2::jsonb) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()",
                              key, text));
    co_return co_await db::notify(c, notify_channel, key);
  }));
  co_return co_await reload();
}

json::value store::get(std::string_view key) const {
  auto snap = overrides_.load();
  if (auto it = snap->find(key); it != snap->end()) return it->second;
  auto const* def = find_definition(key);
  return def ? def->default_value : json::value();
}

bool store::is_overridden(std::string_view key) const { return overrides_.load()->contains(key); }

bool store::get_bool(std::string_view key) const {
  auto v = get(key);
  return v.is_bool() && v.as_bool();
}

std::int64_t store::get_int(std::string_view key) const {
  auto v = get(key);
  return v.is_int64() ? v.as_int64() : 0;
}

std::string store::get_string(std::string_view key) const {
  auto v = get(key);
  return v.is_string() ? std::string(v.as_string()) : std::string();
}

std::vector<std::string> store::get_list(std::string_view key) const {
  std::vector<std::string> out;
  auto v = get(key);
  if (v.is_array())
    for (auto const& item : v.as_array())
      if (item.is_string()) out.emplace_back(item.as_string());
  return out;
}

void store::on_change(std::function<void()> callback) {
  std::lock_guard lock(callbacks_mutex_);
  callbacks_.push_back(std::move(callback));
}

}  // namespace posta::settings
