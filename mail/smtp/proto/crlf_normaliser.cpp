// Bare CR / bare LF to CRLF. RFC 5321 2.3.8, RFC 3030 2.
#include "mail/smtp/proto/crlf_normaliser.hpp"

namespace posta::mail::smtp::proto {
namespace {
constexpr std::string_view crlf = "\r\n";
}

void crlf_normaliser::emit(std::string_view piece) {
  if (piece.empty()) return;
  octets_ += piece.size();
  out_(piece);
}

void crlf_normaliser::feed(std::string_view input) {
  std::size_t i = 0;
  if (pending_cr_ && !input.empty()) {
    pending_cr_ = false;
    emit(crlf);
    if (input.front() == '\n') {
      i = 1;  // the CR's own LF
    } else {
      bare_line_end_ = true;
    }
  }
  while (i < input.size()) {
    std::size_t j = input.find_first_of(crlf, i);
    emit(input.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    if (j == std::string_view::npos) return;
    if (input[j] == '\r' && j + 1 == input.size()) {
      pending_cr_ = true;
      return;
    }
    emit(crlf);
    bool cr_lf = input[j] == '\r' && input[j + 1] == '\n';
    if (!cr_lf) bare_line_end_ = true;
    i = j + (cr_lf ? 2 : 1);
  }
}

void crlf_normaliser::finish() {
  if (pending_cr_) {
    bare_line_end_ = true;
    emit(crlf);
  }
  pending_cr_ = false;
}

std::string normalise_line_endings(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  crlf_normaliser n([&out](std::string_view piece) { out.append(piece); });
  n.feed(text);
  n.finish();
  return out;
}

}  // namespace posta::mail::smtp::proto
