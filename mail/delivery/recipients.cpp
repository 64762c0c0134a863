// Recipient lookup and expansion over the identity tables (addresses,
// accounts, aliases, groups) and per-domain catch-all addresses.
#include "mail/delivery/recipients.hpp"

#include "core/identity/names.hpp"

#include <algorithm>
#include <deque>

namespace posta::mail::delivery {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

struct lookup {
  bool local_domain = false;
  std::string address;  // what matched; empty when nothing did
  std::string kind;     // account | alias | group
  // When an account matched:
  std::int64_t account_id = 0;
  bool enabled = false;
  std::int64_t quota = 0;
  std::int64_t used = 0;
};

// One round trip: the domain, then the first of the exact address, the
// address without its +tag and the domain's catch-all, with its account.
asio::awaitable<result<lookup>> find(db::connection& c, std::string const& address) {
  auto key = lookup_key(address);
  auto domain = key.substr(key.rfind('@') + 1);
  auto untagged = without_subaddress(key);
  POSTA_CO_TRY_ASSIGN(auto r, co_await c.q(
      "WITH d AS (SELECT id, catch_all FROM domains WHERE name = $1), "
      "m AS (SELECT address, kind, 1 AS pref FROM addresses WHERE address = $2 "
      "      UNION ALL SELECT address, kind, 2 FROM addresses WHERE address = $3 "
      "      UNION ALL SELECT a.address, a.kind, 3 FROM addresses a JOIN d ON a.address = d.catch_all) "
      "SELECT d.id, m.address, m.kind, acc.id, acc.enabled, acc.quota_bytes, acc.used_bytes "
      "FROM d LEFT JOIN LATERAL (SELECT * FROM m ORDER BY pref LIMIT 1) m ON true "
      "LEFT JOIN accounts acc ON acc.address = m.address",
      domain, key, untagged));
  lookup out;
  if (r.empty()) co_return out;
  out.local_domain = true;
  if (r.is_null(0, 1)) co_return out;
  out.address = r.str(0, 1);
  out.kind = r.str(0, 2);
  if (!r.is_null(0, 3)) {
    out.account_id = r.i64(0, 3);
    out.enabled = r.boolean(0, 4);
    out.quota = r.i64(0, 5);
    out.used = r.i64(0, 6);
  }
  co_return out;
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

asio::awaitable<result<rcpt_check>> resolver::check(std::string address) {
  POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_.acquire());
  POSTA_CO_TRY_ASSIGN(auto found, co_await find(*conn, address));
  if (!found.local_domain) co_return rcpt_check{rcpt_status::remote, address};
  if (found.address.empty()) co_return rcpt_check{rcpt_status::unknown, address};
  if (found.kind != "account") co_return rcpt_check{rcpt_status::local, found.address};
  if (!found.enabled) co_return rcpt_check{rcpt_status::disabled, found.address};
  auto status = found.quota > 0 && found.used >= found.quota ? rcpt_status::over_quota : rcpt_status::local;
  co_return rcpt_check{status, found.address, found.quota, found.used};
}

asio::awaitable<bool> resolver::may_send_as(std::string account, std::string address) {
  auto key = lookup_key(address);
  if (key == account) co_return true;
  auto owned = co_await pool_.q("SELECT 1 FROM alias_targets t JOIN aliases a ON a.id = t.alias_id "
                                "WHERE a.address = $1 AND t.local_address = $2",
                                key, account);
  co_return owned && !owned->empty();
}

asio::awaitable<result<expansion>> resolver::expand(db::connection& c, std::vector<std::string> const& recipients) {
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
    POSTA_CO_TRY_ASSIGN(auto found, co_await find(c, address));
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
