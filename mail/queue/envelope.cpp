#include "mail/queue/envelope.hpp"

#include "mail/delivery/bounce.hpp"

namespace posta::mail::queue {
namespace {

namespace sp = smtp::proto;

sp::path_options stored(sp::path_role role) { return {role, /*allow_utf8=*/true}; }

std::optional<sp::dsn_notify> notify_of(std::optional<std::string> const& text) {
  auto f = delivery::parse_notify(text);
  if (!f) return std::nullopt;
  return sp::dsn_notify{f->never, f->success, f->failure, f->delay};
}

// "rfc822;user@example.org" (the address xtext-decoded already).
std::optional<sp::original_recipient> orcpt_of(std::optional<std::string> const& text) {
  if (!text) return std::nullopt;
  auto semi = text->find(';');
  if (semi == std::string::npos || semi == 0) return std::nullopt;
  return sp::original_recipient{text->substr(0, semi), text->substr(semi + 1)};
}

}  // namespace

envelope envelope_of(outbound_transaction const& t, smtp::client::body_source* body) {
  envelope out;
  auto const& m = t.message();
  out.message.body = body;
  if (!m.sender.empty()) {
    auto sender = sp::parse_mailbox(m.sender, stored(sp::path_role::reverse));
    if (!sender) {
      out.sender_refused = sender.error();
      return out;
    }
    out.message.sender.mailbox = std::move(*sender);
  }
  if (m.ret) out.message.params.ret = *m.ret == "FULL" ? sp::dsn_return::full : sp::dsn_return::headers;
  out.message.params.envid = m.envid;
  out.message.params.smtputf8 = m.smtputf8;
  if (m.body_type == "8BITMIME") out.message.params.body = sp::body_type::eight_bit_mime;
  if (m.body_type == "BINARYMIME") out.message.params.body = sp::body_type::binary_mime;
  for (std::size_t i = 0; i < t.recipients.size(); ++i) {
    auto const& r = t.recipients[i];
    auto to = sp::parse_mailbox(r.recipient, stored(sp::path_role::forward));
    if (!to) {
      out.refused.emplace_back(i, to.error());
      continue;
    }
    smtp::client::proto::envelope_recipient e;
    e.forward_path.mailbox = std::move(*to);
    e.params.notify = notify_of(r.notify);
    e.params.orcpt = orcpt_of(r.orcpt);
    out.message.recipients.push_back(std::move(e));
    out.sent.push_back(i);
  }
  return out;
}

}  // namespace posta::mail::queue
