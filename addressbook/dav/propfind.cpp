// PROPFIND (RFC 4918 9.1) on every CardDAV resource, Depth 0 or 1; Depth
// infinity is refused (DAV:propfind-finite-depth, 9.1 and 16).
#include "addressbook/dav/gal.hpp"
#include "addressbook/dav/limits.hpp"
#include "addressbook/dav/properties.hpp"

#include <algorithm>

namespace posta::addressbook::dav {
namespace {

using kind = proto::dav_target::kind;

bool wants_address_data(proto::property_request const& asked) {
  for (auto const& p : asked.listed)
    if (p.ns == proto::carddav_ns && p.name == "address-data") return true;
  return false;
}

asio::awaitable<result<std::vector<resource>>> home_and_books(call const& c, int depth) {
  std::vector<resource> out{{kind::home, proto::home_href(c.who.address), std::nullopt, std::nullopt, std::nullopt}};
  if (depth == 0) co_return out;
  POSTA_CO_TRY_ASSIGN(auto books, co_await store::list_books(c.ctx.pool, c.who.account_id));
  for (auto& b : books) {
    auto href = proto::book_href(c.who.address, b.name);
    out.push_back({kind::book, std::move(href), std::move(b), std::nullopt, std::nullopt});
  }
  POSTA_CO_TRY_ASSIGN(auto gal, co_await load_gal_view(c.ctx, c.who));
  out.push_back({kind::book, proto::book_href(c.who.address, gal_book), std::move(gal.book), std::nullopt, std::nullopt});
  co_return out;
}

asio::awaitable<result<std::vector<resource>>> book_and_cards(call const& c, int depth, bool with_data) {
  // Without address-data a personal book's listing needs no card texts.
  bool const texts = depth > 0 && (with_data || c.target.book == gal_book);
  POSTA_CO_TRY_ASSIGN(auto view, co_await open_book(c, texts));
  if (depth > 0 && !texts) {
    POSTA_CO_TRY_ASSIGN(auto metas, co_await store::list_cards(c.ctx.pool, view.book.id));
    for (auto& m : metas) view.cards.push_back({std::move(m.resource), std::move(m.etag), {}});
  }
  auto const& book = view.book;
  std::vector<resource> out{{kind::book, proto::book_href(c.who.address, book.name), book, std::nullopt, std::nullopt}};
  for (auto& card : view.cards) {
    auto href = proto::card_href(c.who.address, book.name, card.resource);
    std::optional<std::string> text;
    if (with_data) text = std::move(card.vcard);
    out.push_back({kind::card, std::move(href), book, store::card_meta{card.resource, card.etag}, std::move(text)});
  }
  co_return out;
}

asio::awaitable<result<std::vector<resource>>> one_card(call const& c, bool with_data) {
  POSTA_CO_TRY_ASSIGN(auto view, co_await open_book(c, false));
  if (!view.is_gal) {
    std::vector<std::string> names{c.target.card};
    POSTA_CO_TRY_ASSIGN(view.cards, co_await store::load_cards(c.ctx.pool, view.book.id, names));
  }
  auto const& book = view.book;
  auto const it = std::find_if(view.cards.begin(), view.cards.end(),
                               [&](auto const& card) { return card.resource == c.target.card; });
  if (it == view.cards.end()) co_return make_error(errc::not_found, "no such card");
  auto& card = *it;
  std::optional<std::string> text;
  if (with_data) text = std::move(card.vcard);
  co_return std::vector<resource>{{kind::card, proto::card_href(c.who.address, book.name, card.resource), book,
                                   store::card_meta{card.resource, card.etag}, std::move(text)}};
}

asio::awaitable<result<std::vector<resource>>> resources(call const& c, int depth, bool with_data) {
  switch (c.target.what) {
    case kind::home: co_return co_await home_and_books(c, depth);
    case kind::book: co_return co_await book_and_cards(c, depth, with_data);
    case kind::card: co_return co_await one_card(c, with_data);
    case kind::principal:
      co_return std::vector<resource>{
          {kind::principal, proto::principal_href(c.who.address), std::nullopt, std::nullopt, std::nullopt}};
    default: co_return std::vector<resource>{{kind::root, "/dav/", std::nullopt, std::nullopt, std::nullopt}};
  }
}

}  // namespace

asio::awaitable<http::response> propfind(call c) {
  auto const depth = depth_of(c.req);
  if (!depth) co_return precondition_failed(403, proto::dav_ns, "propfind-finite-depth");
  auto asked = proto::parse_propfind(c.req.body);
  if (!asked) co_return answer_for(asked.error());
  auto found = co_await resources(c, *depth, wants_address_data(*asked));
  if (!found) co_return answer_for(found.error());
  auto const max = max_card_bytes(c.ctx.settings);
  std::vector<proto::dav_response> out;
  for (auto const& r : *found) out.push_back(describe(c.who, r, *asked, max));
  co_return multistatus(out);
}

}  // namespace posta::addressbook::dav
