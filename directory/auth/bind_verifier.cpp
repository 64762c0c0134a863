#include "directory/auth/bind_verifier.hpp"

#include "core/auth/password_hash.hpp"
#include "core/journal/journal.hpp"
#include "core/net/blocking.hpp"
#include "core/util/crypto_hash.hpp"
#include "core/util/crypto_random.hpp"
#include "directory/proto/bind_refusal.hpp"
#include "directory/proto/mapping.hpp"

#include <chrono>

namespace posta::directory::auth {
namespace {

using posta::auth::directory_answer;

constexpr int ldap_invalid_credentials = 49;

// LDAP result codes (RFC 4511 4.1.9) that mean "try later", not "no".
bool is_temporary(int code) {
  return code == 51 /* busy */ || code == 52 /* unavailable */ || code == 3 /* timeLimitExceeded */ ||
         code == 80 /* other */;
}

struct bind_outcome {
  ldap::bind_answer answer;
  proto::account_state state = proto::account_state::enabled;
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Binds as the user on a pooled connection (a fresh one when the pooled one
// has gone stale), then reads the entry's own state attributes, which the
// directory may not enforce itself (slapd ignores userAccountControl).
// `name` is what the bind sends (the DN, or AD's UPN); `dn` is where the
// state attributes are read (a stale DN finds nothing: AD enforces its own
// disabled state with data 533 anyway).
result<bind_outcome> bind_blocking(bind_pool& pool, std::int64_t source_id, std::string const& stamp,
                                   ldap::server_options const& server, std::string const& name, std::string const& dn,
                                   std::string const& password) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto conn = pool.take(source_id, stamp);
    if (!conn) conn = POSTA_TRY(ldap::connection::open_blocking(server, "", ""));
    auto answer = conn->bind_blocking(name, password);
    if (!answer) {
      if (attempt == 0) continue;  // a pooled connection the server closed: once more, fresh
      return answer.error();
    }
    bind_outcome out{*answer, proto::account_state::enabled};
    if (answer->ok()) {
      ldap::search_request own;
      own.base = dn;
      own.where = ldap::scope::base;
      own.attributes = proto::state_attribute_names();
      own.page_size = 0;
      own.max_entries = 1;
      if (auto entries = conn->search_all_blocking(own); entries && !entries->empty())
        out.state = proto::entry_state(entries->front(), unix_now());
    }
    pool.give_back(source_id, stamp, std::move(conn));
    return out;
  }
  return make_error(errc::unavailable, "directory bind");
}

}  // namespace

static std::string random_key() {
  auto key = util::random_bytes(32);
  return key ? *key : std::string();  // empty: no shortcut, every login checks the verifier
}

// SECURITY: bounds the in-memory digests (one per account that logged in).
constexpr std::size_t max_remembered = 200'000;

bind_verifier::bind_verifier(store::source_store& sources, settings::store const& settings)
    : sources_(sources), settings_(settings), digest_key_(random_key()) {}

bool bind_verifier::is_remembered(std::int64_t account_id, std::string const& digest) {
  std::lock_guard lock(remembered_mutex_);
  auto it = remembered_.find(account_id);
  return it != remembered_.end() && util::constant_time_equal(it->second, digest);
}

void bind_verifier::note_remembered(std::int64_t account_id, std::string digest) {
  std::lock_guard lock(remembered_mutex_);
  if (remembered_.size() >= max_remembered) remembered_.clear();
  remembered_[account_id] = std::move(digest);
}

std::unique_ptr<ldap::connection> bind_pool::take(std::int64_t source_id, std::string const& stamp) {
  std::vector<std::unique_ptr<ldap::connection>> outdated;  // closed after the lock is released
  std::lock_guard lock(mutex_);
  auto& idle = idle_[source_id];
  if (idle.stamp != stamp) {
    outdated.swap(idle.connections);
    idle.stamp = stamp;
  }
  if (idle.connections.empty()) return nullptr;
  auto c = std::move(idle.connections.back());
  idle.connections.pop_back();
  return c;
}

void bind_pool::give_back(std::int64_t source_id, std::string const& stamp, std::unique_ptr<ldap::connection> c) {
  std::lock_guard lock(mutex_);
  auto& idle = idle_[source_id];
  if (idle.stamp == stamp && idle.connections.size() < max_idle) idle.connections.push_back(std::move(c));
  // Otherwise `c` (one too many, or made for settings changed since) is
  // closed when this returns, after the lock is released.
}

asio::awaitable<result<directory_answer>> bind_verifier::verify(identity::credentials const& account,
                                                                std::string const& password) {
  // SECURITY: an empty simple bind is an anonymous bind (RFC 4513 5.1.2),
  // which a directory accepts: never send one for a user.
  if (password.empty()) co_return directory_answer::wrong_password;
  auto const hours = settings_.get_int("directory.cached_login_hours");
  // The verifier comes back only while it may still be used (fresh: it was
  // confirmed within the last hour, so a login need not write again). The
  // source's state and the stamp of its settings come in the same read.
  POSTA_CO_TRY_ASSIGN(
      auto link, co_await sources_.pool().q("SELECT a.directory_source_id, coalesce(a.directory_dn, ''), "
                                            "CASE WHEN a.directory_verified_at > now() - make_interval(hours => $2::int) "
                                            "THEN a.directory_verifier END, "
                                            "coalesce(a.directory_verified_at > now() - interval '1 hour', false), "
                                            "coalesce(a.directory_attributes->>'upn', ''), "
                                            "coalesce(s.enabled, false), coalesce(s.updated_at::text, '') "
                                            "FROM accounts a LEFT JOIN directory_sources s ON s.id = a.directory_source_id "
                                            "WHERE a.id = $1",
                                            account.account_id, hours));
  if (link.empty() || link.text(0, 0).empty() || link.text(0, 1).empty()) co_return directory_answer::refused;
  auto const source_id = link.i64(0, 0);
  auto const dn = link.str(0, 1);
  auto const verifier = link.opt(0, 2);
  bool const fresh = link.boolean(0, 3);
  auto const upn = link.str(0, 4);
  if (!link.boolean(0, 5)) co_return directory_answer::refused;  // a disabled (or removed) source
  auto const stamp = link.str(0, 6);
  POSTA_CO_TRY_ASSIGN(auto config, co_await settings_of(source_id, stamp));
  auto const server = config.server();
  // AD binds by userPrincipalName when the entry has one: a DN renamed or
  // moved since the last sync would answer 52e to the right password.
  auto const& name = config.attributes().bind_name == "upn" && !upn.empty() ? upn : dn;
  auto outcome =
      co_await net::run_blocking([&] { return bind_blocking(pool_, source_id, stamp, server, name, dn, password); });
  if (!outcome) co_return co_await fall_back(account.address, password, verifier, outcome.error());
  auto const& answer = outcome->answer;
  if (answer.ok()) {
    if (outcome->state != proto::account_state::enabled) {
      journal::record(journal::level::info, "directory", "directory login refused",
                      {{"account", account.address}, {"reason", std::string(proto::name(outcome->state))}});
      co_return directory_answer::refused;
    }
    co_await remember(account.account_id, password, verifier, fresh);
    co_return directory_answer::accepted;
  }
  if (is_temporary(answer.code)) {
    auto const why = make_error(errc::unavailable, "directory bind: LDAP result " + std::to_string(answer.code));
    co_return co_await fall_back(account.address, password, verifier, why);
  }
  if (answer.code != ldap_invalid_credentials) co_return directory_answer::refused;
  // AD names its reason in the diagnostic message (data 52e, 533, 775 …).
  // SECURITY: AD answers 533 (disabled) whatever the password, so such a
  // refusal is the directory's own disclosure, not ours.
  auto const refusal = proto::parse_ad_diagnostic(answer.diagnostic);
  if (!refusal || proto::is_credential_failure(*refusal)) co_return directory_answer::wrong_password;
  journal::record(journal::level::info, "directory", "directory login refused",
                  {{"account", account.address}, {"reason", std::string(proto::describe(*refusal))}});
  // AD says 532/773 only to the right password (52e otherwise): the user
  // may be told to change it.
  if (proto::is_password_change_needed(*refusal)) co_return directory_answer::password_expired;
  co_return directory_answer::refused;
}

// The source's settings as of `stamp` (its updated_at, read with the
// account): parsed once per change of the settings, not once per login.
asio::awaitable<result<store::source_config>> bind_verifier::settings_of(std::int64_t source_id,
                                                                        std::string const& stamp) {
  {
    std::lock_guard lock(settings_mutex_);
    if (auto it = settings_cache_.find(source_id); it != settings_cache_.end() && it->second.stamp == stamp)
      co_return it->second.config;
  }
  POSTA_CO_TRY_ASSIGN(auto source, co_await sources_.for_login(source_id));
  // Read after the stamp: at worst newer than it, so the next login reads again.
  std::lock_guard lock(settings_mutex_);
  // SECURITY: one entry per source; sources are few, but bound it anyway.
  if (settings_cache_.size() >= max_cached_sources) settings_cache_.clear();
  settings_cache_[source_id] = cached_settings{stamp, source.config};
  co_return source.config;
}

// DURABILITY: only a verifier of a password the directory accepted is
// written; a failed write just means no offline login for this password.
asio::awaitable<void> bind_verifier::remember(std::int64_t account_id, std::string password,
                                              std::optional<std::string> verifier, bool fresh) {
  if (settings_.get_int("directory.cached_login_hours") == 0) co_return;
  auto digest = util::hmac(util::hash_algorithm::sha256, digest_key_, password);
  if (fresh && verifier && !digest_key_.empty() && is_remembered(account_id, digest)) co_return;
  if (verifier) {
    auto const& phc = *verifier;
    auto same = co_await net::run_cpu([&] { return posta::auth::verify_password_blocking(password, phc); });
    if (same && *same) {
      if (!fresh)
        co_await sources_.pool().q("UPDATE accounts SET directory_verified_at = now() WHERE id = $1", account_id);
      note_remembered(account_id, std::move(digest));
      co_return;
    }
  }
  auto hashed = co_await net::run_cpu([&] { return posta::auth::hash_password_blocking(password); });
  if (!hashed) co_return;
  auto const phc = *hashed;
  auto stored = co_await sources_.pool().q(
      "UPDATE accounts SET directory_verifier = $2, directory_verified_at = now() WHERE id = $1 AND enabled",
      account_id, phc);
  if (stored && stored->affected() == 1) note_remembered(account_id, std::move(digest));
}

// The directory could not be asked: the password it last accepted logs in;
// anything else fails as temporary (never as a wrong password).
asio::awaitable<result<directory_answer>> bind_verifier::fall_back(std::string const& address,
                                                                   std::string const& password,
                                                                   std::optional<std::string> const& verifier,
                                                                   error const& why) {
  if (!verifier) co_return why;
  auto const& phc = *verifier;
  auto same = co_await net::run_cpu([&] { return posta::auth::verify_password_blocking(password, phc); });
  if (!same) co_return why;
  journal::record(journal::level::warning, "directory",
                  "directory unreachable: login checked against the cached verifier",
                  {{"account", address}, {"error", why.message()}, {"accepted", *same}});
  // Another password may be a new one the directory knows: temporary, too.
  if (!*same) co_return why;
  co_return directory_answer::accepted;
}

}  // namespace posta::directory::auth
