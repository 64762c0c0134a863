// SMTP AUTH (RFC 4954) with PLAIN (RFC 4616), LOGIN and SCRAM-SHA-256
// (RFC 5802, RFC 7677). Passwords are checked by the shared authenticator,
// which throttles failures per IP and per account.
#include "core/auth/authenticator.hpp"
#include "core/auth/sasl_plain.hpp"
#include "core/auth/scram.hpp"
#include "core/util/base64.hpp"
#include "core/util/crypto_random.hpp"
#include "mail/smtp/server/session.hpp"

namespace posta::mail::smtp::server {
namespace {
constexpr auto sasl_timeout = std::chrono::minutes(2);

proto::reply temporary_failure() { return proto::make_reply(454, "4.7.0", "Temporary authentication failure"); }
// RFC 4954 6: 535 5.7.8 is the credentials refusal clients know; the text
// says why (RFC 3463 has no code of its own for an expired password).
proto::reply password_expired() {
  return proto::make_reply(535, "5.7.8", "Password expired: change it, then log in again");
}
}  // namespace

// Sends a 334 challenge and reads the client's answer; nullopt when the
// connection failed. "*" (cancel) is returned as is.
asio::awaitable<std::optional<std::string>> session::challenge(std::string const& base64) {
  bool sent = co_await send(proto::replies::auth_challenge(base64), true);
  if (!sent) co_return std::nullopt;
  auto line = co_await reader_.read_line(sasl_timeout);
  if (!line) co_return std::nullopt;
  co_return std::string(*line);
}

proto::reply session::finish_login(bool ok, std::string const& address) {
  if (!ok) return proto::replies::auth_failed();
  authenticated_as_ = address;
  return proto::replies::auth_succeeded();
}

asio::awaitable<bool> session::act(proto::authenticate a) {
  proto::reply outcome = proto::replies::auth_mechanism_unknown();
  auto const& mech = a.auth.mechanism;
  if (mech == "PLAIN") {
    outcome = co_await sasl_plain(a.auth.initial_response);
  } else if (mech == "LOGIN") {
    outcome = co_await sasl_login(a.auth.initial_response);
  } else if (mech == "SCRAM-SHA-256") {
    outcome = co_await sasl_scram(a.auth.initial_response);
  }
  if (!stream_.is_open()) co_return false;
  bool keep_going = co_await act(machine_.on_auth_outcome(outcome));
  co_return keep_going;
}

asio::awaitable<proto::reply> session::sasl_plain(std::optional<std::string> initial) {
  std::string response;
  if (initial) {
    response = *initial == "=" ? "" : *initial;
  } else {
    auto answer = co_await challenge("");
    if (!answer) co_return proto::replies::auth_cancelled();
    response = *answer;
  }
  if (auth::is_sasl_cancel(response)) co_return proto::replies::auth_cancelled();
  auto creds = auth::decode_plain_base64(response);
  if (!creds) co_return proto::replies::syntax_error("Invalid PLAIN response");
  // SECURITY: no proxy authorisation: authzid, when given, must be the user.
  if (!creds->authzid.empty() && creds->authzid != creds->authcid) co_return proto::replies::auth_failed();
  auto r = co_await ctx_.auth.verify_password(creds->authcid, creds->password, client_ip_);
  if (r.outcome == auth::login_outcome::unavailable) co_return temporary_failure();
  if (r.outcome == auth::login_outcome::password_expired) co_return password_expired();
  co_return finish_login(r.ok(), r.address);
}

asio::awaitable<proto::reply> session::sasl_login(std::optional<std::string> initial) {
  auth::login_exchange exchange;
  if (initial && *initial != "=") {
    if (!exchange.feed(*initial)) co_return proto::replies::syntax_error("Invalid LOGIN response");
  }
  while (!exchange.challenge().empty()) {
    auto answer = co_await challenge(std::string(exchange.challenge()));
    if (!answer || auth::is_sasl_cancel(*answer)) co_return proto::replies::auth_cancelled();
    if (!exchange.feed(*answer)) co_return proto::replies::syntax_error("Invalid LOGIN response");
  }
  auto r = co_await ctx_.auth.verify_password(exchange.username(), exchange.password(), client_ip_);
  if (r.outcome == auth::login_outcome::unavailable) co_return temporary_failure();
  if (r.outcome == auth::login_outcome::password_expired) co_return password_expired();
  co_return finish_login(r.ok(), r.address);
}

asio::awaitable<proto::reply> session::sasl_scram(std::optional<std::string> initial) {
  std::string first_b64 = initial && *initial != "=" ? *initial : "";
  if (first_b64.empty()) {
    auto answer = co_await challenge("");
    if (!answer || auth::is_sasl_cancel(*answer)) co_return proto::replies::auth_cancelled();
    first_b64 = *answer;
  }
  auto first = util::base64_decode(first_b64);
  if (!first) co_return proto::replies::syntax_error("Invalid SCRAM message");
  auth::scram_server scram(auth::scram_server_options{});
  auto who = scram.start(*first);
  if (!who) co_return proto::replies::auth_failed();
  auto lookup = co_await ctx_.auth.scram_credentials_for(who->username, auth::scram_hash::sha256, client_ip_);
  auto nonce = util::random_nonce();
  if (!nonce) co_return temporary_failure();
  auto server_first = scram.server_first(lookup.credentials, *nonce);
  if (!server_first) co_return proto::replies::auth_failed();
  auto final_b64 = co_await challenge(util::base64_encode(*server_first));
  if (!final_b64 || auth::is_sasl_cancel(*final_b64)) co_return proto::replies::auth_cancelled();
  auto client_final = util::base64_decode(*final_b64);
  auto server_final = client_final ? scram.finish(*client_final) : result<std::string>(client_final.error());
  // SECURITY: RFC 5802 5.1 authzid: only the authenticated user, as PLAIN.
  bool ok = server_final.has_value() && lookup.exists && auth::is_authzid_permitted(*who, lookup.address);
  co_await ctx_.auth.record_scram_result(lookup, client_ip_, ok);
  if (!ok) co_return proto::replies::auth_failed();
  // RFC 4954 4: the server-final message goes in one more challenge, to
  // which the client answers with an empty line.
  auto ack = co_await challenge(util::base64_encode(*server_final));
  if (!ack || !ack->empty()) co_return proto::replies::auth_cancelled();
  co_return finish_login(true, lookup.address);
}

}  // namespace posta::mail::smtp::server
