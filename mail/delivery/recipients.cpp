// Recipient lookup and expansion over the identity tables (addresses,
// accounts, aliases, groups) and per-domain catch-all addresses.
#include "mail/delivery/recipients.hpp"

#include "mail/delivery/rcpt_cache.hpp"

#include "core/db/arrays.hpp"
#include "core/identity/names.hpp"
#include "core/util/ascii.hpp"

#include <algorithm>
#include <deque>

namespace posta::mail::delivery {
namespace {

std::string lower(std::string_view s) { return util::ascii_lowercase(s); }

using lookup = address_lookup;

lookup from_row(db::rows const& r, int i, int first) {
  lookup out;
  if (r.is_null(i, first)) return out;
  out.local_domain = true;
  if (r.is_null(i, first + 1)) return out;
  out.address = r.str(i, first + 1);
  out.kind = r.str(i, first + 2);
  if (!r.is_null(i, first + 3)) {
    out.account_id = r.i64(i, first + 3);
    out.enabled = r.boolean(i, first + 4);
    out.quota = r.i64(i, first + 5);
    out.used = r.i64(i, first + 6);
  }
  return out;
}

// The domain, then the first of the exact address, the address without its
// +tag and the domain's catch-all, with its account: for each input row.
constexpr char const* lookup_sql =
    "SELECT i.n, d.id, m.address, m.kind, acc.id, acc.enabled, acc.quota_bytes, acc.used_bytes "
    "FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS i(domain, key, untagged, n) "
    "LEFT JOIN domains d ON d.name = i.domain "
    "LEFT JOIN LATERAL (SELECT x.address, x.kind FROM ("
    "  SELECT address, kind, 1 AS pref FROM addresses WHERE address = i.key "
    "  UNION ALL SELECT address, kind, 2 FROM addresses WHERE address = i.untagged "
    "  UNION ALL SELECT address, kind, 3 FROM addresses WHERE address = d.catch_all) x "
    "  ORDER BY x.pref LIMIT 1) m ON d.id IS NOT NULL "
    "LEFT JOIN accounts acc ON acc.address = m.address";

asio::awaitable<result<std::vector<lookup>>> find_all(db::connection& c, std::vector<std::string> const& addresses) {
  std::vector<std::string> domains, keys, untagged;
  for (auto const& a : addresses) {
    auto key = lookup_key(a);
    domains.push_back(key.substr(key.rfind('@') + 1));
    untagged.push_back(without_subaddress(key));
    keys.push_back(std::move(key));
  }
  std::vector<lookup> out(addresses.size());
  if (addresses.empty()) co_return out;
  POSTA_CO_TRY_ASSIGN(auto r, co_await c.q(lookup_sql, db::text_array(domains), db::text_array(keys),
                                           db::text_array(untagged)));
  for (int i = 0; i < r.size(); ++i) {
    auto n = static_cast<std::size_t>(r.i64(i, 0));
    if (n >= 1 && n <= out.size()) out[n - 1] = from_row(r, i, 1);
  }
  co_return out;
}

lookup const* cached_lookup(lookup_cache const* known, std::string const& address) {
  if (!known) return nullptr;
  auto it = known->find(address);
  return it == known->end() ? nullptr : &it->second;
}

asio::awaitable<result<lookup>> find(db::connection& c, std::string const& address) {
  std::vector<std::string> one(1, address);
  POSTA_CO_TRY_ASSIGN(auto found, co_await find_all(c, one));
  co_return found.front();
}

}  // namespace

// The domain in its stored A-label form (an SMTPUTF8 client may send
// U-labels), the local part lowercased (ASCII letters only; UTF-8 stays).
std::string lookup_key(std::string_view address) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return lower(address);
  auto domain = identity::normalise_domain(address.substr(at + 1));
  return lower(address.substr(0, at)) + "@" + (domain ? *domain : lower(address.substr(at + 1)));
}

std::string without_subaddress(std::string_view address) {
  auto at = address.rfind('@');
  auto plus = address.find('+');
  if (at == std::string_view::npos || plus == std::string_view::npos || plus > at || plus == 0) return {};
  return std::string(address.substr(0, plus)) + std::string(address.substr(at));
}

resolver::resolver(db::pool& pool) : pool_(pool), cache_(std::make_unique<rcpt_cache>()) {}
resolver::~resolver() = default;

void resolver::set_cache_seconds(std::int64_t seconds) { cache_->set_ttl(std::chrono::seconds(seconds)); }
void resolver::forget_cached() { cache_->clear(); }

asio::awaitable<result<rcpt_check>> resolver::check(std::string address) {
  auto key = lookup_key(address);
  auto now = rcpt_cache::clock::now();
  if (auto cached = cache_->find(key, now)) {
    // Remote and unknown addresses are answered as given, like a fresh look-up.
    if (cached->status == rcpt_status::remote || cached->status == rcpt_status::unknown) cached->resolved = address;
    co_return *cached;
  }
  POSTA_CO_TRY_ASSIGN(auto found, co_await look_up(address));
  cache_->remember(std::move(key), found, now);
  co_return found;
}

asio::awaitable<result<rcpt_check>> resolver::look_up(std::string const& address) {
  POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_.acquire());
  POSTA_CO_TRY_ASSIGN(auto found, co_await find(*conn, address));
  if (!found.local_domain) co_return rcpt_check{rcpt_status::remote, address};
  if (found.address.empty()) co_return rcpt_check{rcpt_status::unknown, address};
  if (found.kind != "account") co_return rcpt_check{rcpt_status::local, found.address};
  if (!found.enabled) co_return rcpt_check{rcpt_status::disabled, found.address};
  auto status = found.quota > 0 && found.used >= found.quota ? rcpt_status::over_quota : rcpt_status::local;
  co_return rcpt_check{status, found.address, found.quota, found.used};
}

asio::awaitable<result<bool>> resolver::may_send_as(std::string account, std::string address) {
  auto key = lookup_key(address);
  if (key == account) co_return true;
  auto owned = co_await pool_.q("SELECT 1 FROM alias_targets t JOIN aliases a ON a.id = t.alias_id "
                                "WHERE a.address = $1 AND t.local_address = $2",
                                key, account);
  if (!owned) co_return owned.error();
  co_return !owned->empty();
}

asio::awaitable<result<lookup_cache>> resolver::prefetch(db::connection& c, std::vector<std::string> const& addresses) {
  POSTA_CO_TRY_ASSIGN(auto found, co_await find_all(c, addresses));
  lookup_cache out;
  for (std::size_t i = 0; i < addresses.size(); ++i) out.emplace(addresses[i], std::move(found[i]));
  co_return out;
}

asio::awaitable<result<expansion>> resolver::expand(db::connection& c, std::vector<std::string> const& recipients,
                                                    lookup_cache const* known) {
  expansion out;
  std::set<std::string> seen;
  std::deque<std::pair<std::string, int>> todo;
  for (auto const& r : recipients) todo.emplace_back(r, 0);
  while (!todo.empty()) {
    auto [address, depth] = todo.front();
    todo.pop_front();
    if (!seen.insert(lookup_key(address)).second) continue;
    // SECURITY: alias loops and fan-out are cut here rather than refused, so
    // one bad alias cannot make every message to it fail.
    if (depth > max_expansion_depth || seen.size() > max_expanded_recipients) continue;
    lookup found;
    if (auto const* cached = cached_lookup(known, address)) {
      found = *cached;
    } else {
      POSTA_CO_TRY_ASSIGN(found, co_await find(c, address));
    }
    if (!found.local_domain) {
      out.remote.insert(address);
    } else if (found.address.empty()) {
      if (depth == 0) out.gone.push_back({address, "5.1.1"});
    } else if (found.kind == "account") {
      if (found.enabled) out.accounts.emplace(found.account_id, found.address);
      if (!found.enabled && depth == 0) out.gone.push_back({address, "5.2.1"});
    } else if (found.kind == "alias") {
      POSTA_CO_TRY_ASSIGN(auto t, co_await c.q("SELECT t.target FROM alias_targets t JOIN aliases a ON a.id = t.alias_id "
                                               "WHERE a.address = $1",
                                               found.address));
      for (int i = 0; i < t.size(); ++i) todo.emplace_back(t.str(i, 0), depth + 1);
    } else if (found.kind == "group") {
      POSTA_CO_TRY_ASSIGN(auto m, co_await c.q("SELECT a.id, a.address FROM group_members gm "
                                               "JOIN groups g ON g.id = gm.group_id JOIN accounts a ON a.id = gm.account_id "
                                               "WHERE g.address = $1 AND a.enabled",
                                               found.address));
      for (int i = 0; i < m.size(); ++i) out.accounts.emplace(m.i64(i, 0), m.str(i, 1));
    }
  }
  co_return out;
}

}  // namespace posta::mail::delivery
