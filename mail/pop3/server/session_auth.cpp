// POP3 logins: USER/PASS (RFC 1939 7) and AUTH PLAIN (RFC 5034, RFC 4616),
// checked by the shared authenticator (default domain, throttling per IP and
// account, disabled accounts refused); then the maildrop lock and the INBOX
// snapshot of RFC 1939 4.
#include "core/auth/authenticator.hpp"
#include "core/auth/sasl_plain.hpp"
#include "core/journal/journal.hpp"
#include "core/settings/settings.hpp"
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
    case auth::login_outcome::password_expired:
      co_return proto::login_verdict::expired;  // the password was right: no oracle
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

// RFC 1939 4: the lock first, then the snapshot; a lock held by another
// session (on any node) is -ERR [IN-USE] and the session stays in
// AUTHORIZATION. Trouble with either is -ERR [SYS/TEMP].
asio::awaitable<bool> session::act(proto::open_maildrop) {
  auto lock = co_await ctx_.locks.try_acquire(authenticated_as_, client_ip_);
  proto::send_reply outcome;
  if (!lock) {
    journal::record(journal::level::error, std::string(listener_name(kind_)), "maildrop not locked",
                    {{"client_ip", client_ip_}, {"user", authenticated_as_}, {"error", lock.error().message()}});
    outcome = machine_.on_maildrop_failed();
  } else if (!*lock) {
    journal::record(journal::level::info, std::string(listener_name(kind_)), "maildrop in use",
                    {{"client_ip", client_ip_}, {"user", authenticated_as_}});
    outcome = machine_.on_maildrop_in_use();
  } else {
    lock_ = std::move(**lock);
    bool keep_going = co_await open_locked_maildrop();
    co_return keep_going;
  }
  bool keep_going = co_await act(std::move(outcome));
  co_return keep_going;
}

asio::awaitable<bool> session::open_locked_maildrop() {
  // SECURITY: pop3.max_messages bounds the session's maildrop (16 bytes a
  // message here, one scan line each in LIST/UIDL). The oldest are offered:
  // a client that deletes what it fetched gets the next ones next time.
  auto const max_messages = static_cast<std::size_t>(ctx_.settings.get_int("pop3.max_messages"));
  auto box = co_await ctx_.maildrops.open(lock_->account_id(), max_messages);
  proto::send_reply outcome;
  if (!box) {
    journal::record(journal::level::error, std::string(listener_name(kind_)), "maildrop not opened",
                    {{"client_ip", client_ip_}, {"user", authenticated_as_}, {"error", box.error().message()}});
    outcome = machine_.on_maildrop_failed();  // closes: act() releases the lock first
  } else {
    // Said at each such login: why a client sees fewer messages than INBOX holds.
    if (box->total > static_cast<std::int64_t>(box->messages.size()))
      journal::record(journal::level::info, std::string(listener_name(kind_)),
                      "maildrop bounded by pop3.max_messages",
                      {{"client_ip", client_ip_}, {"user", authenticated_as_}, {"offered", box->messages.size()},
                       {"in_inbox", box->total}});
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
