// The IMAP client side of one benchmark connection.
#include "bench/imap_load/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cctype>

namespace posta::bench::imap_load {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "* 12 EXISTS" → 12; "* SEARCH 1 2 3" → numbers; "* CAPABILITY …" → names.
bool starts_with_word(std::string_view text, std::size_t pos, std::string_view w) {
  if (text.size() < pos + w.size()) return false;
  for (std::size_t i = 0; i < w.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(text[pos + i])) != w[i]) return false;
  return text.size() == pos + w.size() || text[pos + w.size()] == ' ' || text[pos + w.size()] == '\r';
}

void parse_numbers(std::string_view text, std::size_t pos, std::vector<std::uint32_t>& out) {
  std::uint64_t n = 0;
  bool in = false;
  for (std::size_t i = pos; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ' ';
    if (c >= '0' && c <= '9') {
      n = n * 10 + static_cast<unsigned>(c - '0');
      in = true;
    } else {
      if (in) out.push_back(static_cast<std::uint32_t>(n));
      n = 0;
      in = false;
      if (c == '(') break;  // "(MODSEQ n)" of CONDSTORE ends the list
    }
  }
}

}  // namespace

connection::connection(asio::any_io_executor ex, tcp::endpoint server)
    : socket_(ex), server_(server), rbuf_(64 * 1024) {}

void connection::close() {
  boost::system::error_code ec;
  socket_.close(ec);  // the TLS stream, if any, only refers to the socket
}

// Strings are built by appending: g++ 12 warns falsely (-Wrestrict) about
// "literal" + std::string.
bool connection::has_capability(std::string_view name) const {
  std::string word(1, ' ');
  word += upper(name);
  word += ' ';
  return capabilities_.find(word) != std::string::npos;
}

std::string connection::next_tag() {
  std::string tag(1, 'a');
  tag += std::to_string(++tag_counter_);
  return tag;
}

asio::awaitable<bool> connection::write(std::string_view data) {
  boost::system::error_code ec;
  if (tls_) {
    auto [e, n] = co_await asio::async_write(*tls_, asio::buffer(data), use_tuple);
    ec = e;
  } else {
    auto [e, n] = co_await asio::async_write(socket_, asio::buffer(data), use_tuple);
    ec = e;
  }
  co_return !ec;
}

asio::awaitable<read_status> connection::next(response& r) {
  for (;;) {
    auto st = reader_.next(r);
    if (st != read_status::need_more) co_return st;
    boost::system::error_code ec;
    std::size_t got = 0;
    if (tls_) {
      auto [e, n] = co_await tls_->async_read_some(asio::buffer(rbuf_), use_tuple);
      ec = e, got = n;
    } else {
      auto [e, n] = co_await socket_.async_read_some(asio::buffer(rbuf_), use_tuple);
      ec = e, got = n;
    }
    if (ec) co_return read_status::malformed;
    reader_.feed(std::string_view(rbuf_.data(), got));
  }
}

asio::awaitable<bool> connection::open() {
  auto [ec] = co_await socket_.async_connect(server_, use_tuple);
  if (ec) co_return false;
  socket_.set_option(tcp::no_delay(true), ec);
  response r;
  auto st = co_await next(r);
  co_return st == read_status::complete && r.kind == response_kind::untagged && status_is(r.status, "OK");
}

void connection::note_untagged(response const& r, bool want_search, command_result& out) {
  auto const& t = r.text;
  std::size_t pos = 2;  // after "* "
  if (starts_with_word(t, pos, "CAPABILITY")) {
    capabilities_.assign(1, ' ');
    capabilities_ += upper(t.substr(pos + 10));
    capabilities_ += ' ';
    for (auto& c : capabilities_) if (c == '\r' || c == '\n') c = ' ';
    return;
  }
  if (want_search && starts_with_word(t, pos, "SEARCH")) {
    parse_numbers(t, pos + 6, out.search);
    return;
  }
  if (t.size() > pos && t[pos] >= '0' && t[pos] <= '9') {
    auto sp = t.find(' ', pos);
    if (sp == std::string_view::npos) return;
    if (starts_with_word(t, sp + 1, "FETCH")) ++out.fetches;
    else if (starts_with_word(t, sp + 1, "EXISTS")) exists_ = static_cast<std::uint32_t>(std::stoul(std::string(t.substr(pos, sp - pos))));
  }
}

// Reads responses until the tagged one for `tag`.
asio::awaitable<void> connection::finish(std::string const& tag, bool want_search, command_result& out) {
  response r;
  for (;;) {
    auto st = co_await next(r);
    if (st != read_status::complete) co_return;
    out.bytes += r.text.size() + 2;
    if (r.kind == response_kind::untagged) {
      note_untagged(r, want_search, out);
      continue;
    }
    if (r.kind == response_kind::continuation) co_return;  // not expected here: the exchange is broken
    if (r.tag != tag) co_return;
    out.answered = true;
    out.status = std::string(r.status);
    out.tagged_text = std::string(r.text);
    co_return;
  }
}

asio::awaitable<command_result> connection::command(std::string_view line, bool want_search) {
  std::string const tag = next_tag();
  std::string wire = tag + " ";
  wire += line;
  wire += "\r\n";
  command_result out;
  bool const written = co_await write(wire);
  if (!written) co_return out;
  co_await finish(tag, want_search, out);
  co_return out;
}

asio::awaitable<command_result> connection::append(std::string_view mailbox, std::string_view flags,
                                                   std::string_view message) {
  bool const plus = has_capability("LITERAL+");
  std::string const tag = next_tag();
  std::string head = tag + " APPEND " + std::string(mailbox) + " " + std::string(flags) + " {" +
                     std::to_string(message.size()) + (plus ? "+}\r\n" : "}\r\n");
  command_result out;
  if (plus) {
    head += message;
    head += "\r\n";
    bool const written = co_await write(head);
    if (!written) co_return out;
    co_await finish(tag, false, out);
    co_return out;
  }
  bool written = co_await write(head);
  if (!written) co_return out;
  response r;
  for (;;) {  // untagged responses may come first; a tagged one refuses the literal
    auto st = co_await next(r);
    if (st != read_status::complete) co_return out;
    out.bytes += r.text.size() + 2;
    if (r.kind == response_kind::continuation) break;
    if (r.kind == response_kind::tagged) {
      out.answered = r.tag == tag;
      out.status = std::string(r.status);
      out.tagged_text = std::string(r.text);
      co_return out;
    }
    note_untagged(r, false, out);
  }
  std::string rest(message);
  rest += "\r\n";
  written = co_await write(rest);
  if (!written) co_return out;
  co_await finish(tag, false, out);
  co_return out;
}

asio::awaitable<bool> connection::starttls(asio::ssl::context& tls) {
  std::string const line = "STARTTLS";
  auto r = co_await command(line);
  if (!r.ok() || reader_.buffered() != 0) co_return false;  // bytes before the handshake: an injection
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, tls);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, use_tuple);
  co_return !ec;
}

asio::awaitable<command_result> connection::login(std::string_view user, std::string_view password) {
  // Quoted strings (RFC 9051 4.3): our names and passwords have no '"' or '\'.
  std::string const line = "LOGIN \"" + std::string(user) + "\" \"" + std::string(password) + "\"";
  auto r = co_await command(line);
  if (!r.ok()) co_return r;
  std::string const cap = "CAPABILITY";
  auto c = co_await command(cap);
  (void)c;
  co_return r;
}

}  // namespace posta::bench::imap_load
