// Sender and recipient policy: deny/allow lists, rate limits, submission
// sender ownership, recipient validation, quota and relay control.
#include "mail/delivery/recipients.hpp"
#include "mail/smtp/policy/lists.hpp"
#include "mail/smtp/policy/rate_limiter.hpp"
#include "mail/smtp/server/session.hpp"

#include "core/settings/settings.hpp"

namespace posta::mail::smtp::server {
namespace {

proto::reply denied(std::string_view why) { return proto::make_reply(554, "5.7.1", why); }

}  // namespace

// SECURITY: the only ways to relay: an authenticated session, or a client in
// smtp.trusted_networks (empty by default: not even loopback is trusted).
bool session::may_relay() const {
  if (!authenticated_as_.empty()) return true;
  return ctx_.lists.current()->trusted.matches_ip(stream_.remote_endpoint().address());
}

asio::awaitable<proto::reply> session::sender_policy(proto::mail_cmd const& mail) {
  auto ip = stream_.remote_endpoint().address();
  std::string sender = mail.reverse_path.is_null() ? "" : proto::to_string(*mail.reverse_path.mailbox);
  auto lists = ctx_.lists.current();
  bool allowed = lists->allow.matches(ip, sender);
  if (!allowed && lists->deny.matches(ip, sender))
    co_return denied("Access denied by the server's policy");
  auto limit = ctx_.settings.get_int("smtp.max_messages_per_ip_per_minute");
  if (!allowed && !ctx_.rate.try_take(policy::rate_key(ip), static_cast<std::uint64_t>(limit),
                                      std::chrono::steady_clock::now()))
    co_return proto::make_reply(451, "4.7.1", "Too many messages from your address; try again later");
  if (!authenticated_as_.empty()) {
    // SECURITY: an authenticated user (on any port) may only use their own
    // addresses; a failed lookup is transient, not a refusal.
    if (sender.empty()) co_return proto::make_reply(553, "5.7.1", "Sender address not owned by " + authenticated_as_);
    auto owned = co_await ctx_.resolver.may_send_as(authenticated_as_, sender);
    if (!owned) co_return proto::make_reply(451, "4.3.0", "Cannot check the sender address now; try again later");
    if (!*owned) co_return proto::make_reply(553, "5.7.1", "Sender address not owned by " + authenticated_as_);
  }
  co_return proto::replies::sender_ok();
}

// RFC 1870 SIZE against the account's room (with the quota grace): a
// message announced too big for a mailbox is refused at RCPT, before its
// data is sent, rather than accepted and bounced.
bool session::fits_declared_size(delivery::rcpt_check const& check) const {
  auto const& declared = machine_.current_envelope().mail.params.size;
  if (!declared || check.quota <= 0) return true;
  auto grace = ctx_.settings.get_int("mail.quota_grace_percent");
  auto limit = static_cast<long double>(check.quota) * (100 + grace) / 100;
  return static_cast<long double>(check.used) + static_cast<long double>(*declared) <= limit;
}

// RFC 5321 4.5.1 and RFC 2142 5: "<postmaster>" without a domain, and
// postmaster@ and abuse@ of every local domain that has no such address of
// its own, reach the administrator mailbox named by mail.postmaster, with
// or without login. Without that setting they get 451 4.3.0: a temporary
// refusal that the administrator sees in the journal, rather than mail to
// nobody. Nullopt: not such a role address, the ordinary rules apply.
asio::awaitable<std::optional<proto::reply>> session::role_policy(proto::address const& mbox,
                                                                  std::string const& address) {
  std::string local = mbox.local_part;
  for (char& c : local)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (!mbox.domain.empty()) {
    if (local != "postmaster" && local != "abuse") co_return std::nullopt;
    auto own = co_await ctx_.resolver.check(address);
    if (!own) co_return proto::replies::local_error();
    if (own->status != delivery::rcpt_status::unknown) co_return std::nullopt;  // its own mailbox, or not ours
  }
  auto target = ctx_.settings.get_string("mail.postmaster");
  if (target.empty())
    co_return proto::make_reply(451, "4.3.0", "<" + address + ">: no postmaster mailbox is configured; try again later");
  auto found = co_await ctx_.resolver.check(target);
  if (!found) co_return proto::replies::local_error();
  if (found->status == delivery::rcpt_status::over_quota)
    co_return proto::make_reply(452, "4.2.2", "<" + address + ">: Mailbox full");
  if (found->status != delivery::rcpt_status::local)
    co_return proto::make_reply(451, "4.3.0", "<" + address + ">: the postmaster mailbox is not available; try again later");
  if (!fits_declared_size(*found)) co_return proto::make_reply(552, "5.2.2", "<" + address + ">: Mailbox full");
  role_targets_[address] = target;
  co_return proto::replies::recipient_ok();
}

asio::awaitable<proto::reply> session::recipient_policy(proto::rcpt_cmd const& rcpt) {
  auto const& path = rcpt.forward_path;
  if (!path.mailbox) co_return proto::replies::syntax_error("Recipient address required");
  auto const& mbox = *path.mailbox;
  if (mbox.is_address_literal()) co_return denied("Address literals are not accepted as recipients");
  auto address = proto::to_string(mbox);
  auto role = co_await role_policy(mbox, address);
  if (role) co_return *role;
  auto check = co_await ctx_.resolver.check(address);
  // A database error is transient (451); only an address the database layer
  // refused as unstorable is a decision about it.
  if (!check && check.error().code == make_error_code(errc::invalid_argument))
    co_return proto::make_reply(553, "5.1.3", "<" + address + ">: Recipient address cannot be stored");
  if (!check) co_return proto::replies::local_error();
  switch (check->status) {
    case delivery::rcpt_status::local:
      if (!fits_declared_size(*check)) co_return proto::make_reply(552, "5.2.2", "<" + address + ">: Mailbox full");
      co_return proto::replies::recipient_ok();
    case delivery::rcpt_status::unknown:
      co_return proto::make_reply(550, "5.1.1", "<" + address + ">: Recipient address rejected: no such user");
    case delivery::rcpt_status::over_quota:
      co_return proto::make_reply(452, "4.2.2", "<" + address + ">: Mailbox full");
    case delivery::rcpt_status::disabled:
      co_return proto::make_reply(550, "5.2.1", "<" + address + ">: Mailbox disabled");
    case delivery::rcpt_status::remote:
      // SECURITY: `user%other@ours` and quoted `"a@b"@ours` never get here:
      // they are our domain, so they are looked up as local and are unknown.
      if (!may_relay()) co_return denied("<" + address + ">: Relay access denied");
      co_return proto::replies::recipient_ok();
  }
  co_return proto::replies::local_error();
}

}  // namespace posta::mail::smtp::server
