// RFC 6121 Appendix A: the subscription states and their transitions for
// stanzas a user sends (A.2) and receives (A.3), with pre-approval (3.4).
#include "jabber/proto/subscription.hpp"

#include "jabber/proto/xml_escape.hpp"

#include <array>

namespace posta::jabber::proto {
namespace {

constexpr std::array<std::string_view, 4> names = {"subscribe", "subscribed", "unsubscribe", "unsubscribed"};

bool has_to(subscription s) {
  return s == subscription::to || s == subscription::both;
}
bool has_from(subscription s) {
  return s == subscription::from || s == subscription::both;
}

subscription make(bool to, bool from) {
  if (to && from) return subscription::both;
  if (to) return subscription::to;
  return from ? subscription::from : subscription::none;
}

subscription_state with(subscription_state s, bool to, bool from) {
  s.sub = make(to, from);
  return s;
}

// A.2.1, A.2.2: the user asks for, or cancels, the contact's presence.
outbound_step outbound_subscribe(subscription_state s, bool subscribe) {
  auto next = s;
  if (subscribe) {
    next.pending_out = !has_to(s.sub);
  } else {
    next.pending_out = false;
    next = with(next, false, has_from(s.sub));
  }
  return {next, true};
}

// A.2.3, A.2.4 and 3.4: the user grants, denies or revokes the contact's
// subscription; granting what was not asked for is a pre-approval.
outbound_step outbound_subscribed(subscription_state s, bool grant) {
  auto next = s;
  if (grant) {
    if (has_from(s.sub)) return {s, false};
    if (!s.pending_in) {
      next.approved = true;  // 3.4: kept, not routed
      return {next, false};
    }
    next.pending_in = false;
    next.approved = false;
    return {with(next, has_to(s.sub), true), true};
  }
  next.approved = false;
  if (!s.pending_in && !has_from(s.sub)) return {next, false};
  next.pending_in = false;
  return {with(next, has_to(s.sub), false), true};
}

// A.3.1 and 3.4: the contact asks for the user's presence.
inbound_step inbound_subscribe(subscription_state s) {
  if (has_from(s.sub)) return {s, false, true};
  if (s.approved) {
    auto next = with(s, has_to(s.sub), true);
    next.approved = false;
    return {next, false, true};
  }
  if (s.pending_in) return {s, false, false};  // already waiting: not delivered twice
  auto next = s;
  next.pending_in = true;
  return {next, true, false};
}

// A.3.2: the contact cancels its subscription (or its request).
inbound_step inbound_unsubscribe(subscription_state s) {
  if (!s.pending_in && !has_from(s.sub)) return {s, false, false};
  auto next = s;
  next.pending_in = false;
  return {with(next, has_to(s.sub), false), true, false};
}

// A.3.3, A.3.4: the contact answers (or revokes) the user's subscription.
inbound_step inbound_subscribed(subscription_state s, bool granted) {
  auto next = s;
  if (granted) {
    if (!s.pending_out) return {s, false, false};
    next.pending_out = false;
    return {with(next, true, has_from(s.sub)), true, false};
  }
  if (!s.pending_out && !has_to(s.sub)) return {s, false, false};
  next.pending_out = false;
  return {with(next, false, has_from(s.sub)), true, false};
}

}  // namespace

std::optional<subscription_stanza> parse_subscription_stanza(std::string_view presence_type) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == presence_type) return static_cast<subscription_stanza>(i);
  return std::nullopt;
}

std::string_view subscription_stanza_name(subscription_stanza s) {
  return names[static_cast<std::size_t>(s)];
}

outbound_step on_outbound(subscription_state s, subscription_stanza what) {
  switch (what) {
    case subscription_stanza::subscribe:
      return outbound_subscribe(s, true);
    case subscription_stanza::unsubscribe:
      return outbound_subscribe(s, false);
    case subscription_stanza::subscribed:
      return outbound_subscribed(s, true);
    case subscription_stanza::unsubscribed:
      return outbound_subscribed(s, false);
  }
  return {s, false};
}

inbound_step on_inbound(subscription_state s, subscription_stanza what) {
  switch (what) {
    case subscription_stanza::subscribe:
      return inbound_subscribe(s);
    case subscription_stanza::unsubscribe:
      return inbound_unsubscribe(s);
    case subscription_stanza::subscribed:
      return inbound_subscribed(s, true);
    case subscription_stanza::unsubscribed:
      return inbound_subscribed(s, false);
  }
  return {s, false, false};
}

std::string format_presence(std::string_view from, std::string_view to, std::string_view type) {
  std::string out = "<presence from='";
  append_escaped(out, from);
  if (!to.empty()) {
    out += "' to='";
    append_escaped(out, to);
  }
  if (!type.empty()) {
    out += "' type='";
    append_escaped(out, type);
  }
  return out + "'/>";
}

bool has_state(subscription_state const& s) {
  return s.sub != subscription::none || s.pending_out || s.pending_in || s.approved;
}

}  // namespace posta::jabber::proto
