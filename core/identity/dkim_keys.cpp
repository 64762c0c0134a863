// The dkim_keys table (schema/015): making, rotating and opening keys.
#include "core/identity/dkim.hpp"

#include "core/identity/names.hpp"
#include "core/journal/journal.hpp"
#include "core/net/blocking.hpp"
#include "core/util/base64.hpp"

namespace posta::identity {
namespace {

// HKDF info: the key that seals DKIM keys serves nothing else.
constexpr std::string_view box_purpose = "posta dkim private keys v1";

std::vector<std::string> selectors_of(db::rows const& r) {
  std::vector<std::string> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(r.str(i, 0));
  return out;
}

}  // namespace

dkim_keys::dkim_keys(db::pool& pool, std::string_view server_secret) : pool_(pool), box_(server_secret, box_purpose) {}

std::string dkim_keys::associated(std::string_view domain, std::string_view selector) const {
  return "dkim " + std::string(domain) + " " + std::string(selector);
}

asio::awaitable<result<util::rsa_key_pair>> dkim_keys::generate() const {
  auto make = [] { return util::generate_rsa_key_blocking(2048); };
  co_return co_await net::run_cpu(make);
}

asio::awaitable<result<std::string>> dkim_keys::add_key(db::connection& c, std::int64_t domain_id,
                                                        std::string const& domain,
                                                        util::rsa_key_pair const& pair) const {
  // The domain row's lock orders two rotations of one domain: the second
  // sees the first's selector as taken.
  POSTA_CO_TRY(co_await c.q("SELECT 1 FROM domains WHERE id = $1 FOR UPDATE", domain_id));
  POSTA_CO_TRY_ASSIGN(auto month, co_await c.q("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')"));
  POSTA_CO_TRY_ASSIGN(auto taken, co_await c.q("SELECT selector FROM dkim_keys WHERE domain_id = $1", domain_id));
  auto selector = next_dkim_selector(month.text(0, 0), selectors_of(taken));
  POSTA_CO_TRY_ASSIGN(auto sealed, box_.seal(associated(domain, selector), pair.private_pem));
  POSTA_CO_TRY(co_await c.q("UPDATE dkim_keys SET retired_at = now() WHERE domain_id = $1 AND retired_at IS NULL",
                            domain_id));
  db::bytes private_key{std::move(sealed)};  // built outside the co_await (core/util/async.hpp)
  auto const public_key = util::base64_encode(pair.public_der);
  POSTA_CO_TRY(co_await c.q("INSERT INTO dkim_keys(domain_id, selector, private_key, public_key) "
                            "VALUES ($1, $2, $3::bytea, $4)",
                            domain_id, selector, std::move(private_key), public_key));
  co_return selector;
}

asio::awaitable<result<dkim_public_key>> dkim_keys::rotate(std::string domain) const {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_domain(domain));
  POSTA_CO_TRY_ASSIGN(auto found, co_await pool_.q("SELECT id FROM domains WHERE name = $1", normal));
  if (found.empty()) co_return make_error(errc::not_found, "domain " + normal);
  auto const domain_id = found.i64(0, 0);
  POSTA_CO_TRY_ASSIGN(auto pair, co_await generate());
  std::string selector;
  POSTA_CO_TRY(co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY_ASSIGN(selector, co_await add_key(c, domain_id, normal, pair));
    co_return result<void>{};
  }));
  journal::record(journal::level::info, "dkim", "DKIM key rotated: publish the new record",
                  {{"domain", normal}, {"selector", selector}});
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT k.public_key, to_char(k.created_at AT TIME ZONE 'UTC', "
                                                  "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM dkim_keys k "
                                                  "WHERE k.domain_id = $1 AND k.selector = $2",
                                                  domain_id, selector));
  if (rows.empty()) co_return make_error(errc::not_found, "DKIM key " + selector + " of " + normal);
  co_return dkim_public_key{selector, rows.str(0, 0), rows.str(0, 1)};
}

asio::awaitable<result<std::optional<dkim_signing_key>>> dkim_keys::signing_key(std::string domain) const {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT k.selector, k.private_key FROM dkim_keys k "
                                                  "JOIN domains d ON d.id = k.domain_id "
                                                  "WHERE d.name = $1 AND k.retired_at IS NULL",
                                                  domain));
  if (rows.empty()) co_return std::optional<dkim_signing_key>();
  dkim_signing_key key;
  key.domain = std::move(domain);
  key.selector = rows.str(0, 0);
  POSTA_CO_TRY_ASSIGN(key.private_key_pem, box_.open(associated(key.domain, key.selector), rows.bytes(0, 1)));
  co_return std::optional<dkim_signing_key>(std::move(key));
}

}  // namespace posta::identity
