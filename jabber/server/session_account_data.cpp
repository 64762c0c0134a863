// IQs the server answers for an account from what it stores for it:
// vCard-temp (XEP-0054 3.1-3.3: one's own and another local account's, by
// bare JID), private XML storage (XEP-0049 3, one's own only) and last
// activity (XEP-0012 3: the server's uptime; 4: an account's last
// unavailable time, for those subscribed to its presence). The XEP-0191
// blocking IQs are dispatched from here to session_blocking.cpp.
#include "core/journal/journal.hpp"
#include "core/settings/settings.hpp"
#include "core/util/base64.hpp"
#include "jabber/proto/iq_replies.hpp"
#include "jabber/proto/last_activity.hpp"
#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/private_xml.hpp"
#include "jabber/proto/subscription.hpp"
#include "jabber/proto/vcard.hpp"
#include "jabber/server/router.hpp"
#include "jabber/server/session.hpp"
#include "jabber/store/last_activity_store.hpp"
#include "jabber/store/private_xml_store.hpp"
#include "jabber/store/roster_store.hpp"
#include "jabber/store/vcard_store.hpp"
#include "jabber/xml/jid.hpp"

#include <chrono>

namespace posta::jabber::server {
namespace {

// XEP-0012 3: the server's uptime counts from the process start.
auto const process_started = std::chrono::steady_clock::now();

// The text of `parent`'s first child `name` in the parent's namespace.
std::string child_text(gloox::Tag const& parent, std::string_view name, bool& found) {
  for (auto* c : parent.children())
    if (c->name() == name && c->xmlns() == parent.xmlns()) {
      found = true;
      return c->cdata();
    }
  found = false;
  return {};
}

gloox::Tag const* child_named(gloox::Tag const& parent, std::string_view name) {
  for (auto* c : parent.children())
    if (c->name() == name && c->xmlns() == parent.xmlns()) return c;
  return nullptr;
}

// Only NICKNAME and PHOTO belong to the user. FN, EMAIL, JABBERID (and the
// directory's TEL, TITLE, ORG) come from identity: whatever a client sends
// for them is ignored, so a vCard cannot claim another name or address.
proto::vcard_set_request read_vcard_set(gloox::Tag const& vcard) {
  proto::vcard_set_request req;
  bool found = false;
  req.nickname = child_text(vcard, "NICKNAME", found);
  if (auto const* photo = child_named(vcard, "PHOTO")) {
    req.photo_type = child_text(*photo, "TYPE", found);
    auto const binval = child_text(*photo, "BINVAL", found);
    req.has_photo_binval = found;
    // SECURITY: the text is bounded by xmpp.max_stanza_kb; decoded, by xmpp.max_vcard_photo_kb.
    if (auto bytes = util::base64_decode(binval, util::base64_whitespace::ignore)) req.photo_bytes = std::move(*bytes);
  }
  return req;
}

std::vector<proto::private_element> private_children(gloox::Tag const& query) {
  std::vector<proto::private_element> out;
  for (auto* c : query.children()) out.push_back({c->xmlns() == query.xmlns() ? "" : c->xmlns(), c->xml()});
  return out;
}

}  // namespace

// Which IQs are these: a get or set with one of the four payloads, to no
// one, to the server, or to a bare JID (RFC 6120 10.5.4: the server
// answers for the account). Anything else goes on to on_other_iq.
asio::awaitable<bool> session::on_account_iq(gloox::Tag& iq) {
  auto const& type = iq.findAttribute("type");
  if (type != "get" && type != "set") co_return false;
  auto const& children = iq.children();
  if (children.empty()) co_return false;
  auto& payload = *children.front();
  auto const ns = payload.xmlns();
  bool const known = (ns == proto::ns::blocking) || (ns == proto::ns::vcard && payload.name() == "vCard") ||
                     ((ns == proto::ns::private_xml || ns == proto::ns::last_activity) && payload.name() == "query");
  if (!known) co_return false;
  auto const& to = iq.findAttribute("to");
  std::string target = account_;  // the account answered for; "" is the server
  if (!to.empty()) {
    auto jid = xml::parse_jid(to);
    if (!jid || !jid->resource().empty()) co_return false;
    if (jid->username().empty() && jid->server() != host_) co_return false;
    target = jid->username().empty() ? std::string() : jid->bare();
  }
  bool const own = target == account_;
  if (ns == proto::ns::blocking) {
    if (!own) co_return false;
    co_await on_blocking(iq, payload);
  } else if (ns == proto::ns::private_xml) {
    // XEP-0049 3: nobody reads or writes another user's private XML.
    if (!own && !target.empty())
      reply_error(iq, proto::stanza_condition::forbidden);
    else
      co_await on_private_xml(iq, payload);
  } else if (ns == proto::ns::last_activity) {
    if (type != "get")
      reply_error(iq, proto::stanza_condition::bad_request);
    else
      co_await on_last_activity(iq, target);
  } else {
    if (target.empty()) co_return false;  // the server has no vCard
    co_await on_vcard(iq, payload, target);
  }
  co_return true;
}

asio::awaitable<void> session::on_vcard(gloox::Tag& iq, gloox::Tag& vcard, std::string const& owner) {
  auto& pool = ctx_.rosters.pool();
  bool const own = owner == account_;
  if (iq.findAttribute("type") == "set") {
    // XEP-0054 3.2: only one's own vCard.
    if (!own) co_return reply_error(iq, proto::stanza_condition::forbidden);
    proto::vcard_limits limits;
    limits.max_photo_bytes = static_cast<std::size_t>(ctx_.settings.get_int("xmpp.max_vcard_photo_kb")) * 1024;
    auto const read = proto::read_vcard_set(read_vcard_set(vcard), limits);
    if (read.error == proto::vcard_set_error::bad_request)
      co_return reply_error(iq, proto::stanza_condition::bad_request, "PHOTO is not base64 with a MIME TYPE");
    if (read.error == proto::vcard_set_error::not_acceptable)
      co_return reply_error(iq, proto::stanza_condition::not_acceptable, "vCard field too large");
    auto saved = co_await store::save_vcard(pool, account_, read.fields);
    if (!saved || !*saved) {
      journal::record(journal::level::error, std::string(listener_name(kind_)), "vCard storage failed",
                      {{"user", account_}, {"detail", saved ? "no account" : saved.error().message()}});
      co_return reply_error(iq, proto::stanza_condition::internal_server_error);
    }
    // DURABILITY: committed before the result.
    co_return push(proto::format_iq_result(iq.findAttribute("id"), full_jid_, {}));
  }
  if (auto jid = xml::parse_jid(owner); jid && !own) {
    auto const verdict = co_await check_blocking(*jid);
    if (verdict != block_verdict::open) co_return refuse_blocked(iq, verdict);
  }
  auto card = co_await store::load_vcard(pool, owner);
  if (!card) co_return reply_error(iq, proto::stanza_condition::internal_server_error);
  // RFC 6121 8.5.1: no such account.
  if (!*card) co_return reply_error(iq, proto::stanza_condition::service_unavailable);
  push(proto::format_iq_result(iq.findAttribute("id"), full_jid_, iq.findAttribute("to"), proto::format_vcard(**card)));
}

asio::awaitable<void> session::on_private_xml(gloox::Tag& iq, gloox::Tag& query) {
  auto const children = private_children(query);
  auto& pool = ctx_.rosters.pool();
  if (iq.findAttribute("type") == "get") {
    if (proto::check_private_get(children) != proto::private_request_error::none)
      co_return reply_error(iq, proto::stanza_condition::not_acceptable);
    auto stored = co_await store::load_private_xml(pool, account_, children.front().ns);
    if (!stored) co_return reply_error(iq, proto::stanza_condition::internal_server_error);
    // Nothing stored: the empty element comes back as it was asked for.
    auto const& fragment = *stored ? **stored : children.front().xml;
    co_return push(
        proto::format_iq_result(iq.findAttribute("id"), full_jid_, {}, proto::format_private_query(fragment)));
  }
  if (proto::check_private_set(children) != proto::private_request_error::none)
    co_return reply_error(iq, proto::stanza_condition::not_acceptable);
  store::private_xml_limits limits;
  limits.max_namespaces = ctx_.settings.get_int("xmpp.max_private_namespaces");
  limits.max_bytes = ctx_.settings.get_int("xmpp.max_private_kb") * 1024;
  auto stored = co_await store::store_private_xml(pool, account_, proto::group_by_namespace(children), limits);
  if (!stored || *stored == store::private_xml_outcome::no_account) {
    journal::record(journal::level::error, std::string(listener_name(kind_)), "private XML storage failed",
                    {{"user", account_}, {"detail", stored ? "no account" : stored.error().message()}});
    co_return reply_error(iq, proto::stanza_condition::internal_server_error);
  }
  // COMPAT: not-acceptable, as for a full blocklist (session_blocking.cpp).
  if (*stored == store::private_xml_outcome::full)
    co_return reply_error(iq, proto::stanza_condition::not_acceptable, "private XML storage full");
  // DURABILITY: committed before the result.
  push(proto::format_iq_result(iq.findAttribute("id"), full_jid_, {}));
}

asio::awaitable<void> session::on_last_activity(gloox::Tag& iq, std::string const& contact) {
  auto const& id = iq.findAttribute("id");
  auto const& to = iq.findAttribute("to");
  if (contact.empty()) {
    auto const up =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - process_started);
    co_return push(proto::format_iq_result(id, full_jid_, to, proto::format_last_activity(up.count())));
  }
  if (auto jid = xml::parse_jid(contact); jid && contact != account_) {
    auto const verdict = co_await check_blocking(*jid);
    if (verdict != block_verdict::open) co_return refuse_blocked(iq, verdict);
  }
  auto last = co_await store::load_last_activity(ctx_.rosters.pool(), account_, contact);
  if (!last) co_return reply_error(iq, proto::stanza_condition::internal_server_error);
  if (!*last) co_return reply_error(iq, proto::stanza_condition::service_unavailable);  // RFC 6121 8.5.1
  // XEP-0012 4: only for those allowed to see the contact's presence.
  if (contact != account_ && !proto::receives_presence_from({(*last)->asker_sub}))
    co_return reply_error(iq, proto::stanza_condition::forbidden);
  // 4: a contact with an available resource is active now.
  if (!ctx_.routes.available(contact).empty())
    co_return push(proto::format_iq_result(id, full_jid_, to, proto::format_last_activity(0)));
  if (!(*last)->seconds) co_return reply_error(iq, proto::stanza_condition::item_not_found);
  push(proto::format_iq_result(id, full_jid_, to, proto::format_last_activity(*(*last)->seconds, (*last)->status)));
}

// XEP-0012 4: kept when the account's last available resource goes.
asio::awaitable<void> session::note_unavailable(std::string const& status) {
  if (!ctx_.routes.available(account_).empty()) co_return;
  auto recorded = co_await store::record_unavailable(ctx_.rosters.pool(), account_, status);
  if (!recorded)
    journal::record(journal::level::warning, std::string(listener_name(kind_)), "last activity not recorded",
                    {{"user", account_}, {"detail", recorded.error().message()}});
}

}  // namespace posta::jabber::server
