// The message as DATA sends it: line endings made CRLF, a "." doubled at the
// start of every line (RFC 5321 4.5.2 transparency), and the terminating
// CRLF "." CRLF (RFC 5321 4.1.1.4), a CRLF first when the message does not
// end with one. Incremental: the body is read from storage in pieces.
#pragma once

#include "mail/smtp/proto/crlf_normaliser.hpp"

#include <cstdint>
#include <functional>
#include <string_view>

namespace posta::mail::smtp::client::proto {

class data_encoder {
 public:
  using sink = std::function<void(std::string_view)>;

  explicit data_encoder(sink out);
  data_encoder(data_encoder const&) = delete;
  data_encoder& operator=(data_encoder const&) = delete;

  // Any split of the body gives the same output.
  void feed(std::string_view body);
  // After the last piece: the terminator. Nothing may be fed afterwards.
  void finish();

  std::uint64_t octets() const noexcept { return octets_; }  // written to the sink, terminator included

 private:
  void stuff(std::string_view canonical);
  void emit(std::string_view piece);

  sink out_;
  smtp::proto::crlf_normaliser normaliser_;
  bool at_line_start_ = true;  // also for an empty body: "." CRLF alone
  std::uint64_t octets_ = 0;
};

// The whole of `body` at once.
std::string encode_data(std::string_view body);

}  // namespace posta::mail::smtp::client::proto
