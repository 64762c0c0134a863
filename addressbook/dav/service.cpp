#include "addressbook/dav/service.hpp"

#include "addressbook/dav/request_context.hpp"
#include "core/auth/authenticator.hpp"
#include "core/db/pool.hpp"
#include "core/settings/settings.hpp"
#include "core/util/ascii.hpp"
#include "core/util/base64.hpp"

namespace posta::addressbook::dav {
namespace {

constexpr std::string_view allowed_methods = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCOL";

struct basic_credentials {
  std::string login;
  std::string password;
};

// RFC 7617 2: "Basic" base64(user-id ":" password), the scheme case-insensitive.
std::optional<basic_credentials> parse_basic(std::string_view header) {
  if (header.size() < 6 || !util::ascii_iequals(header.substr(0, 6), "basic ")) return std::nullopt;
  auto decoded = util::base64_decode(header.substr(6));
  if (!decoded) return std::nullopt;
  auto const colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  return basic_credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

std::string ip_of(std::string_view remote) {
  if (remote.starts_with('[')) return std::string(remote.substr(1, remote.find(']') - 1));
  return std::string(remote.substr(0, remote.rfind(':')));
}

http::response challenge() {
  auto r = plain(401, "authentication required");
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Posta\", charset=\"UTF-8\"");
  return r;
}

// The account behind the request's credentials, or the answer to send.
asio::awaitable<std::variant<user, http::response>> authenticate(context& ctx, http::request const& req) {
  auto creds = parse_basic(req.header("authorization"));
  if (!creds) co_return challenge();
  if (auto known = ctx.logins.find(creds->login, creds->password)) co_return std::move(*known);
  auto login = co_await ctx.authenticator.verify_password(creds->login, creds->password, ip_of(req.remote_address));
  switch (login.outcome) {
    case auth::login_outcome::ok: break;
    case auth::login_outcome::throttled: {
      auto r = plain(429, "too many failed logins; try later");
      r.headers.emplace_back("Retry-After", "300");
      co_return r;
    }
    case auth::login_outcome::unavailable: co_return plain(503, "authentication temporarily unavailable");
    default: co_return challenge();
  }
  auto rows = co_await ctx.pool.q("SELECT id, display_name FROM accounts WHERE address = $1", login.address);
  if (!rows) co_return plain(503, "temporarily unavailable");
  if (rows->size() == 0) co_return challenge();
  user const who{rows->i64(0, 0), login.address, rows->str(0, 1)};
  ctx.logins.remember(creds->login, creds->password, who);
  co_return who;
}

http::response options() {
  auto r = plain(200, "");
  r.headers.emplace_back("DAV", "1, 3, addressbook, extended-mkcol");
  r.headers.emplace_back("Allow", std::string(allowed_methods));
  return r;
}

http::response redirect_to_context_path() {
  auto r = plain(301, "");
  r.headers.emplace_back("Location", "/dav/");
  return r;
}

// SECURITY: passwords travel only inside TLS, except on loopback when the
// administrator allows it (a webmail on the same host).
bool may_send_password(context const& ctx, http::request const& req) {
  return req.secure || (req.from_loopback() && ctx.settings.get_bool("http.allow_plaintext_auth_on_loopback"));
}

asio::awaitable<http::response> by_method(call c) {
  auto const& m = c.req.method;
  if (m == "PROPFIND") co_return co_await propfind(c);
  if (m == "REPORT") co_return co_await report(c);
  if (m == "GET" || m == "HEAD") co_return co_await get_card(c);
  if (m == "PUT") co_return co_await put_card(c);
  if (m == "DELETE") co_return co_await delete_resource(c);
  if (m == "MKCOL") co_return co_await make_book(c);
  if (m == "PROPPATCH") co_return co_await patch_book(c);
  auto r = plain(405, "method not allowed");
  r.headers.emplace_back("Allow", std::string(allowed_methods));
  co_return r;
}

asio::awaitable<http::response> handle(context& ctx, http::request const& req) {
  auto target = proto::parse_dav_path(req.raw_path.empty() ? req.path : req.raw_path);
  if (!target) co_return plain(target.error().code == errc::not_found ? 404 : 400, target.error().context);
  if (req.method == "OPTIONS") co_return options();
  if (target->what == proto::dav_target::kind::well_known) co_return redirect_to_context_path();
  if (!may_send_password(ctx, req)) co_return plain(403, "CardDAV needs https");
  auto who = co_await authenticate(ctx, req);
  if (auto* answer = std::get_if<http::response>(&who)) co_return std::move(*answer);
  auto const& u = std::get<user>(who);
  // SECURITY: a user reaches only their own principal, home and books.
  if (target->what != proto::dav_target::kind::root && !util::ascii_iequals(target->address, u.address))
    co_return plain(403, "not yours");
  co_return co_await by_method(call{ctx, req, u, *target});
}

}  // namespace

void register_setting_validators() {
  settings::register_item_validator("addressbook.gal_scope", [](std::string_view value) -> result<void> {
    if (value == "domain" || value == "organisation") return {};
    return make_error(errc::invalid_argument, "addressbook.gal_scope is \"domain\" or \"organisation\"");
  });
}

void mount_carddav(http::router& r, context& ctx) {
  auto h = [&ctx](http::request const& req, http::route_params const&) -> asio::awaitable<http::response> {
    co_return co_await handle(ctx, req);
  };
  r.mount("/dav", h);
  r.mount("/.well-known/carddav", h);
}

}  // namespace posta::addressbook::dav
