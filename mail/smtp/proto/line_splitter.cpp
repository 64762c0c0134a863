// Command line splitting with a hard bound. RFC 5321 2.3.8, 4.5.3.1.4.
#include "mail/smtp/proto/line_splitter.hpp"

namespace posta::mail::smtp::proto {

void line_splitter::reset() noexcept {
  partial_.clear();
  discarding_ = false;
  partial_nul_ = false;
  line_in_partial_ = false;
}

// `tail` is the part of the line in the current input, LF excluded.
line_splitter::event line_splitter::finish_line(std::string_view tail, std::size_t consumed) {
  event ev;
  ev.consumed = consumed;
  bool was_discarding = discarding_;
  bool nul = partial_nul_ || tail.find('\0') != std::string_view::npos;
  std::size_t length = partial_.size() + tail.size();
  discarding_ = false;
  partial_nul_ = false;
  // The limit counts the terminator as CRLF (two octets) even for a bare LF;
  // a CR before the LF is part of the terminator, not of the content.
  bool has_cr = !tail.empty() ? tail.back() == '\r' : (!partial_.empty() && partial_.back() == '\r');
  if (has_cr) --length;
  if (was_discarding || length > max_content()) {
    partial_.clear();
    ev.what = kind::overlong;
    return ev;
  }
  ev.what = kind::line;
  ev.has_nul = nul;
  if (partial_.empty()) {
    ev.line = tail.substr(0, length);  // zero copy: the whole line is in this input
    return ev;
  }
  partial_.append(tail);
  partial_.resize(length);
  line_in_partial_ = true;
  ev.line = partial_;
  return ev;
}

line_splitter::event line_splitter::next(std::string_view input) {
  if (line_in_partial_) {  // the view handed out last time pointed into partial_
    partial_.clear();
    line_in_partial_ = false;
  }
  if (std::size_t lf = input.find('\n'); lf != std::string_view::npos)
    return finish_line(input.substr(0, lf), lf + 1);
  if (!discarding_) {
    partial_nul_ = partial_nul_ || input.find('\0') != std::string_view::npos;
    // SECURITY: never hold more than one line's worth (+1 for a CR whose LF
    // is still to come); past that, drop bytes until the line ends.
    if (partial_.size() + input.size() > max_content() + 1) {
      discarding_ = true;
      partial_.clear();
      partial_nul_ = false;
    } else {
      partial_.append(input);
    }
  }
  return event{kind::need_more, {}, false, input.size()};
}

}  // namespace posta::mail::smtp::proto
