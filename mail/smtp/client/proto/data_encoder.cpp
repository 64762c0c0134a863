// DATA transparency. RFC 5321 4.5.2, 4.1.1.4, 2.3.8.
#include "mail/smtp/client/proto/data_encoder.hpp"

#include <string>

namespace posta::mail::smtp::client::proto {

data_encoder::data_encoder(sink out)
    : out_(std::move(out)), normaliser_([this](std::string_view piece) { stuff(piece); }) {}

void data_encoder::emit(std::string_view piece) {
  if (piece.empty()) return;
  octets_ += piece.size();
  out_(piece);
}

// `canonical` has CRLF line ends only (the normaliser's output), so a line
// starts after every LF.
void data_encoder::stuff(std::string_view canonical) {
  while (!canonical.empty()) {
    if (at_line_start_ && canonical.front() == '.') emit(".");
    auto lf = canonical.find('\n');
    if (lf == std::string_view::npos) {
      emit(canonical);
      at_line_start_ = false;
      return;
    }
    emit(canonical.substr(0, lf + 1));
    at_line_start_ = true;
    canonical.remove_prefix(lf + 1);
  }
}

void data_encoder::feed(std::string_view body) { normaliser_.feed(body); }

void data_encoder::finish() {
  normaliser_.finish();
  emit(at_line_start_ ? std::string_view(".\r\n") : std::string_view("\r\n.\r\n"));
}

std::string encode_data(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 64 + 5);
  data_encoder e([&out](std::string_view piece) { out.append(piece); });
  e.feed(body);
  e.finish();
  return out;
}

}  // namespace posta::mail::smtp::client::proto
