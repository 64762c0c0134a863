// One transaction on an open connection: what the message needs from the
// peer (SMTPUTF8 or RFC 2047 headers, its size against SIZE), then the
// transaction machine driven over the stream, the body read a range at a
// time through DATA transparency or BDAT chunks. RFC 5321 3.3, 4.5.2;
// RFC 1870 6; RFC 6531 3.2; RFC 3030 2-4; RFC 2920 3.1.
#include "mail/smtp/client/connection.hpp"

#include "mail/smtp/client/error_map.hpp"
#include "mail/smtp/client/proto/data_encoder.hpp"
#include "mail/smtp/client/proto/header_encoding.hpp"
#include "mail/smtp/proto/crlf_normaliser.hpp"

#include <algorithm>

namespace posta::mail::smtp::client {
namespace {

// Bytes read from the store and written to the peer at a time: few round
// trips, little memory per connection.
constexpr std::int64_t piece_octets = 64 * 1024;
constexpr std::int64_t header_read_octets = 16 * 1024;

bool has_utf8_address(outbound_message const& m) {
  auto utf8 = [](smtp::proto::path const& p) { return p.mailbox && p.mailbox->has_non_ascii(); };
  return utf8(m.sender) ||
         std::any_of(m.recipients.begin(), m.recipients.end(), [&](auto const& r) { return utf8(r.forward_path); });
}

// The header block, when the body has one within the bound; else "" (sent as it is).
asio::awaitable<result<std::string>> read_header(body_source& body, std::size_t max) {
  std::string header;
  while (header.size() < max && static_cast<std::int64_t>(header.size()) < body.size()) {
    auto want = std::min<std::int64_t>(header_read_octets, body.size() - static_cast<std::int64_t>(header.size()));
    POSTA_CO_TRY_ASSIGN(auto piece, co_await body.read(static_cast<std::int64_t>(header.size()), want));
    if (piece.empty()) co_return make_error(errc::io_error, "short read of the message header");
    header += piece;
    auto end = proto::header_section_end(header);
    if (end != std::string_view::npos) co_return header.substr(0, end);
  }
  if (static_cast<std::int64_t>(header.size()) == body.size()) co_return header;  // all header, no body
  co_return std::string();
}

}  // namespace

struct connection::prepared {
  proto::transaction_request request;
  body_source* body = nullptr;
  std::string prefix;        // sent before the body from `offset` on: the rewritten header
  std::int64_t offset = 0;

  bool at_end() const { return prefix.empty() && offset >= body->size(); }

  // The next piece of what goes out; an error when the store fails or falls short.
  asio::awaitable<result<std::string>> next(std::int64_t max) {
    if (!prefix.empty()) co_return std::exchange(prefix, {});
    auto piece = co_await body->read(offset, std::min(max, body->size() - offset));
    if (piece && piece->empty()) co_return make_error(errc::io_error, "short read of the message body");
    if (piece) offset += static_cast<std::int64_t>(piece->size());
    co_return piece;
  }
};

asio::awaitable<smtp::proto::reply_or<connection::prepared>> connection::prepare(outbound_message const& m) {
  prepared p{{m.sender, m.params, m.recipients, needs_rset_, true}, m.body, {}, 0};
  bool const utf8 = m.params.smtputf8 || has_utf8_address(m);
  p.request.params.smtputf8 = utf8;  // sent only if the peer offers it (commands.cpp)
  if (utf8 && !peer_.smtputf8) {
    if (has_utf8_address(m)) co_return utf8_envelope_refused();
    if (options_.encode_utf8_headers) {
      auto header = co_await read_header(*m.body, options_.max_header_octets);
      if (!header) co_return body_unreadable(header.error());
      auto encoded = proto::encode_utf8_headers(*header);
      if (!encoded) co_return encoded.error();  // 553 5.6.7: a UTF-8 address in the header
      if (encoded->changed) {
        p.prefix = std::move(encoded->header);
        p.offset = static_cast<std::int64_t>(header->size());
      }
    }
  }
  auto size = static_cast<std::uint64_t>(p.prefix.size()) + static_cast<std::uint64_t>(m.body->size() - p.offset);
  if (peer_.size && *peer_.size > 0 && size > *peer_.size) co_return message_too_big_for_peer(*peer_.size);
  p.request.params.size = size;
  co_return p;
}

asio::awaitable<std::vector<recipient_result>> connection::send(outbound_message const& message) {
  std::vector<recipient_result> results;
  auto p = co_await prepare(message);
  if (!p) {
    for (std::size_t i = 0; i < message.recipients.size(); ++i) results.push_back({p.error(), false});
    co_return results;
  }
  proto::transaction t(p->request, peer_);
  co_await run(t, *p);
  needs_rset_ = t.needs_rset();
  if (t.is_closed()) usable_ = false;
  for (std::size_t i = 0; i < t.recipients(); ++i) results.push_back({t.outcome(i), t.is_delivered(i)});
  co_return results;
}

asio::awaitable<void> connection::run(proto::transaction& t, prepared& p) {
  bool body_sent = false;
  for (;;) {
    auto step = t.next();
    if (step == proto::transaction::step::done) co_return;
    if (step == proto::transaction::step::write) {
      auto w = co_await write(t.take_output(), options_.command_timeout);
      if (!w) t.abandon(connection_failed("sending commands", w.error()));
    } else if (step == proto::transaction::step::read_reply) {
      // RFC 5321 4.5.3.2.6: the reply to the end of data may take 10 minutes.
      auto r = co_await read_reply(body_sent ? options_.data_end_timeout : options_.command_timeout);
      if (r) t.on_reply(*r);
      else t.abandon(connection_failed("waiting for a reply", r.error()));
    } else {
      std::optional<reply> failure;
      if (t.uses_bdat()) failure = co_await send_chunks(t, p);
      else failure = co_await send_data(p);
      body_sent = true;
      if (failure) t.abandon(*failure);
      else t.on_body_sent();
    }
  }
}

asio::awaitable<std::optional<smtp::proto::reply>> connection::send_data(prepared& p) {
  std::string out;
  proto::data_encoder encoder([&out](std::string_view piece) { out.append(piece); });
  while (!p.at_end()) {
    auto piece = co_await p.next(piece_octets);
    if (!piece) co_return body_unreadable(piece.error());  // mid-DATA: only closing can stop it
    encoder.feed(*piece);
    if (out.size() < static_cast<std::size_t>(piece_octets)) continue;
    auto w = co_await write(out, options_.data_block_timeout);
    if (!w) co_return connection_failed("sending the message", w.error());
    out.clear();
  }
  encoder.finish();
  auto w = co_await write(out, options_.data_block_timeout);
  if (!w) co_return connection_failed("sending the message", w.error());
  co_return std::nullopt;
}

// RFC 3030 2: chunks are sent verbatim, so line ends are made CRLF here.
asio::awaitable<std::optional<smtp::proto::reply>> connection::send_chunks(proto::transaction& t, prepared& p) {
  std::string chunk;
  smtp::proto::crlf_normaliser normaliser([&chunk](std::string_view piece) { chunk.append(piece); });
  for (bool last = false; !last && t.can_send_chunk();) {
    if (!p.at_end()) {
      auto piece = co_await p.next(piece_octets);
      if (!piece) co_return body_unreadable(piece.error());
      normaliser.feed(*piece);
    }
    last = p.at_end();
    if (last) normaliser.finish();
    auto w = co_await write(t.bdat_header(chunk.size(), last) + chunk, options_.data_block_timeout);
    if (!w) co_return connection_failed("sending the message", w.error());
    chunk.clear();
    if (peer_.pipelining) continue;  // replies are read after the last chunk
    auto r = co_await read_reply(last ? options_.data_end_timeout : options_.command_timeout);
    if (!r) co_return connection_failed("waiting for a reply", r.error());
    t.on_reply(*r);
  }
  co_return std::nullopt;
}

}  // namespace posta::mail::smtp::client
