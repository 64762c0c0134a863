// BDAT chunk accounting. RFC 3030 2 (chunk sizes, LAST), 4 (size limits).
#include "mail/smtp/proto/bdat.hpp"

namespace posta::mail::smtp::proto {

bdat_accounting::verdict bdat_accounting::add(std::uint64_t size, bool last) {
  if (last_) return verdict::after_last;
  ++chunks_;
  last_ = last;
  if (oversize_ || size > max_size_ - total_) {  // total_ <= max_size_ always holds here
    oversize_ = true;
    return verdict::too_big;
  }
  total_ += size;
  return verdict::accept;
}

void bdat_accounting::reset() noexcept {
  total_ = 0;
  chunks_ = 0;
  last_ = false;
  oversize_ = false;
}

}  // namespace posta::mail::smtp::proto
