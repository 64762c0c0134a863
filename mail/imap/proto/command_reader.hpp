// Incremental reader of IMAP client input (RFC 3501 2.2, 4.3, 7.5; RFC 7888
// LITERAL+/LITERAL-; RFC 3516 literal8): bytes in, in any split; complete
// commands out, with a decision point before each literal is read, so that a
// literal can be refused (NO [TOOBIG], BAD) before any of its bytes is held.
// Also raw lines on request: IDLE's "DONE" and AUTHENTICATE responses. A
// literal may instead be streamed: its bytes are handed out as they arrive
// (an APPEND's large message goes to the blob writer, never held here).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace posta::mail::imap::proto {

struct reader_limits {
  // SECURITY: bytes of one line (up to its CRLF, literals not counted):
  // imap.max_line_kb. A longer line is discarded as it arrives, never held.
  std::size_t max_line = 64 * 1024;
  // RFC 7888 LITERAL-: non-synchronizing literals above 4096 bytes are
  // refused by the reader itself. false: LITERAL+ (any size, the session decides).
  bool literal_minus = false;
};

namespace reader_events {

// Nothing complete yet: feed more bytes.
struct need_more {};

// A literal was announced; call accept_literal() or refuse_literal() before
// next(). For a synchronizing literal the session then sends "+ go ahead"
// (accepted) or its tagged NO/BAD (refused; the client sends no bytes). A
// refused non-synchronizing literal is read and discarded with the rest of
// its command.
struct literal {
  std::string tag;                  // "" when the first word is not a valid tag
  std::string verb;                 // upper case: "APPEND", "UID", "LOGIN"...
  std::uint64_t size = 0;           // saturates at UINT64_MAX
  bool synchronizing = true;        // {n}, not {n+}
  bool binary = false;              // literal8 ~{n}
  std::size_t literal_index = 0;    // 0 for the command's first literal
  std::uint64_t command_bytes = 0;  // bytes of this command so far (lines and accepted literals, streamed too)
  std::uint64_t held_bytes = 0;     // of which held by the reader (streamed literals are not)
};

// Bytes of a literal accepted with accept_literal_streamed(), in order, as
// they arrive; the view is valid until the next feed() or next().
struct literal_data {
  std::string_view bytes;
  bool last = false;  // the literal ends with these
};

// A whole command: its text without the final CRLF, literals inline (see
// parse_command). A bare LF ending a line is taken as CRLF.
struct command {
  std::string text;
  // Where each streamed literal's bytes would be in `text` (just after its
  // "{n}\r\n", in order): the bytes themselves are not there.
  std::vector<std::size_t> streamed = {};
};

// The raw line asked for with next_line(), without its CRLF.
struct line {
  std::string text;
};

enum class refusal {
  line_too_long,     // BAD; the rest of the line (and of its command) is discarded
  literal_too_long,  // LITERAL-: {n+} with n > 4096; BAD [TOOBIG] (RFC 7888 4)
};
// The reader skipped a command it cannot take; the session answers it.
struct refused {
  std::string tag;  // "" when none could be read: answer "* BAD"
  refusal reason;
};

}  // namespace reader_events

using reader_event = std::variant<reader_events::need_more, reader_events::literal, reader_events::literal_data,
                                  reader_events::command, reader_events::line, reader_events::refused>;

// The session's loop, in outline:
//   reader.feed(bytes_read);
//   for (auto e = reader.next(); !holds<need_more>(e); e = reader.next()) {
//     literal:  judge_literal(l, limits) == accept ? (accept_literal(), "+ go ahead" if synchronizing)
//                                                 : (refuse_literal(), tagged NO/BAD [TOOBIG])
//     command:  parse_command(text, options) -> run it, or tagged BAD with its error()
//     refused:  tagged (or "*") BAD
//   }
// and next_line() instead of next() while in IDLE or an AUTHENTICATE exchange.
class command_reader {
 public:
  explicit command_reader(reader_limits limits = {}) : limits_(limits) {}

  void set_limits(reader_limits limits) { limits_ = limits; }
  // Appends received bytes; they are looked at by next()/next_line().
  void feed(std::string_view bytes);
  // The next command (or decision, or refusal) from the bytes fed so far.
  reader_event next();
  // The next raw line (IDLE's DONE, an AUTHENTICATE response), between
  // commands only; line_too_long past max_line.
  reader_event next_line();

  // The answer to a literal event. A streamed literal's bytes come out as
  // literal_data events instead of being held in the command's text.
  void accept_literal();
  void accept_literal_streamed();
  void refuse_literal();

  // Bytes fed but not yet consumed (e.g. to hand over after STARTTLS, where
  // RFC 3501 6.2.1 says pipelined plaintext must be discarded: check empty()).
  std::size_t buffered() const noexcept { return buf_.size() - pos_; }
  // True when between commands (no partial command held).
  bool is_idle() const noexcept { return state_ == state::line && cmd_.empty(); }

 private:
  enum class state { line, literal, stream_literal, decision, skip_line, skip_literal };

  reader_event read_line_segment(bool raw);
  reader_event end_of_segment(bool raw);
  reader_event refuse(reader_events::refusal why);
  bool skip_line();
  bool skip_literal();
  void compact();
  void reset_command();

  reader_limits limits_;
  std::string buf_;
  std::size_t pos_ = 0;
  state state_ = state::line;
  std::string cmd_;                // the command so far
  std::size_t segment_start_ = 0;  // where the current line begins in cmd_
  std::size_t skipped_ = 0;        // bytes of the line being skipped (for its tail)
  std::string skip_tail_;          // last bytes of a skipped line: a {n+} there is still skipped
  std::uint64_t literal_left_ = 0;
  reader_events::literal pending_;
  std::size_t literals_ = 0;
  std::vector<std::size_t> streamed_;  // positions of this command's streamed literals in cmd_
  std::uint64_t streamed_bytes_ = 0;   // their sizes, for command_bytes
  bool raw_ = false;  // cmd_ holds part of a raw line
};

}  // namespace posta::mail::imap::proto
