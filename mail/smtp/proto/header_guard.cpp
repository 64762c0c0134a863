// Header section bounds while a message streams in. RFC 5322 2.1.1, 2.2.
#include "mail/smtp/proto/header_guard.hpp"

#include <string>

namespace posta::mail::smtp::proto {

bool header_guard::feed(std::string_view piece) {
  if (refusal_) return false;
  for (std::size_t i = 0; i < piece.size() && !done_; ++i) {
    char c = piece[i];
    ++block_;
    if (c == '\n') {
      done_ = line_ == 0;  // an empty line ends the header (CR was not counted)
      line_ = 0;
    } else if (c != '\r') {
      ++line_;
    }
    if (block_ > limits_.max_header_octets) {
      refusal_ = make_reply(552, "5.3.4", "Message header exceeds " + std::to_string(limits_.max_header_octets / 1024) +
                                              " KB");
    } else if (line_ > limits_.max_line_octets) {
      refusal_ = make_reply(554, "5.6.0", "Header line longer than " + std::to_string(limits_.max_line_octets) +
                                              " octets (RFC 5322 2.1.1)");
    }
    if (refusal_) return false;
  }
  return true;
}

}  // namespace posta::mail::smtp::proto
