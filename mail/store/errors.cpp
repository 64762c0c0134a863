// The store's error category.
#include "mail/store/errors.hpp"

namespace posta::mail::store {
namespace {

class category : public std::error_category {
 public:
  char const* name() const noexcept override { return "mailstore"; }
  std::string message(int c) const override {
    switch (static_cast<store_errc>(c)) {
      case store_errc::ok: return "ok";
      case store_errc::nonexistent: return "no such mailbox";
      case store_errc::already_exists: return "mailbox already exists";
      case store_errc::over_quota: return "quota exceeded";
      case store_errc::cannot: return "operation not possible on this mailbox";
      case store_errc::invalid_name: return "invalid mailbox name";
      case store_errc::limit: return "limit exceeded";
      case store_errc::no_such_message: return "no such message";
    }
    return "unknown mailbox store error";
  }
};

}  // namespace

std::error_category const& store_category() noexcept {
  static category const c;
  return c;
}

}  // namespace posta::mail::store
