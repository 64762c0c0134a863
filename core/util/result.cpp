// The Posta error category and the bridge that lets result::value() throw.
#include "core/util/result.hpp"

#include <stdexcept>

namespace posta {
namespace {

class posta_category_impl final : public std::error_category {
 public:
  char const* name() const noexcept override { return "posta"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::ok: return "success";
      case errc::invalid_argument: return "invalid argument";
      case errc::not_found: return "not found";
      case errc::already_exists: return "already exists";
      case errc::conflict: return "conflict";
      case errc::permission_denied: return "permission denied";
      case errc::limit_exceeded: return "limit exceeded";
      case errc::unavailable: return "service unavailable";
      case errc::io_error: return "I/O error";
      case errc::protocol_error: return "protocol error";
      case errc::internal: return "internal error";
    }
    return "unknown error";
  }
};

}  // namespace

std::error_category const& posta_category() noexcept {
  static posta_category_impl const instance;
  return instance;
}

void throw_exception_from_error(error const& e, boost::source_location const&) {
  throw std::runtime_error(e.message());
}

}  // namespace posta
