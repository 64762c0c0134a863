// Content-Transfer-Encoding decoding (RFC 2045 6.7 quoted-printable, 6.8
// base64) for IMAP BINARY[section] and BINARY.SIZE (RFC 3516) and for the
// text search. Streaming: a body is decoded chunk by chunk, so a large part
// is never held twice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace posta::mail::mime {

enum class transfer_encoding { identity, base64, quoted_printable };  // identity: 7bit, 8bit, binary

// The encoding named by a part's (lowercase) Content-Transfer-Encoding;
// none means 7bit. nullopt for an encoding we cannot decode, which BINARY
// answers with NO [UNKNOWN-CTE] (RFC 3516 4.3).
std::optional<transfer_encoding> classify_transfer_encoding(std::optional<std::string> const& cte);

// Lenient like every mail reader: base64 skips characters outside its
// alphabet and stops a quantum at "="; quoted-printable keeps a malformed
// "=" sequence as it is, removes soft line breaks and, per RFC 2045 6.7
// rule 3, white space at the end of a line. Line ends are kept as they are.
class transfer_decoder {
 public:
  // SECURITY: quoted-printable holds back white space until it knows whether
  // the line ends there; a longer run is passed through, so the decoder never
  // holds more than this many bytes of a hostile body.
  static constexpr std::size_t max_pending_whitespace = 4096;

  explicit transfer_decoder(transfer_encoding encoding) : encoding_(encoding) {}

  // Appends the decoded bytes of `chunk` to `out`; chunks may split anywhere.
  void feed(std::string_view chunk, std::string& out);
  // Appends what the end of the input settles; the decoder is then reset.
  void finish(std::string& out);

 private:
  enum class qp_state : std::uint8_t { text, cr, eq, eq_hex, eq_ws, eq_cr };

  void feed_base64(std::string_view chunk, std::string& out);
  void flush_base64(std::string& out);
  void feed_qp(char c, std::string& out);
  bool qp_text(char c, std::string& out);  // false: reprocess c in state text
  bool qp_escape(char c, std::string& out);
  void finish_qp(std::string& out);

  transfer_encoding encoding_;
  std::uint32_t quantum_ = 0;  // base64: sextets so far, big-endian
  int sextets_ = 0;
  qp_state qp_ = qp_state::text;
  std::string pending_;  // quoted-printable: held-back white space
  char hex_ = 0;         // quoted-printable: first digit of "=XY"
};

// The decoded bytes [offset, offset + length) of a body fed in encoded
// chunks (BINARY[section]<offset.length>, RFC 3516 4.1): only the window is
// handed out, so a large part is decoded in pieces of bounded size.
class decoded_window {
 public:
  static constexpr std::uint64_t to_the_end = UINT64_MAX;

  decoded_window(transfer_encoding encoding, std::uint64_t offset, std::uint64_t length = to_the_end)
      : decoder_(encoding), offset_(offset), end_(length > UINT64_MAX - offset ? UINT64_MAX : offset + length) {}

  // Appends to `out` the window's bytes that `chunk` decodes to.
  void feed(std::string_view chunk, std::string& out);
  // The same for the end of the input.
  void finish(std::string& out);
  // Every byte of the window has been handed out: the rest of the input
  // changes nothing.
  bool is_complete() const noexcept { return decoded_ >= end_; }
  std::uint64_t decoded() const noexcept { return decoded_; }  // all bytes decoded so far

 private:
  void keep(std::string& out, std::size_t from);

  transfer_decoder decoder_;
  std::uint64_t offset_, end_;
  std::uint64_t decoded_ = 0;
};

// Whole-buffer conveniences, decoding in bounded chunks internally.
std::string decode_transfer(transfer_encoding encoding, std::string_view body);
// BINARY.SIZE: the decoded size, without keeping the decoded bytes.
std::uint64_t decoded_size(transfer_encoding encoding, std::string_view body);

}  // namespace posta::mail::mime
