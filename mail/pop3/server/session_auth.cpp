// POP3 logins: USER/PASS (RFC 1939 7) and AUTH PLAIN (RFC 5034, RFC 4616),
// checked by the shared authenticator (default domain, throttling per IP and
// account, disabled accounts refused); then the INBOX snapshot of RFC 1939 4.
#include "core/auth/authenticator.hpp"
#include "core/auth/sasl_plain.hpp"
#include "core/journal/journal.hpp"
#include "mail/pop3/server/session.hpp"

namespace posta::mail::pop3::server {

asio::awaitable<proto::login_verdict> session::verify(std::string user, std::string password) {
  auto r = co_await ctx_.auth.verify_password(std::move(user), std::move(password), client_ip_);
  switch (r.outcome) {
    case auth::login_outcome::ok:
      authenticated_as_ = r.address;
      co_return proto::login_verdict::ok;
    case auth::login_outcome::unavailable:
      co_return proto::login_verdict::unavailable;
    default:
      // Wrong password, disabled or throttled: the same answer (no oracle).
      co_return proto::login_verdict::rejected;
  }
}

asio::awaitable<bool> session::act(proto::check_password a) {
  auto verdict = co_await verify(std::move(a.user), std::move(a.password));
  auto next = machine_.on_login_outcome(verdict);
  bool keep_going = co_await perform(std::move(next));
  co_return keep_going;
}

asio::awaitable<bool> session::act(proto::check_sasl_plain a) {
  auto verdict = proto::login_verdict::rejected;
  auto creds = auth::decode_plain_base64(a.response);
  // SECURITY: no proxy authorisation: authzid, when given, must be the user.
  if (creds && (creds->authzid.empty() || creds->authzid == creds->authcid))
    verdict = co_await verify(std::move(creds->authcid), std::move(creds->password));
  auto next = machine_.on_login_outcome(verdict);
  bool keep_going = co_await perform(std::move(next));
  co_return keep_going;
}

asio::awaitable<bool> session::act(proto::open_maildrop) {
  auto box = co_await ctx_.maildrops.open(authenticated_as_);
  proto::send_reply outcome;
  if (!box) {
    journal::record(journal::level::error, std::string(listener_name(kind_)), "maildrop not opened",
                    {{"client_ip", client_ip_}, {"user", authenticated_as_}, {"error", box.error().message()}});
    outcome = machine_.on_maildrop_failed();
  } else {
    proto::maildrop drop(box->uidvalidity, std::move(box->messages));
    box->messages.clear();
    inbox_ = std::move(*box);
    journal::record(journal::level::info, std::string(listener_name(kind_)), "login",
                    {{"client_ip", client_ip_}, {"user", authenticated_as_}, {"messages", drop.size()}});
    outcome = machine_.on_maildrop_opened(std::move(drop));
  }
  bool keep_going = co_await act(std::move(outcome));
  co_return keep_going;
}

}  // namespace posta::mail::pop3::server
