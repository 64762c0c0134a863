// STARTTLS (RFC 3501 6.2.1), LOGIN (6.2.3) and AUTHENTICATE (6.2.2) with
// SASL-IR (RFC 4959), PLAIN (RFC 4616) and SCRAM-SHA-256 (RFC 5802, RFC
// 7677). Passwords are checked by the shared authenticator, which applies
// the default domain, refuses disabled accounts and throttles failures.
#include "core/auth/authenticator.hpp"
#include "core/auth/sasl_plain.hpp"
#include "core/auth/scram.hpp"
#include "core/identity/store.hpp"
#include "core/journal/journal.hpp"
#include "core/util/base64.hpp"
#include "core/util/crypto_random.hpp"
#include "mail/imap/proto/response.hpp"
#include "mail/imap/server/session.hpp"

namespace posta::mail::imap::server {
namespace {
constexpr auto tls_handshake_timeout = std::chrono::seconds(30);
}  // namespace

asio::awaitable<bool> session::starttls(std::string const& tag) {
  auto tls = ctx_.tls_for(kind_);
  if (!tls || stream_.is_tls()) {
    bad(tag, "STARTTLS not available");
    co_return true;
  }
  // SECURITY: bytes pipelined after STARTTLS were sent in plaintext, maybe
  // injected by a man in the middle (CVE-2011-0411): refused, and the
  // connection ends rather than run them either before or after TLS.
  if (reader_.buffered() != 0) {
    bad(tag, "Nothing may follow STARTTLS before the TLS handshake");
    co_await flush();
    co_return false;
  }
  ok(tag, "Begin TLS negotiation now");
  bool flushed = co_await flush();
  if (!flushed) co_return false;
  auto handshake = co_await stream_.start_tls(*tls, tls_handshake_timeout);
  if (!handshake) co_return false;
  reader_ = proto::command_reader();
  apply_limits();
  co_return true;
}

// RFC 5530 response codes. Wrong password, disabled and throttled share one
// answer (no oracle); an expired password was the right one, so saying so
// tells a guesser nothing.
void session::refuse_login(std::string const& tag, auth::login_outcome why) {
  if (why == auth::login_outcome::unavailable)
    no(tag, "Temporary authentication failure, try again later", "UNAVAILABLE");
  else if (why == auth::login_outcome::password_expired)
    no(tag, "Password expired: change it, then log in again", "EXPIRED");
  else
    no(tag, "Authentication failed", "AUTHENTICATIONFAILED");
}

asio::awaitable<void> session::finish_login(std::string const& tag, std::string const& address,
                                            std::int64_t account_id) {
  if (ctx_.per_account) {
    auto slot = ctx_.per_account->try_acquire(account_id);
    if (!slot) {
      journal::record(journal::level::warning, std::string(listener_name(kind_)), "login refused: too many sessions",
                      {{"client_ip", client_ip_}, {"user", address}});
      no(tag, "Too many sessions for this account", "LIMIT");
      co_return;
    }
    account_slot_ = std::move(*slot);
  }
  account_id_ = account_id;
  user_ = address;
  state_ = proto::session_state::authenticated;
  journal::record(journal::level::info, std::string(listener_name(kind_)), "login",
                  {{"client_ip", client_ip_}, {"user", user_}, {"tls", stream_.is_tls()}});
  ok(tag, "Logged in", capabilities());
}

asio::awaitable<bool> session::on(std::string const& tag, proto::login_cmd& c) {
  if (!may_login_in_plaintext()) {
    no(tag, "LOGIN only after STARTTLS", "PRIVACYREQUIRED");
    co_return true;
  }
  auto r = co_await ctx_.auth.verify_password(c.user, c.password, client_ip_);
  if (!r.ok()) refuse_login(tag, r.outcome);
  else co_await finish_login(tag, r.address, r.account_id);
  co_return true;
}

// Sends a "+ <base64>" challenge and reads the client's answer; nullopt
// when the connection failed.
asio::awaitable<std::optional<std::string>> session::challenge(std::string const& base64) {
  send(proto::continuation(base64));
  auto line = co_await read_raw_line();
  co_return line;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::authenticate_cmd& c) {
  if (c.mechanism == "PLAIN") {
    if (!may_login_in_plaintext()) {
      no(tag, "PLAIN only after STARTTLS", "PRIVACYREQUIRED");
      co_return true;
    }
    co_await sasl_plain(tag, c.initial_response);
  } else if (c.mechanism == "SCRAM-SHA-256") {
    co_await sasl_scram(tag, c.initial_response);
  } else {
    no(tag, "Unsupported authentication mechanism", "CANNOT");
  }
  co_return stream_.is_open();
}

asio::awaitable<void> session::sasl_plain(std::string const& tag, std::optional<std::string> initial) {
  std::string response;
  if (initial) {
    response = *initial;  // "" for "=": an empty response
  } else {
    auto answer = co_await challenge("");
    if (!answer) co_return;
    response = *answer;
  }
  if (auth::is_sasl_cancel(response)) {
    bad(tag, "Authentication cancelled");
    co_return;
  }
  auto creds = auth::decode_plain_base64(response);
  if (!creds) {
    bad(tag, "Invalid PLAIN response");
    co_return;
  }
  // SECURITY: no proxy authorisation: authzid, when given, must be the user.
  if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
    refuse_login(tag, auth::login_outcome::bad_credentials);
    co_return;
  }
  auto r = co_await ctx_.auth.verify_password(creds->authcid, creds->password, client_ip_);
  if (!r.ok()) refuse_login(tag, r.outcome);
  else co_await finish_login(tag, r.address, r.account_id);
}

asio::awaitable<void> session::sasl_scram(std::string const& tag, std::optional<std::string> initial) {
  std::string first_b64 = initial ? *initial : "";
  if (first_b64.empty()) {
    auto answer = co_await challenge("");
    if (!answer) co_return;
    first_b64 = *answer;
  }
  if (auth::is_sasl_cancel(first_b64)) {
    bad(tag, "Authentication cancelled");
    co_return;
  }
  auto first = util::base64_decode(first_b64);
  if (!first) {
    bad(tag, "Invalid SCRAM message");
    co_return;
  }
  auth::scram_server scram(auth::scram_server_options{});
  auto who = scram.start(*first);
  if (!who) {
    refuse_login(tag, auth::login_outcome::bad_credentials);
    co_return;
  }
  auto lookup = co_await ctx_.auth.scram_credentials_for(who->username, auth::scram_hash::sha256, client_ip_);
  auto nonce = util::random_nonce();
  if (!nonce) {
    refuse_login(tag, auth::login_outcome::unavailable);
    co_return;
  }
  auto server_first = scram.server_first(lookup.credentials, *nonce);
  if (!server_first) {
    refuse_login(tag, auth::login_outcome::bad_credentials);
    co_return;
  }
  auto final_b64 = co_await challenge(util::base64_encode(*server_first));
  if (!final_b64) co_return;
  if (auth::is_sasl_cancel(*final_b64)) {
    bad(tag, "Authentication cancelled");
    co_return;
  }
  auto client_final = util::base64_decode(*final_b64);
  auto server_final = client_final ? scram.finish(*client_final) : result<std::string>(client_final.error());
  // SECURITY: RFC 5802 5.1 authzid: only the authenticated user, as PLAIN.
  bool ok_ = server_final.has_value() && lookup.exists && auth::is_authzid_permitted(*who, lookup.address);
  co_await ctx_.auth.record_scram_result(lookup, client_ip_, ok_);
  if (!ok_) {
    refuse_login(tag, auth::login_outcome::bad_credentials);
    co_return;
  }
  // RFC 9051 6.2.2: the server-final message may come with the tagged OK
  // (the "additional data" of SASL); a continuation is what every client
  // takes, answered with an empty line.
  auto ack = co_await challenge(util::base64_encode(*server_final));
  if (!ack) co_return;
  if (!ack->empty()) {
    bad(tag, "Authentication cancelled");
    co_return;
  }
  co_await finish_login(tag, lookup.address, lookup.account_id);
}

}  // namespace posta::mail::imap::server
