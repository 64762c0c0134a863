// The DKIM signer (mail/dkim/signer.hpp) on messages in memory: the field's
// tags and folding, the body hash against an independent relaxed
// canonicalisation, which header fields are signed, reading a large body once
// in pieces, and the prefixed body the runner sends. That the signature
// verifies is checked with python3-dkim (tests/integration/outbound).
#include "core/util/base64.hpp"
#include "core/util/crypto_hash.hpp"
#include "mail/dkim/signer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <map>
#include <regex>

namespace posta::mail::dkim {
namespace {

using smtp::client::body_source;

identity::dkim_signing_key const& test_key() {
  static identity::dkim_signing_key const key = [] {
    identity::dkim_signing_key k;
    k.domain = "example.test";
    k.selector = "posta202501";
    k.private_key_pem = util::generate_rsa_key_blocking(2048).value().private_pem;
    return k;
  }();
  return key;
}

template <class T>
T run(asio::awaitable<T> aw) {
  asio::io_context io;
  auto done = asio::co_spawn(io, std::move(aw), asio::use_future);
  io.run();
  return done.get();
}

// A body source that records every read (offset, length).
class recording final : public body_source {
 public:
  explicit recording(std::string bytes) : inner_(smtp::client::memory_body(std::move(bytes))) {}
  std::int64_t size() const override { return inner_->size(); }
  asio::awaitable<result<std::string>> read(std::int64_t offset, std::int64_t length) override {
    reads.emplace_back(offset, length);
    co_return co_await inner_->read(offset, length);
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> reads;

 private:
  std::unique_ptr<body_source> inner_;
};

asio::awaitable<result<std::string>> sign_coroutine(body_source& message) {
  signer s(message);
  POSTA_CO_TRY(co_await s.read_header());
  co_return co_await s.sign(test_key(), "test");
}

result<std::string> sign_text(std::string const& message) {
  auto source = smtp::client::memory_body(message);
  return run(sign_coroutine(*source));
}

// tag -> value of the unfolded field, whitespace removed (RFC 6376 3.2).
std::map<std::string, std::string> tags_of(std::string field) {
  field = field.substr(field.find(':') + 1);
  std::string compact;
  for (char c : field)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
  std::map<std::string, std::string> out;
  std::size_t from = 0;
  while (from < compact.size()) {
    auto end = compact.find(';', from);
    if (end == std::string::npos) end = compact.size();
    auto item = compact.substr(from, end - from);
    if (auto eq = item.find('='); eq != std::string::npos) out[item.substr(0, eq)] = item.substr(eq + 1);
    from = end + 1;
  }
  return out;
}

std::string const header =
    "From: Ann Example <ann@example.test>\r\n"
    "To: bob@remote.test\r\n"
    "Subject: Quarterly  figures\r\n"
    "Date: Mon, 6 Jan 2025 10:00:00 +0000\r\n"
    "Message-ID: <q1@example.test>\r\n"
    "X-Mailer: test\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain;\r\n"
    "\tcharset=utf-8\r\n";

TEST(dkim_signer, field_tags) {
  auto field = sign_text(header + "\r\nHello.\r\n");
  ASSERT_TRUE(field) << field.error().message();
  EXPECT_TRUE(field->starts_with("DKIM-Signature: ")) << *field;
  EXPECT_TRUE(field->ends_with("\r\n"));
  // Folded with CRLF + WSP only: no bare LF, no empty line, lines of at most 78.
  auto lines = std::string_view(*field).substr(0, field->size() - 2);
  std::size_t start = 0;
  for (auto at = lines.find("\r\n"); at != std::string_view::npos; at = lines.find("\r\n", start)) {
    EXPECT_LE(at - start, 78u);
    ASSERT_LT(at + 2, lines.size());
    EXPECT_TRUE(lines[at + 2] == '\t' || lines[at + 2] == ' ') << *field;
    start = at + 2;
  }
  EXPECT_EQ(std::count(field->begin(), field->end(), '\n'), std::count(field->begin(), field->end(), '\r'));
  auto tags = tags_of(*field);
  EXPECT_EQ(tags["v"], "1");
  EXPECT_EQ(tags["a"], "rsa-sha256");
  EXPECT_EQ(tags["c"], "relaxed/relaxed");
  EXPECT_EQ(tags["d"], "example.test");
  EXPECT_EQ(tags["s"], "posta202501");
  EXPECT_FALSE(tags["b"].empty());
  EXPECT_TRUE(util::base64_decode(tags["b"]));
  EXPECT_EQ(util::base64_decode(tags["b"])->size(), 256u);  // one RSA-2048 signature
}

TEST(dkim_signer, signs_the_usual_fields_present_and_from_once_more) {
  auto field = sign_text(header + "\r\nHello.\r\n");
  ASSERT_TRUE(field) << field.error().message();
  auto h = tags_of(*field)["h"];
  std::vector<std::string> names;
  std::stringstream in(h);
  for (std::string name; std::getline(in, name, ':');) {
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    names.push_back(name);
  }
  auto count = [&](std::string const& n) { return std::count(names.begin(), names.end(), n); };
  EXPECT_EQ(count("from"), 2) << h;  // oversigned: a second From breaks the signature
  for (auto const* n : {"to", "subject", "date", "message-id", "mime-version", "content-type"}) EXPECT_EQ(count(n), 1) << n;
  for (auto const* n : {"cc", "reply-to", "in-reply-to", "references", "x-mailer", "content-transfer-encoding"})
    EXPECT_EQ(count(n), 0) << n << " in " << h;
}

// RFC 6376 3.4.4 done by hand: WSP runs become one SP, trailing WSP goes,
// empty lines at the end go, and the body ends with one CRLF.
TEST(dkim_signer, body_hash_is_the_relaxed_body) {
  std::string const body = "Hello  world \r\n\r\nsecond\t line\r\n\r\n\r\n";
  std::string const relaxed = "Hello world\r\n\r\nsecond line\r\n";
  auto field = sign_text(header + "\r\n" + body);
  ASSERT_TRUE(field) << field.error().message();
  EXPECT_EQ(tags_of(*field)["bh"], util::base64_encode(util::digest(util::hash_algorithm::sha256, relaxed)));
}

TEST(dkim_signer, bare_line_feeds_are_signed_as_they_are_sent) {
  // The client sends CRLF (data_encoder, crlf_normaliser): the hash is of that.
  auto crlf = sign_text(header + "\r\nline one\r\nline two\r\n");
  std::string lf_header = header;
  lf_header = std::regex_replace(lf_header, std::regex("\r\n"), "\n");
  auto lf = sign_text(lf_header + "\nline one\nline two\n");
  ASSERT_TRUE(crlf && lf);
  EXPECT_EQ(tags_of(*crlf)["bh"], tags_of(*lf)["bh"]);
}

TEST(dkim_signer, a_large_body_is_read_once_in_pieces) {
  std::string body;
  while (body.size() < 700 * 1024) body += "A line of the large attachment, numbered " + std::to_string(body.size()) + "\r\n";
  recording source(header + "\r\n" + body);
  auto field = run(sign_coroutine(source));
  ASSERT_TRUE(field) << field.error().message();
  std::int64_t expected = 0;
  for (auto const& [offset, length] : source.reads) {
    EXPECT_EQ(offset, expected) << "read again or out of order";
    EXPECT_LE(length, 64 * 1024);
    expected = offset + length;
  }
  EXPECT_EQ(expected, source.size());
  std::string canonical = body;  // no WSP to reduce, no trailing empty lines
  EXPECT_EQ(tags_of(*field)["bh"], util::base64_encode(util::digest(util::hash_algorithm::sha256, canonical)));
}

TEST(dkim_signer, from_domain) {
  auto domain_of = [](std::string const& message) {
    auto source = smtp::client::memory_body(message);
    signer s(*source);
    auto header_read = run(s.read_header());
    EXPECT_TRUE(header_read);
    return s.from_domain();
  };
  EXPECT_EQ(domain_of("From: Ann <ann@Example.TEST>\r\nTo: b@c.test\r\n\r\nx\r\n"), "example.test");
  EXPECT_EQ(domain_of("To: b@c.test\r\nFROM: a@one.test, b@two.test\r\n\r\nx\r\n"), "one.test");
  EXPECT_EQ(domain_of("From: a@B\xc3\xbc" "cher.example\r\n\r\n"), "xn--bcher-kva.example");
  EXPECT_EQ(domain_of("To: b@c.test\r\n\r\nFrom: a@body.test\r\n"), std::nullopt);
  EXPECT_EQ(domain_of("From: nobody\r\n\r\nx\r\n"), std::nullopt);
}

TEST(dkim_signer, a_message_without_from_is_not_signed) {
  auto field = sign_text("To: bob@remote.test\r\nSubject: no from\r\n\r\nHello.\r\n");
  EXPECT_FALSE(field);
}

TEST(dkim_signer, a_header_past_the_bound_is_not_read) {
  std::string big = "From: a@example.test\r\n";
  while (big.size() <= max_header_octets) big += "X-Filler: " + std::string(900, 'x') + "\r\n";
  auto source = smtp::client::memory_body(big + "\r\nbody\r\n");
  signer s(*source);
  auto header_read = run(s.read_header());
  ASSERT_FALSE(header_read);
  EXPECT_EQ(header_read.error().code, make_error_code(errc::limit_exceeded));
}

TEST(dkim_signer, a_message_that_is_all_header_is_signed) {
  auto field = sign_text("From: a@example.test\r\nSubject: nothing else");
  ASSERT_TRUE(field) << field.error().message();
  // An empty body is the empty string under relaxed (RFC 6376 3.4.4).
  EXPECT_EQ(tags_of(*field)["bh"], util::base64_encode(util::digest(util::hash_algorithm::sha256, "")));
}

asio::awaitable<std::string> read_all(body_source& source, std::int64_t piece) {
  std::string out;
  for (std::int64_t at = 0; at < source.size(); at += piece) out += (co_await source.read(at, piece)).value();
  co_return out;
}

TEST(dkim_signed_body, the_field_then_the_message_for_every_split) {
  std::string const field = "DKIM-Signature: v=1; a=rsa-sha256;\r\n\tb=abc\r\n";
  std::string const message = header + "\r\nHello.\r\n";
  auto source = with_field(field, smtp::client::memory_body(message));
  EXPECT_EQ(source->size(), static_cast<std::int64_t>(field.size() + message.size()));
  for (std::int64_t piece : {1, 7, 45, 46, 47, 1000})
    EXPECT_EQ(run(read_all(*source, piece)), field + message) << "pieces of " << piece;
  EXPECT_EQ(*run(source->read(40, 10)), (field + message).substr(40, 10));
}

}  // namespace
}  // namespace posta::mail::dkim
