// The dns error category.
#include "core/dns/errors.hpp"

namespace posta::dns {
namespace {

class dns_category_impl final : public std::error_category {
 public:
  char const* name() const noexcept override { return "posta.dns"; }
  std::string message(int value) const override {
    switch (static_cast<dns_errc>(value)) {
      case dns_errc::nxdomain: return "no such domain (NXDOMAIN)";
      case dns_errc::nodata: return "no record of that type (NODATA)";
      case dns_errc::server_failure: return "DNS server failure";
      case dns_errc::refused: return "DNS server refused the query";
      case dns_errc::timeout: return "DNS query timed out";
      case dns_errc::bad_answer: return "malformed DNS answer";
      case dns_errc::bad_name: return "invalid DNS name";
      case dns_errc::cancelled: return "DNS query cancelled";
    }
    return "unknown DNS error";
  }
};

}  // namespace

std::error_category const& dns_category() noexcept {
  static dns_category_impl const instance;
  return instance;
}

bool is_temporary(error const& e) noexcept {
  return !(is(e, dns_errc::nxdomain) || is(e, dns_errc::nodata) || is(e, dns_errc::bad_name));
}

}  // namespace posta::dns
