// Commands about the session itself: CAPABILITY, NOOP, LOGOUT (RFC 3501
// 6.1), ID (RFC 2971), ENABLE (RFC 5161, with CONDSTORE/QRESYNC of RFC 7162,
// UTF8=ACCEPT of RFC 6855 and IMAP4rev2 of RFC 9051 6.3.1), NAMESPACE (RFC
// 2342), COMPRESS (RFC 4978).
#include "mail/imap/proto/response.hpp"
#include "mail/imap/server/session.hpp"

namespace posta::mail::imap::server {

asio::awaitable<bool> session::on(std::string const& tag, proto::simple_cmd& c) {
  switch (c.verb) {
    case proto::simple_verb::capability:
      send(proto::untagged(capabilities()));
      ok(tag, "CAPABILITY completed");
      co_return true;
    case proto::simple_verb::noop:
    case proto::simple_verb::check: {
      bool go_on = co_await announce_changes(true);
      ok(tag, "NOOP completed");
      co_return go_on;
    }
    case proto::simple_verb::logout:
      send(proto::untagged_status(proto::status::bye, "", "Logging out"));
      ok(tag, "LOGOUT completed");
      state_ = proto::session_state::logout;
      co_await flush();
      co_return false;
    case proto::simple_verb::starttls: {
      bool go_on = co_await starttls(tag);
      co_return go_on;
    }
    case proto::simple_verb::namespace_:
      // One personal namespace, "/" as hierarchy separator; no shared folders.
      send(proto::untagged("NAMESPACE ((\"\" \"/\")) NIL NIL"));
      ok(tag, "NAMESPACE completed");
      co_return true;
    case proto::simple_verb::idle: {
      bool go_on = co_await idle(tag);
      co_return go_on;
    }
    case proto::simple_verb::close:
    case proto::simple_verb::unselect:
    case proto::simple_verb::expunge: {
      bool go_on = co_await on_selected_simple(tag, c.verb);
      co_return go_on;
    }
  }
  co_return true;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::id_cmd&) {
  // RFC 2971 3.3: name and version only; the client's values are not logged.
  send(proto::untagged("ID (\"name\" \"Posta\" \"vendor\" \"Posta\")"));
  ok(tag, "ID completed");
  co_return true;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::enable_cmd& c) {
  std::string enabled;
  for (auto const& cap : c.capabilities) {
    bool known = true;
    if (cap == "CONDSTORE") condstore_ = true;
    else if (cap == "QRESYNC") qresync_ = condstore_ = true;  // RFC 7162 3.2.3: QRESYNC implies CONDSTORE
    else if (cap == "UTF8=ACCEPT") parse_options_.utf8_accept = true;
    // RFC 9051: no \Recent, SEARCH answered by ESEARCH, [CLOSED] on reselect,
    // a LIST response in SELECT, and mailbox names in UTF-8 (RFC 9051 5.1).
    else if (cap == "IMAP4REV2") rev2_ = parse_options_.utf8_accept = true;
    else known = false;
    // RFC 5161 3.1: only what was enabled now, and each once.
    auto const name = cap == "IMAP4REV2" ? std::string("IMAP4rev2") : cap;
    if (known && enabled.find(" " + name) == std::string::npos) enabled += " " + name;
  }
  send(proto::untagged("ENABLED" + enabled));
  ok(tag, "ENABLE completed");
  co_return true;
}

// RFC 4978 3: after this OK (sent uncompressed) both directions are raw
// DEFLATE. Offered once logged in, as TLS compression is not used.
asio::awaitable<bool> session::on(std::string const& tag, proto::compress_cmd& c) {
  if (state_ == proto::session_state::not_authenticated) {
    bad(tag, "Log in first");
    co_return true;
  }
  if (deflate_) {
    no(tag, "Compression is already active", "COMPRESSIONACTIVE");
    co_return true;
  }
  if (c.mechanism != "DEFLATE") {
    bad(tag, "Unknown compression mechanism");
    co_return true;
  }
  // Bytes sent after COMPRESS before our OK cannot be told apart from
  // compressed data: refused, as after STARTTLS.
  if (reader_.buffered() != 0) {
    bad(tag, "Nothing may follow COMPRESS before its answer");
    co_await flush();
    co_return false;
  }
  ok(tag, "DEFLATE active");
  bool flushed = co_await flush();
  if (!flushed) co_return false;
  deflate_ = std::make_unique<deflate_codec>();
  co_return true;
}

}  // namespace posta::mail::imap::server
