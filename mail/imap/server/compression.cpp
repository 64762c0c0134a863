// zlib behind deflate_codec: the one file that includes it.
#include "mail/imap/server/compression.hpp"

#include <zlib.h>

namespace posta::mail::imap::server {

struct deflate_codec::streams {
  z_stream out{};
  z_stream in{};
  bool ok = false;
};

deflate_codec::deflate_codec() : z_(std::make_unique<streams>()) {
  // -15: raw deflate with a 32 KB window, as RFC 4978 4 asks.
  bool const out = deflateInit2(&z_->out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  bool const in = inflateInit2(&z_->in, -15) == Z_OK;
  z_->ok = out && in;
}

deflate_codec::~deflate_codec() {
  deflateEnd(&z_->out);
  inflateEnd(&z_->in);
}

std::string deflate_codec::compress(std::string_view plain) {
  std::string out;
  auto& s = z_->out;
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  s.avail_in = static_cast<uInt>(plain.size());
  char buf[16384];
  do {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof buf;
    deflate(&s, Z_SYNC_FLUSH);
    out.append(buf, sizeof buf - s.avail_out);
  } while (s.avail_out == 0);
  return out;
}

void deflate_codec::feed(std::string_view compressed) {
  input_.append(compressed);
  pending_ = !input_.empty();
}

result<std::string> deflate_codec::inflate(std::size_t max) {
  if (!z_->ok) return make_error(errc::internal, "zlib initialisation failed");
  std::string out(max, '\0');
  auto& s = z_->in;
  s.next_in = reinterpret_cast<Bytef*>(input_.data());
  s.avail_in = static_cast<uInt>(input_.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(max);
  int const rc = ::inflate(&s, Z_SYNC_FLUSH);
  if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END)
    return make_error(errc::protocol_error, "corrupt DEFLATE stream");
  input_.erase(0, input_.size() - s.avail_in);
  out.resize(max - s.avail_out);
  // A full output buffer may leave inflated bytes inside zlib.
  // No progress means zlib waits for more input.
  pending_ = !out.empty() && (!input_.empty() || s.avail_out == 0);
  return out;
}

}  // namespace posta::mail::imap::server
