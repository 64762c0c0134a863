// Password checks with throttling. Every failure path costs the same kind of
// work and says the same thing to the client, so logins reveal nothing about
// which accounts exist.
#include "core/auth/authenticator.hpp"

#include "core/auth/password_hash.hpp"
#include "core/identity/names.hpp"
#include "core/journal/journal.hpp"
#include "core/net/blocking.hpp"
#include "core/net/connection_limiter.hpp"
#include "core/settings/settings.hpp"

#include <boost/json/parse.hpp>

namespace posta::auth {
namespace {

using clock = std::chrono::steady_clock;

login_throttle_params params_from(settings::store const& s) {
  login_throttle_params p;
  p.max_failures_per_ip = static_cast<std::uint32_t>(s.get_int("auth.max_failures_per_ip"));
  p.max_failures_per_account = static_cast<std::uint32_t>(s.get_int("auth.max_failures_per_account"));
  p.window = std::chrono::seconds(s.get_int("auth.failure_window_seconds"));
  p.lockout = std::chrono::seconds(s.get_int("auth.lockout_seconds"));
  return p;
}

// The stored keys of one hash, or nullopt when absent or damaged (a damaged
// row then fails like a wrong password instead of throwing).
std::optional<scram_credentials> stored_scram(std::string const& json, scram_hash hash) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  char const* key = hash == scram_hash::sha1 ? "sha1" : "sha256";
  auto const* root = ec ? nullptr : v.if_object();
  auto const* entry = root ? root->if_contains(key) : nullptr;
  auto const* o = entry ? entry->if_object() : nullptr;
  if (!o) return std::nullopt;
  auto text = [&](char const* k) -> std::optional<std::string> {
    auto const* f = o->if_contains(k);
    if (!f || !f->is_string()) return std::nullopt;
    return std::string(f->get_string());
  };
  auto const* iterations = o->if_contains("iterations");
  auto salt = text("salt"), stored = text("stored_key"), server = text("server_key");
  if (!salt || !stored || !server || !iterations || !iterations->is_int64()) return std::nullopt;
  return scram_credentials{hash, *salt, static_cast<std::uint32_t>(iterations->get_int64()), *stored, *server};
}

// SECURITY: failures are counted per IPv4 address and per IPv6 /64, since one
// host usually owns a whole /64 (the same key as the connection limits).
std::string throttle_key(std::string const& ip) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(ip, ec);
  return ec ? ip : net::connection_limiter::counting_key(address).to_string();
}

}  // namespace

authenticator::authenticator(identity::store& identity, settings::store const& settings, std::string scram_secret)
    : identity_(identity), settings_(settings), scram_secret_(std::move(scram_secret)),
      throttle_(std::make_shared<login_throttle>(params_from(settings))) {}

void authenticator::apply_settings() {
  auto fresh = std::make_shared<login_throttle>(params_from(settings_));
  std::lock_guard lock(mutex_);
  throttle_ = fresh;
}

std::shared_ptr<login_throttle> authenticator::throttle() const {
  std::lock_guard lock(mutex_);
  return throttle_;
}

void authenticator::set_directory_verifier(std::shared_ptr<directory_verifier> verifier) {
  std::lock_guard lock(mutex_);
  directory_ = std::move(verifier);
}

result<std::string> authenticator::normalise(std::string const& login) const {
  return identity::normalise_login(login, settings_.get_string("auth.default_domain"));
}

asio::awaitable<login_result> authenticator::verify_password(std::string login, std::string password, std::string ip) {
  auto source = throttle_key(ip);
  auto t = throttle();
  auto address = normalise(login);
  std::string key = address ? *address : login;
  // SECURITY: a locked-out IP or account gets no password check at all.
  if (!t->check(source, key, clock::now()).allowed) co_return login_result{login_outcome::throttled, key};
  auto fail = [&](login_outcome why) {
    t->record_failure(source, key, clock::now());
    journal::record(journal::level::warning, "auth", "login failed", {{"login", key}, {"client_ip", ip}});
    return login_result{why, key};
  };
  if (!address) co_return fail(login_outcome::bad_credentials);
  auto found = co_await identity_.find_credentials(*address);
  if (!found) co_return login_result{login_outcome::unavailable, key};
  if (!*found) {
    // Unknown account: spend the same argon2 time as a real check.
    co_await net::run_cpu([&] { return hash_password_blocking(password); });
    co_return fail(login_outcome::bad_credentials);
  }
  auto const& account = **found;
  result<bool> verified = false;
  std::shared_ptr<directory_verifier> directory;
  {
    std::lock_guard lock(mutex_);
    directory = directory_;
  }
  if (account.source == "directory" && directory) {
    verified = co_await directory->verify(account, password);
  } else if (account.password_hash) {
    auto const& phc = *account.password_hash;
    verified = co_await net::run_cpu([&] { return verify_password_blocking(password, phc); });
  }
  if (!verified) co_return login_result{login_outcome::unavailable, key};
  if (!*verified) co_return fail(login_outcome::bad_credentials);
  // SECURITY: a disabled account is refused only after a correct password,
  // so the answer does not reveal the state of accounts to guessers.
  if (!account.enabled) co_return fail(login_outcome::disabled);
  t->record_success(key);
  co_return login_result{login_outcome::ok, account.address};
}

asio::awaitable<scram_lookup> authenticator::scram_credentials_for(std::string login, scram_hash hash, std::string ip) {
  auto address = normalise(login);
  std::string key = address ? *address : login;
  scram_lookup out{fake_scram_credentials(key, scram_secret_, hash), key, false};
  if (!address || !throttle()->check(throttle_key(ip), key, clock::now()).allowed) co_return out;
  auto found = co_await identity_.find_credentials(*address);
  if (!found || !*found || !(*found)->enabled || (*found)->source != "local") co_return out;
  if (auto stored = stored_scram((*found)->scram_json, hash)) {
    out.credentials = *stored;
    out.address = (*found)->address;
    out.exists = true;
  }
  co_return out;
}

void authenticator::record_scram_result(scram_lookup const& who, std::string const& ip, bool ok) {
  if (ok && who.exists) {
    throttle()->record_success(who.address);
    return;
  }
  throttle()->record_failure(throttle_key(ip), who.address, clock::now());
  journal::record(journal::level::warning, "auth", "login failed", {{"login", who.address}, {"client_ip", ip}});
}

}  // namespace posta::auth
