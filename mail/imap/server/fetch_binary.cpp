// FETCH BINARY[section], BINARY[section]<offset.length> and BINARY.SIZE
// (RFC 3516 4.1-4.2): a part's content with its Content-Transfer-Encoding
// undone, decoded piece by piece from byte ranges of the blob, so that a
// large attachment is never held whole, encoded or decoded.
//
// BINARY.SIZE is not cached in the stored structure: computing it at
// delivery would decode every part of every message for a rarely asked
// item, and caching it at FETCH would turn a read into a write. It is one
// streaming pass over the part (nothing at all for an identity encoding).
#include "mail/imap/proto/response.hpp"
#include "mail/imap/server/session.hpp"
#include "mail/store/mailbox_store.hpp"

#include <cstring>
#include <functional>

namespace posta::mail::imap::server {
namespace {

// Encoded bytes read, and decoded bytes written, at a time.
constexpr std::uint64_t piece = 1 << 20;

using piece_sink = std::function<asio::awaitable<bool>(std::string const&)>;

// One pass over the encoded bytes [begin, end) of the message: each piece
// decoded through `w`, its window bytes handed to `sink`, until the window
// is complete. false from the sink (a failed write) ends the pass.
asio::awaitable<result<void>> decode_pass(store::mailbox_store& boxes, store::message_meta const& meta,
                                          std::uint64_t begin, std::uint64_t end, mime::decoded_window w,
                                          piece_sink const& sink) {
  std::string out;
  for (auto at = begin; at < end && !w.is_complete(); at += piece) {
    auto const len = std::min(piece, end - at);
    auto const from = static_cast<std::int64_t>(at);
    auto const count = static_cast<std::int64_t>(len);
    POSTA_CO_TRY_ASSIGN(auto bytes, co_await boxes.read(meta, from, count));
    if (bytes.size() != len) co_return make_error(errc::io_error, "short read of a message");
    out.clear();
    w.feed(bytes, out);
    if (at + len == end) w.finish(out);
    bool const more = co_await sink(out);
    if (!more) co_return make_error(errc::io_error, "write");
  }
  co_return result<void>{};
}

}  // namespace

asio::awaitable<result<void>> session::fetch_binary(proto::fetch_att const& a, store::message_meta const& meta,
                                                    mime::transfer_encoding encoding, std::uint64_t begin,
                                                    std::uint64_t end, std::string& line) {
  auto& boxes = *ctx_.mailboxes;
  bool const size_only = a.item == proto::fetch_item::binary_size;
  std::uint64_t offset = a.partial && !size_only ? a.partial->offset : 0;
  std::uint64_t length = a.partial && !size_only ? a.partial->length : mime::decoded_window::to_the_end;
  if (encoding == mime::transfer_encoding::identity) {  // nothing to decode: the window is a byte range
    begin = std::min(end, begin + offset);
    end = std::min(end, begin + std::min(length, end - begin));
    offset = 0;
    length = mime::decoded_window::to_the_end;
    if (size_only) {
      line += std::to_string(end - begin);
      co_return result<void>{};
    }
  }
  // Pass 1: the size of the window (BINARY.SIZE, or the literal's length)
  // and whether it holds a NUL (then literal8, RFC 3516 4.2). A small part
  // is decoded in one piece and kept.
  std::uint64_t size = 0;
  bool nul = false;
  std::string kept;
  bool const keep = !size_only && end - begin <= piece;
  piece_sink measure = [&](std::string const& out) -> asio::awaitable<bool> {
    size += out.size();
    nul = nul || std::memchr(out.data(), '\0', out.size()) != nullptr;
    if (keep) kept += out;
    co_return true;
  };
  POSTA_CO_TRY(co_await decode_pass(boxes, meta, begin, end, mime::decoded_window(encoding, offset, length), measure));
  if (size_only) {
    line += std::to_string(size);
    co_return result<void>{};
  }
  if (keep) {
    proto::append_literal(line, kept, nul);
    co_return result<void>{};
  }
  // Pass 2: the literal written as it is decoded, a piece at a time.
  line += (nul ? "~{" : "{") + std::to_string(size) + "}\r\n";
  send(line);
  line.clear();
  std::uint64_t sent = 0;
  piece_sink write = [&](std::string const& out) -> asio::awaitable<bool> {
    sent += out.size();
    send(out);
    bool const flushed = co_await flush();
    co_return flushed;
  };
  POSTA_CO_TRY(co_await decode_pass(boxes, meta, begin, end, mime::decoded_window(encoding, offset, length), write));
  // A blob never changes, so the second pass decodes what the first counted.
  if (sent != size) co_return make_error(errc::io_error, "message changed while it was read");
  co_return result<void>{};
}

}  // namespace posta::mail::imap::server
