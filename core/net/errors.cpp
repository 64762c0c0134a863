// The net error category.
#include "core/net/errors.hpp"

namespace posta::net {
namespace {

class net_category_impl final : public std::error_category {
 public:
  char const* name() const noexcept override { return "posta.net"; }
  std::string message(int value) const override {
    switch (static_cast<net_errc>(value)) {
      case net_errc::end_of_stream: return "end of stream";
      case net_errc::timeout: return "timed out";
      case net_errc::cancelled: return "cancelled";
      case net_errc::line_too_long: return "line too long";
      case net_errc::tls_handshake_failed: return "TLS handshake failed";
      case net_errc::limit_exceeded: return "connection limit exceeded";
    }
    return "unknown net error";
  }
};

}  // namespace

std::error_category const& net_category() noexcept {
  static net_category_impl const instance;
  return instance;
}

}  // namespace posta::net
