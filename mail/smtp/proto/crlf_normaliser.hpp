// Line ending normalisation: bare LF and bare CR become CRLF, the canonical
// form of RFC 5321 2.3.8 and RFC 5322 2.1. Incremental, for BDAT chunks whose
// bytes are otherwise taken verbatim (RFC 3030 2); the DATA decoder does the
// same inside its own state machine.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace posta::mail::smtp::proto {

class crlf_normaliser {
 public:
  using sink = std::function<void(std::string_view)>;

  explicit crlf_normaliser(sink out) : out_(std::move(out)) {}

  // Any split of the input gives the same output: a CR at the end of one
  // piece waits for the next to see whether an LF follows.
  void feed(std::string_view input);

  // End of input: a CR still waiting becomes CRLF.
  void finish();

  std::uint64_t octets() const noexcept { return octets_; }  // written to the sink
  // A bare CR or bare LF was seen (and written as CRLF).
  bool has_bare_line_end() const noexcept { return bare_line_end_; }

 private:
  void emit(std::string_view piece);

  sink out_;
  bool pending_cr_ = false;
  bool bare_line_end_ = false;
  std::uint64_t octets_ = 0;
};

// The whole of `text` at once.
std::string normalise_line_endings(std::string_view text);

}  // namespace posta::mail::smtp::proto
