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

// The password check itself: a bind for directory accounts, argon2id for
// local ones (in the same words: what the directory would have said).
asio::awaitable<result<directory_answer>> check_password(directory_verifier* directory,
                                                         identity::credentials const& account,
                                                         std::string const& password) {
  if (account.source == "directory" && directory) {
    auto answer = co_await directory->verify(account, password);
    co_return answer;
  }
  if (!account.password_hash) co_return directory_answer::wrong_password;
  auto const& phc = *account.password_hash;
  auto same = co_await net::run_cpu([&] { return verify_password_blocking(password, phc); });
  if (!same) co_return same.error();
  co_return *same ? directory_answer::accepted : directory_answer::wrong_password;
}

}  // namespace

authenticator::authenticator(identity::store& identity, settings::store const& settings, std::string scram_secret)
    : identity_(identity), settings_(settings), scram_secret_(std::move(scram_secret)), throttle_(identity.pool()) {}

throttle_limits authenticator::limits() const {
  throttle_limits l;
  l.per_network = settings_.get_int("auth.max_failures_per_ip");
  l.per_account_network = settings_.get_int("auth.max_failures_per_account");
  l.per_account = settings_.get_int("auth.max_failures_per_account_total");
  l.window = std::chrono::seconds(settings_.get_int("auth.failure_window_seconds"));
  l.lockout = std::chrono::seconds(settings_.get_int("auth.lockout_seconds"));
  return l;
}

// SECURITY: when the throttle cannot be read the login is not let through
// unchecked: nullopt, which callers answer as a temporary failure.
asio::awaitable<std::optional<throttle_state>> authenticator::throttle_state_of(throttle_keys const& keys) {
  auto state = co_await throttle_.state(keys);
  if (!state) co_return std::nullopt;
  co_return *state;
}

asio::awaitable<void> authenticator::record_failure(throttle_keys const& keys, std::string const& ip) {
  auto recorded = co_await throttle_.record_failure(keys, limits());
  journal::record(journal::level::warning, "auth", "login failed",
                  {{"login", keys.account}, {"client_ip", ip}, {"counted", recorded.has_value()}});
}

void authenticator::set_directory_verifier(std::shared_ptr<directory_verifier> verifier) {
  std::lock_guard lock(mutex_);
  directory_ = std::move(verifier);
}

result<std::string> authenticator::normalise(std::string const& login) const {
  return identity::normalise_login(login, settings_.get_string("auth.default_domain"));
}

asio::awaitable<login_result> authenticator::verify_password(std::string login, std::string password, std::string ip) {
  auto address = normalise(login);
  std::string key = address ? *address : login;
  auto keys = make_throttle_keys(ip, key);
  // SECURITY: a locked-out network or account gets no password check at all.
  auto throttle = co_await throttle_state_of(keys);
  if (!throttle) co_return login_result{login_outcome::unavailable, key};
  if (throttle->locked) co_return login_result{login_outcome::throttled, key};
  if (!address) {
    co_await record_failure(keys, ip);
    co_return login_result{login_outcome::bad_credentials, key};
  }
  auto found = co_await identity_.find_credentials(*address);
  if (!found) co_return login_result{login_outcome::unavailable, key};
  if (!*found) {
    // Unknown account: spend the same argon2 time as a real check.
    co_await net::run_cpu([&] { return hash_password_blocking(password); });
    co_await record_failure(keys, ip);
    co_return login_result{login_outcome::bad_credentials, key};
  }
  auto const& account = **found;
  std::shared_ptr<directory_verifier> directory;
  {
    std::lock_guard lock(mutex_);
    directory = directory_;
  }
  auto answer = co_await check_password(directory.get(), account, password);
  if (!answer) co_return login_result{login_outcome::unavailable, key};
  // SECURITY: an expired password was the right one (AD checks the password
  // before it answers 532/773, with a wrong one it says 52e): telling the
  // user so reveals nothing a guesser did not already know. It is not
  // counted as a failure: a client retrying the old password until the user
  // has changed it would otherwise lock the account out from that network
  // (the directory keeps its own bad-password count, and a wrong password
  // is still counted here). Nor does it forget earlier failures: the user
  // is not in.
  if (*answer == directory_answer::password_expired && account.enabled) {
    journal::record(journal::level::info, "auth", "login refused: password expired",
                    {{"login", account.address}, {"client_ip", ip}});
    co_return login_result{login_outcome::password_expired, key};
  }
  bool const right = *answer != directory_answer::wrong_password;
  // SECURITY: a disabled account is refused only after a correct password,
  // so the answer does not reveal the state of accounts to guessers.
  if (*answer != directory_answer::accepted || !account.enabled) {
    co_await record_failure(keys, ip);
    co_return login_result{right ? login_outcome::disabled : login_outcome::bad_credentials, key};
  }
  // Most logins have no failures behind them: nothing to forget, no write.
  // (A failure recorded by a parallel attempt since the read then stays
  // until its window ends: the throttle only ever errs on the strict side.)
  if (throttle->has_account_rows) co_await throttle_.record_success(keys);
  co_return login_result{login_outcome::ok, account.address, account.account_id};
}

asio::awaitable<scram_lookup> authenticator::scram_credentials_for(std::string login, scram_hash hash, std::string ip) {
  auto address = normalise(login);
  std::string key = address ? *address : login;
  scram_lookup out{fake_scram_credentials(key, scram_secret_, hash), key, false};
  if (!address) co_return out;
  auto keys = make_throttle_keys(ip, key);
  auto throttle = co_await throttle_state_of(keys);
  if (!throttle || throttle->locked) co_return out;  // fails like a wrong password
  auto found = co_await identity_.find_credentials(*address);
  if (!found || !*found || !(*found)->enabled || (*found)->source != "local") co_return out;
  if (auto stored = stored_scram((*found)->scram_json, hash)) {
    out.credentials = *stored;
    out.address = (*found)->address;
    out.exists = true;
    out.account_id = (*found)->account_id;
  }
  co_return out;
}

asio::awaitable<void> authenticator::record_scram_result(scram_lookup who, std::string ip, bool ok) {
  auto keys = make_throttle_keys(ip, who.address);
  if (ok && who.exists) {
    co_await throttle_.record_success(keys);
    co_return;
  }
  co_await record_failure(keys, ip);
}

}  // namespace posta::auth
