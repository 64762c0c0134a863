// Pure incremental line splitter for the text protocols (SMTP RFC 5321 §2.3.8,
// IMAP RFC 9051 §2.2, POP3 RFC 1939 §3): bytes in, bounded CRLF lines out.
// No I/O; line_reader drives it over a stream.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace posta::net {

struct line_limits {
  // SECURITY: the longest line content accepted, terminator excluded. Longer
  // lines are never buffered whole: the splitter drops their bytes as they
  // come and reports too_long once, when the line's terminator arrives.
  std::size_t max_line = 8192;
  // COMPAT: some clients end lines with a bare LF. Off by default, so that a
  // bare LF inside a line stays part of it (and the protocol parser rejects it).
  bool accept_bare_lf = false;
};

class line_splitter {
 public:
  enum class status { line, too_long, need_more };
  struct outcome {
    status what;
    std::string_view line;  // without terminator; only for status::line
  };

  explicit line_splitter(line_limits limits = {});

  // Appends bytes. Invalidates views returned by next() and buffered().
  void feed(std::string_view bytes);
  // Zero-copy feeding: write up to n bytes into prepare(n), then commit(written).
  std::span<char> prepare(std::size_t n);
  void commit(std::size_t n);

  // The next complete line, a too_long report, or need_more. The line view
  // stays valid until the next call to any non-const member.
  outcome next();

  // Bytes received but not yet returned as lines (e.g. a DATA body or an IMAP
  // literal that followed a command in the same packet).
  std::string_view buffered() const;
  void consume(std::size_t n);
  std::string take_buffered();
  // Drops everything buffered and any too-long line in progress. Returns how
  // many bytes were dropped. SECURITY: call before a TLS upgrade (STARTTLS),
  // so nothing sent in plaintext is read as if it came inside TLS.
  std::size_t clear();

  line_limits const& limits() const { return limits_; }
  void set_limits(line_limits limits) { limits_ = limits; }
  bool is_discarding() const { return discarding_; }
  std::size_t bytes_held() const { return buf_.size(); }  // for tests of the bound

 private:
  std::size_t find_terminator(std::size_t& terminator_size);
  void compact();
  void start_discarding();

  line_limits limits_;
  std::string buf_;
  std::size_t start_ = 0;  // first unconsumed byte
  std::size_t scan_ = 0;   // bytes before this were searched for '\n' already
  std::size_t prepared_ = 0;  // bytes handed out by prepare(), not yet committed
  bool discarding_ = false;
};

}  // namespace posta::net
