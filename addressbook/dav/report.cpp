// REPORT on an address book: addressbook-multiget and addressbook-query
// (RFC 6352 8.6, 8.7) and sync-collection (RFC 6578 3), so that a client
// fetches the cards it lacks and, on the next sync, only what changed.
#include "addressbook/dav/gal.hpp"
#include "addressbook/dav/limits.hpp"
#include "addressbook/dav/properties.hpp"
#include "addressbook/dav/query_match.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace posta::addressbook::dav {
namespace {

using kind = proto::dav_target::kind;

resource card_resource(call const& c, store::book_row const& book, store::stored_card& card) {
  return {kind::card, proto::card_href(c.who.address, book.name, card.resource), book,
          store::card_meta{card.resource, card.etag}, std::move(card.vcard)};
}

// The card names of hrefs into this book; others answer 404 (RFC 6352 8.7).
std::map<std::string, std::string> names_of(call const& c, std::vector<std::string> const& hrefs) {
  std::map<std::string, std::string> out;  // name -> href as sent
  for (auto const& href : hrefs) {
    auto t = proto::parse_dav_path(href);
    bool const here = t && t->what == kind::card && t->book == c.target.book && t->address == c.target.address;
    out.emplace(here ? t->card : "\n" + href, href);  // "\n" cannot start a card name
  }
  return out;
}

asio::awaitable<http::response> multiget(call c, book_view& view, proto::multiget_report const& r) {
  auto const wanted = names_of(c, r.hrefs);
  std::vector<std::string> names;
  for (auto const& [name, href] : wanted) names.push_back(name);
  if (!view.is_gal) {
    auto cards = co_await store::load_cards(c.ctx.pool, view.book.id, names);
    if (!cards) co_return answer_for(cards.error());
    view.cards = std::move(*cards);
  }
  auto const max = max_card_bytes(c.ctx.settings);
  std::vector<proto::dav_response> out;
  std::set<std::string> found;
  for (auto& card : view.cards) {
    if (!wanted.count(card.resource)) continue;
    found.insert(card.resource);
    out.push_back(describe(c.who, card_resource(c, view.book, card), r.properties, max));
  }
  for (auto const& [name, href] : wanted)
    if (!found.count(name)) out.push_back({href, {}, 404});
  co_return multistatus(out);
}

asio::awaitable<http::response> query(call c, book_view& view, proto::query_report const& q) {
  auto const& book = view.book;
  auto const max = max_card_bytes(c.ctx.settings);
  std::vector<proto::dav_response> out;
  bool truncated = false;
  for (auto& card : view.cards) {
    auto parsed = proto::parse_vcard(card.vcard);
    if (!parsed || !matches(*parsed, q)) continue;
    if (q.limit && out.size() == *q.limit) {
      truncated = true;
      break;
    }
    out.push_back(describe(c.who, card_resource(c, book, card), q.properties, max));
  }
  // RFC 6352 8.6.1: a truncated answer says so for the request URI.
  if (truncated) out.push_back({proto::book_href(c.who.address, book.name), {}, 507});
  co_return multistatus(out);
}

// The GAL keeps no history: a sync from its current token lists nothing,
// from an empty one everything, from an older one it is refused.
http::response gal_sync(call const& c, book_view& view, proto::sync_report const& s) {
  auto const current = sync_token(0, view.book.revision);
  std::vector<proto::dav_response> out;
  if (!s.token.empty() && s.token != current) return precondition_failed(403, proto::dav_ns, "valid-sync-token");
  auto const max = max_card_bytes(c.ctx.settings);
  if (s.token.empty())
    for (auto& card : view.cards) out.push_back(describe(c.who, card_resource(c, view.book, card), s.properties, max));
  return multistatus(out, current);
}

asio::awaitable<http::response> sync(call c, book_view& view, proto::sync_report const& s) {
  if (s.infinite) co_return precondition_failed(403, proto::dav_ns, "supported-sync-level");
  if (view.is_gal) co_return gal_sync(c, view, s);
  auto const& book = view.book;
  std::int64_t since = 0;
  if (!s.token.empty()) {
    auto revision = revision_of_token(s.token, book.id);
    if (!revision) co_return precondition_failed(403, proto::dav_ns, "valid-sync-token");
    since = *revision;
  }
  auto changed = co_await store::changes_since(c.ctx.pool, book.id, since);
  if (!changed && changed.error().code == errc::invalid_argument)
    co_return precondition_failed(403, proto::dav_ns, "valid-sync-token");
  if (!changed) co_return answer_for(changed.error());
  bool const with_data = std::any_of(s.properties.listed.begin(), s.properties.listed.end(),
                                     [](auto const& p) { return p.name == "address-data"; });
  std::vector<std::string> names;
  for (auto const& m : changed->changed) names.push_back(m.resource);
  std::vector<store::stored_card> cards;
  if (with_data) {
    auto loaded = co_await store::load_cards(c.ctx.pool, book.id, names);
    if (!loaded) co_return answer_for(loaded.error());
    cards = std::move(*loaded);
  } else {
    for (auto const& m : changed->changed) cards.push_back({m.resource, m.etag, {}});
  }
  auto const max = max_card_bytes(c.ctx.settings);
  std::vector<proto::dav_response> out;
  for (auto& card : cards) {
    auto r = card_resource(c, book, card);
    if (!with_data) r.vcard.reset();
    out.push_back(describe(c.who, r, s.properties, max));
  }
  for (auto const& gone : changed->removed)
    out.push_back({proto::card_href(c.who.address, book.name, gone), {}, 404});
  co_return multistatus(out, sync_token(book.id, changed->revision));
}

}  // namespace

asio::awaitable<http::response> report(call c) {
  if (c.target.what != kind::book) co_return precondition_failed(403, proto::dav_ns, "supported-report");
  auto request = proto::parse_report(c.req.body);
  if (!request && request.error().context.starts_with("unsupported collation"))
    co_return precondition_failed(403, proto::carddav_ns, "supported-collation");
  if (!request && request.error().code == errc::not_found)
    co_return precondition_failed(403, proto::dav_ns, "supported-report");
  if (!request) co_return answer_for(request.error());
  bool const is_query = std::holds_alternative<proto::query_report>(*request);
  auto view = co_await open_book(c, is_query);
  if (!view) co_return answer_for(view.error());
  if (auto const* m = std::get_if<proto::multiget_report>(&*request)) co_return co_await multiget(c, *view, *m);
  if (auto const* q = std::get_if<proto::query_report>(&*request)) co_return co_await query(c, *view, *q);
  co_return co_await sync(c, *view, std::get<proto::sync_report>(*request));
}

}  // namespace posta::addressbook::dav
