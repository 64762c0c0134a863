// GET, PUT and DELETE of cards (RFC 6352 6.3.2, RFC 4918 9.4, 9.6, 9.7;
// conditional requests RFC 9110 13.1), and DELETE of a whole book.
#include "addressbook/dav/gal.hpp"
#include "addressbook/dav/index.hpp"
#include "addressbook/dav/limits.hpp"
#include "addressbook/dav/request_context.hpp"
#include "addressbook/store/book_store.hpp"
#include "addressbook/store/card_store.hpp"
#include "core/util/ascii.hpp"

#include <algorithm>

namespace posta::addressbook::dav {
namespace {

using kind = proto::dav_target::kind;

store::preconditions preconditions_of(http::request const& req) {
  store::preconditions p;
  if (auto m = req.header("if-match"); !m.empty()) p.if_match = std::string(m);
  p.if_none_match_any = req.header("if-none-match") == "*";
  return p;
}

bool is_vcard_type(std::string_view content_type) {
  auto const type = util::ascii_lowercase(content_type.substr(0, content_type.find(';')));
  // COMPAT(old clients): text/x-vcard; a missing type is taken as a card.
  return type.empty() || type == "text/vcard" || type == "text/x-vcard" || type == "text/directory";
}

http::response with_etag(int status, std::string const& etag) {
  auto r = plain(status, "");
  r.headers.emplace_back("ETag", etag);
  return r;
}

http::response write_answer(store::write_outcome const& o, call const& c) {
  switch (o.status) {
    case store::write_status::created: return with_etag(201, o.etag);
    case store::write_status::replaced: return with_etag(204, o.etag);
    case store::write_status::deleted: return plain(204, "");
    case store::write_status::precondition_failed: return plain(412, "the card changed (ETag)");
    case store::write_status::uid_conflict: return precondition_failed(409, proto::carddav_ns, "no-uid-conflict");
    case store::write_status::book_full: return plain(507, "the address book holds as many cards as allowed");
    case store::write_status::not_found: break;
  }
  return plain(404, "no such " + std::string(c.target.what == kind::book ? "address book" : "card"));
}

}  // namespace

asio::awaitable<http::response> get_card(call c) {
  if (c.target.what != kind::card) co_return plain(405, "GET is for cards");
  auto view = co_await open_book(c, false);
  if (!view) co_return answer_for(view.error());
  if (!view->is_gal) {
    std::vector<std::string> names{c.target.card};
    auto cards = co_await store::load_cards(c.ctx.pool, view->book.id, names);
    if (!cards) co_return answer_for(cards.error());
    view->cards = std::move(*cards);
  }
  auto const it = std::find_if(view->cards.begin(), view->cards.end(),
                               [&](auto const& card) { return card.resource == c.target.card; });
  if (it == view->cards.end()) co_return plain(404, "no such card");
  http::response r;
  r.content_type = "text/vcard; charset=utf-8";
  r.headers.emplace_back("ETag", it->etag);
  if (c.req.method != "HEAD") r.body = std::move(it->vcard);
  co_return r;
}

asio::awaitable<http::response> put_card(call c) {
  if (c.target.book == gal_book) co_return gal_is_read_only(c);
  if (c.target.what != kind::card) co_return plain(405, "PUT is for cards");
  // SECURITY: the card bound is checked before anything is parsed or stored.
  if (static_cast<std::int64_t>(c.req.body.size()) > max_card_bytes(c.ctx.settings))
    co_return precondition_failed(413, proto::carddav_ns, "max-resource-size");
  if (!is_vcard_type(c.req.header("content-type")))
    co_return precondition_failed(403, proto::carddav_ns, "supported-address-data");
  auto card = proto::parse_vcard(c.req.body);
  if (!card) co_return precondition_failed(403, proto::carddav_ns, "valid-address-data");
  auto book = co_await store::find_book(c.ctx.pool, c.who.account_id, c.target.book);
  if (!book) co_return answer_for(book.error());
  auto index = index_of(*card);
  auto const pre = preconditions_of(c.req);
  auto const bound = max_cards(c.ctx.settings);
  auto outcome = co_await store::put_card(c.ctx.pool, book->id, c.target.card, c.req.body, index, pre, bound);
  if (!outcome) co_return answer_for(outcome.error());
  co_return write_answer(*outcome, c);
}

asio::awaitable<http::response> delete_resource(call c) {
  if (c.target.book == gal_book) co_return gal_is_read_only(c);
  auto book = co_await store::find_book(c.ctx.pool, c.who.account_id, c.target.book);
  if (c.target.what == kind::book) {
    if (!book) co_return answer_for(book.error());
    if (book->name == store::personal_book || book->name == store::collected_book)
      co_return plain(403, "this address book cannot be removed");
    auto done = co_await store::delete_book(c.ctx.pool, book->id);
    co_return done ? plain(204, "") : answer_for(done.error());
  }
  if (c.target.what != kind::card) co_return plain(405, "DELETE is for cards and address books");
  if (!book) co_return answer_for(book.error());
  auto const pre = preconditions_of(c.req);
  auto outcome = co_await store::delete_card(c.ctx.pool, book->id, c.target.card, pre);
  if (!outcome) co_return answer_for(outcome.error());
  co_return write_answer(*outcome, c);
}

}  // namespace posta::addressbook::dav
