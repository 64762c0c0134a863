// RETR and TOP (RFC 1939 7): the message streamed from the store in ranges
// through the byte-stuffing encoder, never held whole; QUIT's UPDATE state
// (RFC 1939 6): the marked messages expunged in one transaction.
#include "core/journal/journal.hpp"
#include "mail/pop3/proto/message_encoder.hpp"
#include "mail/pop3/server/session.hpp"

#include <algorithm>

namespace posta::mail::pop3::server {
namespace {
// Bytes read from the store at a time: large enough for few round trips,
// small enough that a session holds little. TOP usually needs only the header.
constexpr std::int64_t retr_chunk = 256 * 1024;
constexpr std::int64_t top_chunk = 16 * 1024;
}  // namespace

asio::awaitable<bool> session::act(proto::send_message a) {
  auto where = co_await ctx_.maildrops.locate(*inbox_, a.uid);
  std::int64_t const chunk = a.top_lines ? top_chunk : retr_chunk;
  result<std::string> first = std::string();
  if (where && *where) first = co_await ctx_.maildrops.read(**where, 0, std::min(chunk, (*where)->size));
  if (!where || !first) {
    journal::record(journal::level::error, std::string(listener_name(kind_)), "message not read",
                    {{"client_ip", client_ip_}, {"user", authenticated_as_}, {"uid", a.uid},
                     {"error", !where ? where.error().message() : first.error().message()}});
  }
  if (!where || !*where || !first) {
    auto refusal = machine_.on_message_failed(where && !*where);
    bool keep_going = co_await act(std::move(refusal));
    co_return keep_going;
  }
  auto status = proto::format_status(a.status);
  output_ += status;
  proto::message_encoder encoder(a.top_lines);
  bool sent = co_await stream_message(**where, std::move(*first), encoder);
  if (!sent) co_return false;
  machine_.on_message_sent();
  co_return true;
}

// Feeds the message through the encoder a range at a time, flushing as the
// output grows. A read failing after the status line went out cannot be
// reported in POP3: the connection is closed (the client retries).
asio::awaitable<bool> session::stream_message(message_location const& where, std::string first_chunk,
                                              proto::message_encoder& encoder) {
  std::int64_t const chunk = static_cast<std::int64_t>(first_chunk.size());
  std::int64_t offset = chunk;
  encoder.feed(first_chunk, output_);
  first_chunk = std::string();
  while (!encoder.is_done() && offset < where.size && chunk > 0) {
    if (output_.size() >= flush_threshold) {
      bool flushed = co_await flush();
      if (!flushed) co_return false;
    }
    auto piece = co_await ctx_.maildrops.read(where, offset, std::min(chunk, where.size - offset));
    if (!piece || piece->empty()) {
      journal::record(journal::level::error, std::string(listener_name(kind_)), "message read failed mid-transfer",
                      {{"client_ip", client_ip_}, {"user", authenticated_as_},
                       {"error", piece ? std::string("short read") : piece.error().message()}});
      co_return false;
    }
    offset += static_cast<std::int64_t>(piece->size());
    encoder.feed(*piece, output_);
  }
  encoder.finish(output_);
  bool sent = co_await send(std::string(), false);
  co_return sent;
}

asio::awaitable<bool> session::act(proto::commit_update a) {
  auto const count = a.uids.size();
  auto removed = co_await ctx_.maildrops.expunge(*inbox_, std::move(a.uids));
  if (!removed)
    journal::record(journal::level::error, std::string(listener_name(kind_)), "messages not deleted at QUIT",
                    {{"client_ip", client_ip_}, {"user", authenticated_as_}, {"error", removed.error().message()}});
  else
    journal::record(journal::level::info, std::string(listener_name(kind_)), "messages deleted at QUIT",
                    {{"client_ip", client_ip_}, {"user", authenticated_as_}, {"marked", count}, {"removed", *removed}});
  // DURABILITY: +OK only after the expunge committed (WAL flushed); a crash
  // before leaves every message in place and the client sees no +OK, so it
  // keeps its copies and will delete them again next time.
  auto outcome = machine_.on_update_outcome(removed.has_value());
  bool keep_going = co_await act(std::move(outcome));
  co_return keep_going;
}

}  // namespace posta::mail::pop3::server
