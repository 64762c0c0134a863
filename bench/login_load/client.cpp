// The client side of one login benchmark connection.
#include "bench/login_load/client.hpp"

#include "bench/login_load/ldap_ber.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace posta::bench::login_load {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// SECURITY: a server line or reply longer than this ends the connection.
constexpr std::size_t max_buffer = 1 << 20;

std::string base64(std::string_view in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += i + 1 < in.size() ? table[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? table[n & 63] : '=';
  }
  return out;
}

}  // namespace

client::client(asio::any_io_executor ex, tcp::endpoint server) : socket_(ex), server_(server), rbuf_(16 * 1024) {}

asio::awaitable<bool> client::open(asio::ssl::context* tls) {
  auto [ec] = co_await socket_.async_connect(server_, use_tuple);
  if (ec) co_return false;
  socket_.set_option(tcp::no_delay(true), ec);
  if (tls) {
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls);
    auto [e] = co_await tls_->async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (e) co_return false;
  }
  co_return true;
}

void client::close() {
  boost::system::error_code ec;
  socket_.close(ec);
}

asio::awaitable<bool> client::write(std::string const& data) {
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

asio::awaitable<bool> client::fill() {
  if (buf_.size() > max_buffer) co_return false;
  boost::system::error_code ec;
  std::size_t got = 0;
  if (tls_) {
    auto [e, n] = co_await tls_->async_read_some(asio::buffer(rbuf_), use_tuple);
    ec = e, got = n;
  } else {
    auto [e, n] = co_await socket_.async_read_some(asio::buffer(rbuf_), use_tuple);
    ec = e, got = n;
  }
  if (ec) co_return false;
  buf_.append(rbuf_.data(), got);
  co_return true;
}

asio::awaitable<bool> client::read_line(std::string& line) {
  for (;;) {
    auto end = buf_.find("\r\n");
    if (end != std::string::npos) {
      line = buf_.substr(0, end);
      buf_.erase(0, end + 2);
      co_return true;
    }
    bool const more = co_await fill();
    if (!more) co_return false;
  }
}

asio::awaitable<std::string> client::tagged(std::string const& tag) {
  std::string line;
  while (co_await read_line(line)) {
    if (line.size() > tag.size() && line.compare(0, tag.size(), tag) == 0 && line[tag.size()] == ' ') {
      auto status = line.substr(tag.size() + 1, 3);
      co_return status == "OK " || status == "OK" ? std::string("OK") : line.substr(tag.size() + 1, 2);
    }
  }
  co_return std::string();
}

asio::awaitable<std::string> client::imap_login(std::string const& user, std::string const& password, bool login) {
  std::string line;
  bool const greeted = co_await read_line(line);
  if (!greeted || line.rfind("* OK", 0) != 0) co_return "greeting";
  std::string status;
  if (login) {
    std::string const command = "a1 LOGIN \"" + user + "\" \"" + password + "\"\r\n";
    bool const sent_login = co_await write(command);
    if (!sent_login) co_return "io";
    std::string const a1 = "a1";
    status = co_await tagged(a1);
    if (status != "OK") co_return status.empty() ? "io" : "LOGIN " + status;
  }
  logged_in_at_ = std::chrono::steady_clock::now();
  std::string const logout = "a2 LOGOUT\r\n", a2 = "a2";
  bool const sent_logout = co_await write(logout);
  if (!sent_logout) co_return "io";
  status = co_await tagged(a2);
  co_return status == "OK" ? std::string() : "LOGOUT " + status;
}

asio::awaitable<int> client::reply() {
  std::string line;
  while (co_await read_line(line)) {
    if (line.size() < 3) co_return 0;
    if (line.size() == 3 || line[3] == ' ') co_return std::atoi(line.substr(0, 3).c_str());
  }
  co_return 0;
}

asio::awaitable<std::string> client::smtp_login(std::string const& user, std::string const& password, bool login) {
  if (co_await reply() != 220) co_return "greeting";
  std::string const ehlo = "EHLO bench.test\r\n";
  bool const sent_ehlo = co_await write(ehlo);
  if (!sent_ehlo) co_return "io";
  if (co_await reply() != 250) co_return "EHLO";
  if (login) {
    auto failure = co_await smtp_auth(user, password);
    if (!failure.empty()) co_return failure;
  }
  logged_in_at_ = std::chrono::steady_clock::now();
  std::string const quit = "QUIT\r\n";
  bool const sent_quit = co_await write(quit);
  if (!sent_quit) co_return "io";
  if (co_await reply() != 221) co_return "QUIT";
  co_return std::string();
}

asio::awaitable<std::string> client::smtp_auth(std::string const& user, std::string const& password) {
  std::string plain(1, '\0');
  plain += user;
  plain += '\0';
  plain += password;
  std::string const auth = "AUTH PLAIN " + base64(plain) + "\r\n";
  bool const sent_auth = co_await write(auth);
  if (!sent_auth) co_return "io";
  int const code = co_await reply();
  if (code != 235) co_return "AUTH " + std::to_string(code);
  co_return std::string();
}

asio::awaitable<int> client::ldap_answer(std::uint32_t id, unsigned char op) {
  for (;;) {
    ldap_message m;
    auto st = read_ldap_message(buf_, m);
    if (st == ber_status::malformed) co_return -1;
    if (st == ber_status::need_more) {
      bool const more = co_await fill();
      if (!more) co_return -1;
      continue;
    }
    buf_.erase(0, m.size);
    if (m.message_id == id && m.op == op) co_return m.result_code;
  }
}

asio::awaitable<std::string> client::ldap_bind(std::string const& dn, std::string const& password,
                                               std::vector<std::string> const& attributes) {
  auto const bind_id = ++ldap_id_;
  auto const bind = ber_simple_bind(bind_id, dn, password);
  bool const sent_bind = co_await write(bind);
  if (!sent_bind) co_return "io";
  int rc = co_await ldap_answer(bind_id, 0x61);
  if (rc != 0) co_return rc < 0 ? std::string("io") : "bind " + std::to_string(rc);
  logged_in_at_ = std::chrono::steady_clock::now();
  if (attributes.empty()) co_return std::string();
  auto const search_id = ++ldap_id_;
  auto const search = ber_base_search(search_id, dn, attributes);
  bool const sent_search = co_await write(search);
  if (!sent_search) co_return "io";
  rc = co_await ldap_answer(search_id, 0x65);
  if (rc != 0) co_return rc < 0 ? std::string("io") : "search " + std::to_string(rc);
  co_return std::string();
}

}  // namespace posta::bench::login_load
