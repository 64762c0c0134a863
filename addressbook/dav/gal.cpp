#include "addressbook/dav/gal.hpp"

#include "addressbook/store/gal_store.hpp"
#include "core/settings/settings.hpp"
#include "core/util/crypto_hash.hpp"

namespace posta::addressbook::dav {

asio::awaitable<result<book_view>> load_gal_view(context& ctx, user const& who) {
  bool const organisation = ctx.settings.get_string("addressbook.gal_scope") == "organisation";
  POSTA_CO_TRY_ASSIGN(auto entries, co_await store::load_gal(ctx.pool, who.account_id, organisation));
  book_view out;
  out.is_gal = true;
  out.book.name = std::string(gal_book);
  out.book.display_name = "Global address list";
  out.book.description = "Everyone in the organisation (read-only)";
  std::string etags;
  for (auto const& e : entries) {
    auto text = proto::gal_vcard(e);
    auto etag = store::etag_of(text);
    etags += etag;
    out.cards.push_back({proto::gal_resource(e), std::move(etag), std::move(text)});
  }
  // A revision that changes whenever any card does (63 bits of a digest).
  auto const digest = util::digest(util::hash_algorithm::sha256, etags);
  std::int64_t revision = 0;
  for (int i = 0; i < 8; ++i) revision = (revision << 8) | static_cast<unsigned char>(digest[i]);
  out.book.revision = revision & 0x7fffffffffffffff;
  out.book.card_count = static_cast<std::int64_t>(out.cards.size());
  co_return out;
}

asio::awaitable<result<book_view>> open_book(call const& c, bool with_cards) {
  if (c.target.book == gal_book) co_return co_await load_gal_view(c.ctx, c.who);
  book_view out;
  POSTA_CO_TRY_ASSIGN(out.book, co_await store::find_book(c.ctx.pool, c.who.account_id, c.target.book));
  if (!with_cards) co_return out;
  POSTA_CO_TRY_ASSIGN(out.cards, co_await store::load_cards(c.ctx.pool, out.book.id, std::nullopt));
  co_return out;
}

http::response gal_is_read_only(call const& c) {
  http::response r;
  r.status = 403;
  r.content_type = "application/xml; charset=utf-8";
  r.body = R"(<?xml version="1.0" encoding="utf-8"?>)"
           "\n<d:error xmlns:d=\"DAV:\"><d:need-privileges><d:resource>" +
           proto::href_xml(proto::book_href(c.who.address, gal_book)) +
           "<d:privilege><d:write/></d:privilege></d:resource></d:need-privileges></d:error>\n";
  return r;
}

}  // namespace posta::addressbook::dav
