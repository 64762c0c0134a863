// Builds the benchmark's messages: RFC 5322 headers and a plain-text body
// wrapped at 76 columns, of an exact size, dot-stuffed for DATA (RFC 5321
// 4.5.2). Every message differs (Message-ID, To, Subject), so a
// content-addressed store cannot share one body between them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace posta::bench::smtp_load {

// RFC 5321 4.5.2: a line starting with "." gets one more; the input must be
// CRLF-terminated lines.
std::string dot_stuff(std::string_view text);

class message_factory {
 public:
  message_factory(std::size_t size, std::string from, std::uint64_t seed);

  // The message number `index` to `recipients`, as DATA content: exactly
  // size() bytes before stuffing (more only when the headers alone exceed
  // it), CRLF-terminated, without the final ".".
  std::string wire(std::size_t index, std::vector<std::string> const& recipients) const;

  // The same message before dot-stuffing (for tests and size checks).
  std::string plain(std::size_t index, std::vector<std::string> const& recipients) const;

  std::size_t size() const { return size_; }

 private:
  std::string headers(std::size_t index, std::vector<std::string> const& recipients) const;

  std::size_t size_;
  std::string from_;
  std::uint64_t seed_;
  std::string date_;
  std::string body_template_;  // longer than any body; cut per message
};

}  // namespace posta::bench::smtp_load
