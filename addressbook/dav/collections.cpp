// New address books by MKCOL (RFC 4918 9.3, extended MKCOL RFC 5689) and
// their names and descriptions by PROPPATCH (RFC 4918 9.2: all or nothing).
#include "addressbook/dav/gal.hpp"
#include "addressbook/dav/limits.hpp"
#include "addressbook/dav/request_context.hpp"
#include "addressbook/store/book_store.hpp"

namespace posta::addressbook::dav {
namespace {

using kind = proto::dav_target::kind;

bool is_display_name(proto::property_name const& n) { return n.ns == proto::dav_ns && n.name == "displayname"; }
bool is_description(proto::property_name const& n) {
  return n.ns == proto::carddav_ns && n.name == "addressbook-description";
}

struct book_text {
  std::optional<std::string> display_name, description;
};

// The settable properties; false when another one is named.
bool collect(std::vector<proto::property_update> const& updates, book_text& out) {
  bool all_settable = true;
  for (auto const& u : updates) {
    if (is_display_name(u.name)) out.display_name = u.value.value_or("");
    else if (is_description(u.name)) out.description = u.value.value_or("");
    else all_settable = false;
  }
  return all_settable;
}

// 207 for a PROPPATCH: each property 200, or, when one cannot be set, that
// one 403 and the others 424 (nothing was changed).
http::response patch_answer(call const& c, std::vector<proto::property_update> const& updates, bool applied) {
  proto::propstat ok{200, {}}, refused{403, {}}, dependent{424, {}};
  for (auto const& u : updates) {
    bool const settable = is_display_name(u.name) || is_description(u.name);
    auto& into = applied ? ok : settable ? dependent : refused;
    into.properties.push_back({u.name, ""});
  }
  proto::dav_response r{proto::book_href(c.who.address, c.target.book), {}, 0};
  for (auto* ps : {&ok, &refused, &dependent})
    if (!ps->properties.empty()) r.propstats.push_back(std::move(*ps));
  return multistatus({r});
}

}  // namespace

asio::awaitable<http::response> make_book(call c) {
  if (c.target.what != kind::book) co_return plain(405, "MKCOL makes address books only");
  if (c.target.book == gal_book) co_return plain(405, "it exists");
  auto request = proto::parse_mkcol(c.req.body);
  if (!request) co_return answer_for(request.error());
  book_text text;
  if (!collect(request->properties, text)) co_return plain(403, "only displayname and addressbook-description");
  if (!store::is_valid_book_name(c.target.book)) co_return plain(403, "not a valid address book name");
  auto const name = text.display_name.value_or(c.target.book);
  auto const description = text.description.value_or("");
  auto made = co_await store::create_book(c.ctx.pool, c.who.account_id, c.target.book, name, description);
  if (!made && made.error().code == errc::already_exists) co_return plain(405, "it exists");
  if (!made) co_return answer_for(made.error());
  co_return plain(201, "");
}

asio::awaitable<http::response> patch_book(call c) {
  if (c.target.what != kind::book) co_return plain(403, "only address books have properties to change");
  if (c.target.book == gal_book) co_return gal_is_read_only(c);
  auto updates = proto::parse_proppatch(c.req.body);
  if (!updates) co_return answer_for(updates.error());
  auto book = co_await store::find_book(c.ctx.pool, c.who.account_id, c.target.book);
  if (!book) co_return answer_for(book.error());
  book_text text;
  if (!collect(*updates, text)) co_return patch_answer(c, *updates, false);
  auto done = co_await store::set_book_text(c.ctx.pool, book->id, text.display_name, text.description);
  if (!done) co_return answer_for(done.error());
  co_return patch_answer(c, *updates, true);
}

}  // namespace posta::addressbook::dav
