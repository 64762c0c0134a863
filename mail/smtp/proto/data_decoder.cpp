// DATA section decoding. RFC 5321 4.1.1.4 (end of data), 4.5.2 (dot-stuffing).
#include "mail/smtp/proto/data_decoder.hpp"

namespace posta::mail::smtp::proto {
namespace {
constexpr std::string_view crlf = "\r\n";
}

void data_decoder::emit(std::string_view piece) {
  std::uint64_t room = octets_ < max_size_ ? max_size_ - octets_ : 0;
  octets_ += piece.size();
  if (piece.size() > room) {  // SECURITY: the bound on what reaches storage
    oversize_ = true;
    piece = piece.substr(0, room);  // the sink always gets exactly the first max_size octets
  }
  if (!piece.empty() && out_) out_(piece);
}

// Inside a line: hand over the run of ordinary octets in one piece.
std::size_t data_decoder::scan_text(std::string_view input, std::size_t i) {
  // A plain loop: find_first_of calls memchr once per byte (hot path).
  std::size_t j = i;
  while (j < input.size() && input[j] != '\r' && input[j] != '\n') ++j;
  if (j == input.size()) {
    emit(input.substr(i));
    return input.size();
  }
  emit(input.substr(i, j - i));
  if (input[j] == '\r') {
    state_ = state::cr;
  } else {
    bare_line_end_ = true;
    emit(crlf);  // bare LF: normalised, but not a line start (see header)
  }
  return j + 1;
}

// One octet in a state other than mid_line; true when `c` was used up,
// false when it must be looked at again in the new state.
bool data_decoder::step(char c) {
  switch (state_) {
    case state::line_start:
      state_ = c == '.' ? state::dot : state::mid_line;
      return c == '.';
    case state::dot:  // a leading dot is dropped (RFC 5321 4.5.2)
      state_ = c == '\r' ? state::dot_cr : state::mid_line;
      return c == '\r';
    case state::dot_cr:
      if (c == '\n') {
        state_ = state::done;
        return true;
      }
      bare_line_end_ = true;
      emit(crlf);  // ".<CR>x": the CR was bare
      state_ = state::mid_line;
      return false;
    case state::cr:
      if (c != '\n') bare_line_end_ = true;
      emit(crlf);
      state_ = c == '\n' ? state::line_start : state::mid_line;
      return c == '\n';
    case state::mid_line:
    case state::done: break;
  }
  return false;
}

data_decoder::progress data_decoder::feed(std::string_view input) {
  std::size_t i = 0;
  while (i < input.size() && state_ != state::done) {
    if (state_ == state::mid_line) {
      i = scan_text(input, i);
    } else if (step(input[i])) {
      ++i;
    }
  }
  raw_ += i;
  return progress{i, state_ == state::done};
}

}  // namespace posta::mail::smtp::proto
