// Splitting an IMAP server's byte stream into whole responses (RFC 9051
// 2.2.2, 4.3): a response is one line, except that a line ending in a
// literal announcement "{n}" (or "~{n}", BINARY) goes on after exactly n
// bytes of literal data, which may contain anything, CRLF and "tag OK"
// included. Status responses (OK, NO, BAD, BYE, PREAUTH) and continuation
// requests ("+") end at their first CRLF: their text is free text, and a
// text that happens to end in "{5}" announces nothing. Pure: no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace posta::bench::imap_load {

enum class response_kind { untagged, tagged, continuation };

struct response {
  response_kind kind = response_kind::untagged;
  std::string_view tag;     // the tag of a tagged response
  std::string_view status;  // OK/NO/BAD/BYE/PREAUTH (as sent), or empty
  std::string_view text;    // the whole response with its literals, without the last CRLF
  std::size_t literal_bytes = 0;
};

enum class read_status { complete, need_more, malformed };

class response_reader {
 public:
  // SECURITY: a line (outside literals) longer than max_line, or a literal
  // longer than max_literal, is malformed: the reader never buffers without bound.
  explicit response_reader(std::size_t max_line = 1 << 20, std::size_t max_literal = 256u << 20)
      : max_line_(max_line), max_literal_(max_literal) {}

  void feed(std::string_view bytes);
  // The next whole response; its views stay valid until the next feed() or next().
  read_status next(response& out);
  std::size_t buffered() const { return buf_.size() - start_; }

 private:
  void compact();

  std::string buf_;
  std::size_t start_ = 0;        // first byte of the response being read
  std::size_t scan_ = 0;         // where the search for the next CRLF resumes
  std::size_t segment_ = 0;      // first byte of the current line segment
  std::size_t literal_end_ = 0;  // end of an announced literal not yet received (0: none)
  std::size_t literals_ = 0;     // literal bytes so far in this response
  std::size_t max_line_, max_literal_;
};

// "OK", "NO" … compared case-insensitively.
bool status_is(std::string_view status, std::string_view word);

}  // namespace posta::bench::imap_load
