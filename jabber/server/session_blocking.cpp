// XEP-0191 blocking command: the blocklist get (3.2), block (3.3), unblock
// and unblock all (3.4, 3.5) with pushes to the account's resources that
// retrieved the list, presence withdrawn from (and given back to) the
// contacts concerned, and the check every routed stanza passes: nothing
// from a JID the recipient blocked, nothing to a JID the sender blocked.
// Lists are read from the router's blocklist_cache; the database only on a
// miss and on a change.
#include "core/journal/journal.hpp"
#include "core/settings/settings.hpp"
#include "core/util/crypto_random.hpp"
#include "jabber/proto/iq_replies.hpp"
#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/subscription.hpp"
#include "jabber/server/router.hpp"
#include "jabber/server/session.hpp"
#include "jabber/store/blocklist_store.hpp"
#include "jabber/store/roster_store.hpp"
#include "jabber/store/subscriptions.hpp"
#include "jabber/xml/error_tags.hpp"
#include "jabber/xml/jid.hpp"

namespace posta::jabber::server {
namespace {

// The items of a <block/> or <unblock/>, as sent.
proto::block_request read_block_request(gloox::Tag const& payload) {
  proto::block_request req;
  req.action = payload.name() == "block" ? proto::block_action::block : proto::block_action::unblock;
  for (auto* item : payload.children()) {
    if (item->name() != "item" || item->xmlns() != proto::ns::blocking) continue;
    if (!item->hasAttribute("jid"))
      req.item_without_jid = true;
    else
      req.jids.push_back(item->findAttribute("jid"));
  }
  return req;
}

std::string_view local_of(std::string_view bare) {
  auto const at = bare.find('@');
  return at == std::string_view::npos ? std::string_view() : bare.substr(0, at);
}

std::string_view domain_of(std::string_view bare) {
  auto const at = bare.find('@');
  return at == std::string_view::npos ? bare : bare.substr(at + 1);
}

}  // namespace

asio::awaitable<void> session::on_blocking(gloox::Tag& iq, gloox::Tag& payload) {
  bool const get = iq.findAttribute("type") == "get";
  auto const& name = payload.name();
  bool const fits = get ? name == "blocklist" : (name == "block" || name == "unblock");
  if (!fits) co_return reply_error(iq, proto::stanza_condition::bad_request);
  if (!get) co_return co_await block_or_unblock(iq, payload);
  auto list = co_await blocklist_of(account_);
  if (!list) co_return reply_error(iq, proto::stanza_condition::internal_server_error);
  // 3.2: this resource asked, so it is owed the pushes from now on.
  ctx_.routes.blocklists().set_interested(account_, resource_, outbox_);
  push(proto::format_iq_result(iq.findAttribute("id"), full_jid_, {}, proto::format_blocklist(*list)));
}

asio::awaitable<void> session::block_or_unblock(gloox::Tag& iq, gloox::Tag& payload) {
  auto req = read_block_request(payload);
  auto const max = ctx_.settings.get_int("xmpp.max_blocklist_items");
  auto const checked = proto::check_block_request(req, static_cast<std::size_t>(max));
  if (checked == proto::block_request_error::bad_request)
    co_return reply_error(iq, proto::stanza_condition::bad_request);
  // COMPAT(slixmpp 1.8 and other RFC 3920-era clients): a full list is
  // not-acceptable with a text; they do not know RFC 6120's policy-violation.
  if (checked == proto::block_request_error::too_many)
    co_return reply_error(iq, proto::stanza_condition::not_acceptable, "blocklist full");
  std::vector<std::string> jids;
  for (auto const& text : req.jids) {
    auto jid = xml::parse_jid(text);
    if (!jid) co_return reply_error(iq, proto::stanza_condition::jid_malformed);
    jids.push_back(jid->full());
  }
  // Unblock all (an empty <unblock/>): the list as it was, for the presence owed to each entry.
  auto before = co_await blocklist_of(account_);
  if (!before) co_return reply_error(iq, proto::stanza_condition::internal_server_error);
  auto& pool = ctx_.rosters.pool();
  result<store::block_outcome> done = store::block_outcome::done;
  if (req.action == proto::block_action::block) {
    done = co_await store::block_jids(pool, account_, jids, max);
  } else {
    auto removed = co_await store::unblock_jids(pool, account_, jids);
    if (!removed) done = removed.error();
  }
  if (!done || *done == store::block_outcome::no_account) {
    journal::record(journal::level::error, std::string(listener_name(kind_)), "blocklist storage failed",
                    {{"user", account_}, {"detail", done ? "no account" : done.error().message()}});
    co_return reply_error(iq, proto::stanza_condition::internal_server_error);
  }
  if (*done == store::block_outcome::full)
    co_return reply_error(iq, proto::stanza_condition::not_acceptable, "blocklist full");
  // DURABILITY: committed; only now is the change routed by and told.
  ctx_.routes.blocklists().apply(account_, req.action, jids);
  push(proto::format_iq_result(iq.findAttribute("id"), full_jid_, {}));
  // 3.3-3.5: every resource that retrieved the list learns the change.
  for (auto const& [resource, box] : ctx_.routes.blocklists().interested(account_)) {
    auto id = util::random_token(6);
    auto bytes =
        proto::format_block_push("block-" + (id ? *id : stream_id_), account_ + "/" + resource, req.action, jids);
    if (box == outbox_)
      push(std::move(bytes));
    else
      box->deliver(std::move(bytes));
  }
  if (req.action == proto::block_action::unblock && jids.empty()) jids.assign(before->begin(), before->end());
  co_await presence_after_block(req.action, jids);
}

// 3.3: a contact that saw the user's presence is sent unavailable from each
// available resource; on unblock it gets the current presence again, and
// the user the contact's, as a probe would have brought it (RFC 6121 4.3).
asio::awaitable<void> session::presence_after_block(proto::block_action action, std::vector<std::string> const& jids) {
  proto::blocklist changed(jids.begin(), jids.end());
  bool const blocked = action == proto::block_action::block;
  auto mine = ctx_.routes.available_resources(account_);
  if (blocked)
    std::erase_if(directed_, [&](std::string const& target) {
      auto jid = xml::parse_jid(target);
      if (!jid || !proto::is_blocked(changed, jid->username(), jid->server(), jid->resource())) return false;
      directed_presence_end(target, proto::format_presence(full_jid_, target, "unavailable"));
      return true;
    });
  auto contacts = co_await store::subscribed_contacts(ctx_.rosters.pool(), account_);
  if (!contacts) co_return;
  auto const my_presences = ctx_.routes.presences(account_);
  for (auto const& c : *contacts) {
    auto const local = local_of(c.jid), domain = domain_of(c.jid);
    if (!blocked && proto::receives_presence_from({c.sub}) && proto::is_blocked(changed, local, domain, {})) {
      auto theirs = co_await blocklist_of(c.jid);
      bool const they_block = !theirs || proto::is_blocked(*theirs, local_of(account_), domain_of(account_), resource_);
      if (!they_block)
        for (auto const& p : ctx_.routes.presences(c.jid))
          for (auto const& [r, box] : mine) box->deliver(p);
    }
    if (!proto::sends_presence_to({c.sub})) continue;
    for (auto const& [resource, box] : ctx_.routes.available_resources(c.jid)) {
      if (!proto::is_blocked(changed, local, domain, resource)) continue;
      if (blocked) {
        auto const to = c.jid + "/" + resource;
        for (auto const& [r, _] : mine) box->deliver(proto::format_presence(account_ + "/" + r, to, "unavailable"));
      } else {
        for (auto const& p : my_presences) box->deliver(p);
      }
    }
  }
}

// A presence broadcast to one contact: to its available resources that
// neither side blocked (3.4, 3.5).
asio::awaitable<void> session::presence_to_contact(std::string const& contact, std::string const& bytes,
                                                   blocklist_ptr const& mine) {
  auto targets = ctx_.routes.available_resources(contact);
  if (targets.empty()) co_return;
  auto theirs = co_await blocklist_of(contact);
  if (!theirs || proto::is_blocked(*theirs, local_of(account_), domain_of(account_), resource_)) co_return;
  auto const local = local_of(contact), domain = domain_of(contact);
  for (auto const& [resource, box] : targets)
    if (!proto::is_blocked(*mine, local, domain, resource)) box->deliver(bytes);
}

// Whether the contact's presence reaches this session (a probe's answer,
// RFC 6121 4.3.2): not when either side blocked the other's bare JID or
// domain. COMPAT: an item naming one resource of the contact leaves this
// answer alone; the contact's later broadcasts are filtered by resource.
asio::awaitable<bool> session::sees_presence_of(std::string const& contact, blocklist_ptr const& mine) {
  if (blocks_bare_jid(*mine, contact)) co_return false;
  auto theirs = co_await blocklist_of(contact);
  co_return theirs && !proto::is_blocked(*theirs, local_of(account_), domain_of(account_), resource_);
}

bool session::blocks_bare_jid(proto::blocklist const& list, std::string const& bare) {
  return proto::is_blocked(list, local_of(bare), domain_of(bare), {});
}

auto session::blocklist_of(std::string const& account) -> asio::awaitable<blocklist_ptr> {
  auto& cache = ctx_.routes.blocklists();
  if (auto hit = cache.find(account)) co_return hit;
  auto const read_at = cache.generation();
  auto loaded = co_await store::load_blocklist(ctx_.rosters.pool(), account);
  if (!loaded) {
    journal::record(journal::level::error, std::string(listener_name(kind_)), "blocklist unavailable",
                    {{"user", account}, {"detail", loaded.error().message()}});
    co_return nullptr;
  }
  co_return cache.offer(account, std::move(*loaded), read_at);
}

// Both lists, from the cache: the sender's for `target` (3.5), and the
// target account's for the sender's full JID (3.4). A domain or another
// server has no list here.
auto session::check_blocking(gloox::JID const& target) -> asio::awaitable<block_verdict> {
  if (target.bare() == account_) co_return block_verdict::open;
  auto mine = co_await blocklist_of(account_);
  if (!mine) co_return block_verdict::unknown;
  if (proto::is_blocked(*mine, target.username(), target.server(), target.resource()))
    co_return block_verdict::blocked_by_user;
  if (target.username().empty()) co_return block_verdict::open;
  auto theirs = co_await blocklist_of(target.bare());
  if (!theirs) co_return block_verdict::unknown;
  if (proto::is_blocked(*theirs, local_of(account_), domain_of(account_), resource_))
    co_return block_verdict::blocked_by_contact;
  co_return block_verdict::open;
}

void session::refuse_blocked(gloox::Tag const& stanza, block_verdict v) {
  auto const& type = stanza.findAttribute("type");
  auto const& name = stanza.name();
  // RFC 6120 8.3.1: errors and IQ results are never answered.
  if (type == "error" || type == "result") return;
  if (v == block_verdict::unknown) return reply_error(stanza, proto::stanza_condition::internal_server_error);
  if (v == block_verdict::blocked_by_contact) {
    // 3.4: presence is dropped without a word; the user looks offline.
    if (name != "presence") reply_error(stanza, proto::stanza_condition::service_unavailable);
    return;
  }
  // 3.5: the user is told why, with the blocking error child.
  auto reply = xml::make_error_reply(stanza, proto::make_stanza_error(proto::stanza_condition::not_acceptable));
  if (auto* error = reply->findChild("error")) {
    auto* blocked = new gloox::Tag(error, "blocked");
    blocked->setXmlns(std::string(proto::ns::blocking_errors));
  }
  push(reply->xml());
}

}  // namespace posta::jabber::server
