// The XMPP client side of one benchmark connection; see connection.hpp.
#include "bench/xmpp_load/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace posta::bench::xmpp_load {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string base64(std::string_view in) {
  static constexpr char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += digits[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += digits[(v >> 18) & 63];
    out += digits[(v >> 12) & 63];
    out += i + 1 < in.size() ? digits[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The condition of a <failure/> or stream error: its first child's name.
std::string condition(std::string_view element) {
  auto gt = element.find('>');
  auto lt = gt == std::string_view::npos ? gt : element.find('<', gt);
  if (lt == std::string_view::npos || lt + 1 >= element.size() || element[lt + 1] == '/') return "?";
  return std::string(local_name(element.substr(lt)));
}

}  // namespace

connection::connection(asio::any_io_executor ex, tcp::endpoint server)
    : socket_(ex), server_(server), rbuf_(8 * 1024), write_done_(ex, asio::steady_timer::time_point::max()) {}

void connection::close() {
  boost::system::error_code ec;
  socket_.close(ec);  // the TLS stream, if any, only refers to the socket
}

asio::awaitable<bool> connection::write(std::string_view data) {
  while (writing_) {
    auto [e] = co_await write_done_.async_wait(use_tuple);
    (void)e;
  }
  writing_ = true;
  boost::system::error_code ec;
  if (tls_) {
    auto [e, n] = co_await asio::async_write(*tls_, asio::buffer(data), use_tuple);
    ec = e;
  } else {
    auto [e, n] = co_await asio::async_write(socket_, asio::buffer(data), use_tuple);
    ec = e;
  }
  writing_ = false;
  write_done_.cancel();
  co_return !ec;
}

asio::awaitable<scan_event> connection::next(std::string& element) {
  for (;;) {
    auto ev = scanner_.next(element);
    if (ev != scan_event::need_more) co_return ev;
    boost::system::error_code ec;
    std::size_t got = 0;
    if (tls_) {
      auto [e, n] = co_await tls_->async_read_some(asio::buffer(rbuf_), use_tuple);
      ec = e, got = n;
    } else {
      auto [e, n] = co_await socket_.async_read_some(asio::buffer(rbuf_), use_tuple);
      ec = e, got = n;
    }
    if (ec) co_return scan_event::closed;
    scanner_.feed(std::string_view(rbuf_.data(), got));
  }
}

asio::awaitable<void> connection::finish() {
  if (!socket_.is_open()) co_return;
  std::string const bye = "</stream:stream>";
  bool const ok = co_await write(bye);
  if (!ok) close();
}

// The next top-level element that is not a stream error; "" or what failed.
asio::awaitable<std::string> connection::expect(std::string& element) {
  auto ev = co_await next(element);
  if (ev == scan_event::closed) co_return "closed";
  if (ev != scan_event::element) co_return "malformed";
  if (local_name(element) == "error") co_return "stream-error " + condition(element);
  co_return "";
}

// Header out, header and <stream:features/> in.
asio::awaitable<std::string> connection::open_stream(credentials const& who, std::string& features) {
  scanner_.restart();
  std::string const header = "<?xml version='1.0'?><stream:stream to='" + who.domain +
                             "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                             "version='1.0' xml:lang='en'>";
  bool const sent = co_await write(header);
  if (!sent) co_return "write";
  auto ev = co_await next(features);
  if (ev != scan_event::header) co_return "no stream header";
  auto failed = co_await expect(features);
  if (!failed.empty()) co_return failed;
  if (local_name(features) != "features") co_return "no features";
  co_return "";
}

asio::awaitable<std::string> connection::starttls(asio::ssl::context& tls) {
  std::string const ask = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
  bool const sent = co_await write(ask);
  if (!sent) co_return "write";
  std::string reply;
  auto failed = co_await expect(reply);
  if (!failed.empty()) co_return "starttls " + failed;
  if (local_name(reply) != "proceed") co_return "starttls refused";
  // SECURITY: bytes after <proceed/> would be plaintext injected before TLS.
  if (scanner_.buffered() != 0) co_return "starttls data after proceed";
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, tls);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, use_tuple);
  if (ec) co_return "tls handshake";
  co_return "";
}

asio::awaitable<std::string> connection::authenticate(credentials const& who) {
  std::string plain(1, '\0');
  plain += who.user;
  plain += '\0';
  plain += who.password;
  std::string const auth =
      "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + base64(plain) + "</auth>";
  bool const sent = co_await write(auth);
  if (!sent) co_return "write";
  std::string reply;
  auto failed = co_await expect(reply);
  if (!failed.empty()) co_return "auth " + failed;
  if (local_name(reply) == "failure") co_return "auth " + condition(reply);
  if (local_name(reply) != "success") co_return "auth unexpected";
  co_return "";
}

// Resource binding (RFC 6120 7), then the session of RFC 3921 when the
// features offer it without <optional/> (RFC 6121 does not need it).
asio::awaitable<std::string> connection::bind(credentials const& who, std::string const& features) {
  std::string const ask = "<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>" +
                          who.resource + "</resource></bind></iq>";
  bool const sent = co_await write(ask);
  if (!sent) co_return "write";
  std::string reply;
  for (;;) {  // a server may send other stanzas first
    auto failed = co_await expect(reply);
    if (!failed.empty()) co_return "bind " + failed;
    if (local_name(reply) == "iq" && attribute(reply, "id") == "bind1") break;
  }
  if (attribute(reply, "type") != "result") co_return "bind refused";
  jid_ = std::string(child_text(reply, "jid").value_or(""));
  if (!has_child(features, "session") || has_child(features, "optional")) co_return "";
  std::string const session = "<iq type='set' id='sess1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>";
  bool const sent2 = co_await write(session);
  if (!sent2) co_return "write";
  for (;;) {
    auto failed = co_await expect(reply);
    if (!failed.empty()) co_return "session " + failed;
    if (local_name(reply) == "iq" && attribute(reply, "id") == "sess1") break;
  }
  co_return attribute(reply, "type") == "result" ? "" : "session refused";
}

asio::awaitable<std::string> connection::login(credentials const& who, asio::ssl::context* tls) {
  auto [ec] = co_await socket_.async_connect(server_, use_tuple);
  if (ec) co_return "connect";
  socket_.set_option(tcp::no_delay(true), ec);
  std::string features;
  auto failed = co_await open_stream(who, features);
  if (failed.empty() && tls) failed = co_await starttls(*tls);
  if (failed.empty() && tls) failed = co_await open_stream(who, features);
  if (failed.empty()) failed = co_await authenticate(who);
  if (failed.empty()) failed = co_await open_stream(who, features);
  if (failed.empty()) failed = co_await bind(who, features);
  if (!failed.empty()) co_return failed;
  std::string const presence = "<presence/>";
  bool const sent = co_await write(presence);
  co_return sent ? "" : "write";
}

}  // namespace posta::bench::xmpp_load
