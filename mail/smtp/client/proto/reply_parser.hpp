// The client side of SMTP replies: bytes from the server in, complete
// (multi-line) replies out. RFC 5321 4.2 (Reply-line, multiline replies with
// "-"), 4.2.1 (the code on every line), 4.5.3.1.5 (reply line length);
// RFC 2034 / RFC 3463 (the enhanced status code leading each line's text).
#pragma once

#include "mail/smtp/proto/reply.hpp"

#include <boost/system/result.hpp>

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace posta::mail::smtp::client::proto {

using smtp::proto::reply;

struct reply_limits {
  // SECURITY: RFC 5321 4.5.3.1.5 allows 512 octets a reply line; real
  // servers send longer texts, so the bound is wider, but a peer cannot make
  // the client buffer without limit.
  std::size_t max_line_octets = 2048;  // without the line end
  // SECURITY: lines of one reply (an EHLO reply has a few dozen at most).
  std::size_t max_lines = 128;
};

enum class reply_error {
  bad_syntax = 1,     // no 3-digit code 2xx..5xx, or no " " / "-" after it
  code_mismatch,      // a continuation line with another code than the first
  line_too_long,
  too_many_lines,
};

std::string_view to_string(reply_error e) noexcept;

using parsed_reply = boost::system::result<reply, reply_error>;

// Feed bytes as they arrive, split anywhere; take replies with next(). A
// reply is `code`, `enhanced` (when every line's text starts with the same
// x.y.z of the code's class) and the texts of its lines with that code
// removed. COMPAT(server): a bare LF ends a line as CRLF does; that is safe
// here, where no line is ever content. After an error the parser stays
// failed: the connection is no longer in step and must be closed.
class reply_parser {
 public:
  explicit reply_parser(reply_limits limits = {}) : limits_(limits) {}

  void feed(std::string_view bytes);
  std::optional<parsed_reply> next();  // nullopt: no complete reply yet

  // Bytes received after the replies taken so far (queued replies or a
  // partial line). SECURITY: after the 220 to STARTTLS there must be none:
  // they were sent in plaintext, maybe injected (CVE-2011-0411 the other
  // way round), and the session treats them as a broken peer.
  bool has_pending() const noexcept { return !ready_.empty() || !line_.empty() || !current_.lines.empty(); }
  bool has_failed() const noexcept { return failure_.has_value(); }

 private:
  void on_line(std::string_view line);
  void fail(reply_error e);
  void finish_reply();

  reply_limits limits_;
  std::string line_;               // the partial line
  reply current_;                  // lines of the reply being read
  std::deque<reply> ready_;
  std::optional<reply_error> failure_;
};

// The x.y.z at the start of `text` when it is a valid RFC 3463 code of
// `code`'s class ("2.1.5" for a 250), else empty.
std::string_view leading_enhanced_code(int code, std::string_view text) noexcept;

}  // namespace posta::mail::smtp::client::proto
