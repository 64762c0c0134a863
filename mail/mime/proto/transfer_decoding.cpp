// RFC 2045 6.7 and 6.8 decoders as byte-at-a-time state machines, so chunk
// boundaries never change the result.
#include "mail/mime/proto/transfer_decoding.hpp"

#include <algorithm>

namespace posta::mail::mime {

namespace {

constexpr std::size_t chunk_bytes = std::size_t{64} * 1024;

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;  // COMPAT: lowercase, though RFC 2045 says uppercase
  return -1;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Runs a decoder over `body` in bounded chunks, handing each piece of
// output to `sink` and reusing one buffer.
template <class Sink>
void decode_chunks(transfer_encoding encoding, std::string_view body, Sink&& sink) {
  transfer_decoder d(encoding);
  std::string out;
  for (std::size_t pos = 0; pos < body.size(); pos += chunk_bytes) {
    out.clear();
    d.feed(body.substr(pos, chunk_bytes), out);
    sink(out);
  }
  out.clear();
  d.finish(out);
  sink(out);
}

}  // namespace

std::optional<transfer_encoding> classify_transfer_encoding(std::optional<std::string> const& cte) {
  if (!cte || cte->empty() || *cte == "7bit" || *cte == "8bit" || *cte == "binary") return transfer_encoding::identity;
  if (*cte == "base64") return transfer_encoding::base64;
  if (*cte == "quoted-printable") return transfer_encoding::quoted_printable;
  return std::nullopt;
}

void transfer_decoder::feed(std::string_view chunk, std::string& out) {
  switch (encoding_) {
    case transfer_encoding::identity:
      out.append(chunk);
      return;
    case transfer_encoding::base64:
      feed_base64(chunk, out);
      return;
    case transfer_encoding::quoted_printable:
      for (char c : chunk) feed_qp(c, out);
      return;
  }
}

void transfer_decoder::finish(std::string& out) {
  if (encoding_ == transfer_encoding::base64) flush_base64(out);
  if (encoding_ == transfer_encoding::quoted_printable) finish_qp(out);
}

void transfer_decoder::feed_base64(std::string_view chunk, std::string& out) {
  for (char c : chunk) {
    if (c == '=') {
      flush_base64(out);  // padding ends the quantum
      continue;
    }
    int v = base64_value(c);
    if (v < 0) continue;  // RFC 2045 6.8: line breaks and other characters are ignored
    quantum_ = (quantum_ << 6) | static_cast<std::uint32_t>(v);
    if (++sextets_ == 4) {
      out.push_back(static_cast<char>(quantum_ >> 16));
      out.push_back(static_cast<char>(quantum_ >> 8));
      out.push_back(static_cast<char>(quantum_));
      quantum_ = 0;
      sextets_ = 0;
    }
  }
}

// A partial quantum of 2 or 3 sextets still carries 1 or 2 bytes; a single
// sextet carries none.
void transfer_decoder::flush_base64(std::string& out) {
  if (sextets_ >= 2) {
    auto bits = quantum_ << (6 * (4 - sextets_));
    out.push_back(static_cast<char>(bits >> 16));
    if (sextets_ == 3) out.push_back(static_cast<char>(bits >> 8));
  }
  quantum_ = 0;
  sextets_ = 0;
}

void transfer_decoder::feed_qp(char c, std::string& out) {
  bool consumed = qp_ == qp_state::text || qp_ == qp_state::cr ? qp_text(c, out) : qp_escape(c, out);
  if (!consumed) qp_text(c, out);  // now in state text, which takes every byte
}

// Plain text: white space waits in pending_ until we know whether the line
// ends after it (then it is transport padding and goes).
bool transfer_decoder::qp_text(char c, std::string& out) {
  if (qp_ == qp_state::cr) {
    qp_ = qp_state::text;
    if (c == '\n') {
      pending_.clear();
      out += "\r\n";
      return true;
    }
    out += pending_;
    out += '\r';
    pending_.clear();
    return false;
  }
  if (is_blank(c)) {
    pending_ += c;
    if (pending_.size() > max_pending_whitespace) {
      out += pending_;
      pending_.clear();
    }
    return true;
  }
  if (c == '\r') {
    qp_ = qp_state::cr;
    return true;
  }
  if (c == '\n') pending_.clear();
  out += pending_;
  pending_.clear();
  if (c == '=')
    qp_ = qp_state::eq;
  else
    out += c;
  return true;
}

// After "=": two hex digits, or a soft line break (white space allowed
// before it); anything else is kept literally.
bool transfer_decoder::qp_escape(char c, std::string& out) {
  auto literal = [&](std::string_view tail) {
    out += '=';
    out += tail;
    pending_.clear();
    qp_ = qp_state::text;
    return false;
  };
  switch (qp_) {
    case qp_state::eq:
      if (hex_value(c) >= 0) {
        hex_ = c;
        qp_ = qp_state::eq_hex;
        return true;
      }
      if (is_blank(c) || c == '\r' || c == '\n') {
        qp_ = qp_state::eq_ws;
        return qp_escape(c, out);
      }
      return literal("");
    case qp_state::eq_hex:
      if (hex_value(c) < 0) return literal(std::string_view(&hex_, 1));
      out += static_cast<char>(hex_value(hex_) * 16 + hex_value(c));
      qp_ = qp_state::text;
      return true;
    case qp_state::eq_ws:
      if (is_blank(c) && pending_.size() < max_pending_whitespace) {
        pending_ += c;
        return true;
      }
      if (c == '\r') {
        qp_ = qp_state::eq_cr;
        return true;
      }
      if (c == '\n') {
        pending_.clear();
        qp_ = qp_state::text;  // soft line break
        return true;
      }
      return literal(std::string(pending_));
    case qp_state::eq_cr:
      if (c == '\n') {
        pending_.clear();
        qp_ = qp_state::text;  // soft line break
        return true;
      }
      return literal(pending_ + '\r');
    default:
      return false;
  }
}

// End of input ends the last line: its trailing white space goes, and a
// final "=" is a soft line break with nothing after it.
void transfer_decoder::finish_qp(std::string& out) {
  if (qp_ == qp_state::cr) out += pending_ + '\r';
  if (qp_ == qp_state::eq_hex) {
    out += '=';
    out += hex_;
  }
  pending_.clear();
  qp_ = qp_state::text;
}

// Cuts what the decoder appended after `from` down to the window's bytes.
void decoded_window::keep(std::string& out, std::size_t from) {
  auto const got = static_cast<std::uint64_t>(out.size() - from);
  auto const first = decoded_;
  decoded_ += got;
  auto const lo = std::clamp(offset_, first, decoded_) - first;
  auto const hi = std::clamp(end_, first, decoded_) - first;
  out.erase(from + hi, std::string::npos);
  out.erase(from, lo);
}

void decoded_window::feed(std::string_view chunk, std::string& out) {
  if (is_complete()) return;
  auto const from = out.size();
  decoder_.feed(chunk, out);
  keep(out, from);
}

void decoded_window::finish(std::string& out) {
  if (is_complete()) return;
  auto const from = out.size();
  decoder_.finish(out);
  keep(out, from);
}

std::string decode_transfer(transfer_encoding encoding, std::string_view body) {
  std::string decoded;
  decode_chunks(encoding, body, [&](std::string const& piece) { decoded += piece; });
  return decoded;
}

std::uint64_t decoded_size(transfer_encoding encoding, std::string_view body) {
  std::uint64_t size = 0;
  decode_chunks(encoding, body, [&](std::string const& piece) { size += piece.size(); });
  return size;
}

}  // namespace posta::mail::mime
