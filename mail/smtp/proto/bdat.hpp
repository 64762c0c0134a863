// Accounting of BDAT chunks across one message: running size, the LAST
// chunk and the message size bound. RFC 3030 2-4. Chunk octets themselves are
// taken verbatim (no dot-stuffing); crlf_normaliser.hpp is there if the
// session wants canonical line endings.
#pragma once

#include <cstdint>

namespace posta::mail::smtp::proto {

class bdat_accounting {
 public:
  enum class verdict {
    accept,    // read the chunk and keep it
    too_big,   // read and discard it; answer 552 5.3.4
    after_last // a chunk after LAST: read and discard it; answer 503 5.5.1
  };

  explicit bdat_accounting(std::uint64_t max_size) : max_size_(max_size) {}

  // Announces the next chunk (before its octets are read).
  // SECURITY: the sum is overflow-safe; once over the bound every further
  // chunk of the message is refused too.
  verdict add(std::uint64_t size, bool last);

  std::uint64_t total() const noexcept { return total_; }  // octets announced so far
  std::uint64_t chunks() const noexcept { return chunks_; }
  bool has_started() const noexcept { return chunks_ > 0; }
  bool is_complete() const noexcept { return last_; }      // LAST seen
  bool is_oversize() const noexcept { return oversize_; }

  void reset() noexcept;

 private:
  std::uint64_t max_size_;
  std::uint64_t total_ = 0;
  std::uint64_t chunks_ = 0;
  bool last_ = false;
  bool oversize_ = false;
};

}  // namespace posta::mail::smtp::proto
