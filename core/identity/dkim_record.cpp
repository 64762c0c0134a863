// The DNS side of a domain's DKIM key: record name, record value and the
// choice of selector (RFC 6376 3.1, 3.6.1, 3.6.2.1). Pure.
#include "core/identity/dkim.hpp"

#include "core/util/crypto_hash.hpp"

#include <algorithm>

namespace posta::identity {

std::string dkim_record_name(std::string_view selector, std::string_view domain) {
  return std::string(selector) + "._domainkey." + std::string(domain);
}

std::string dkim_record_value(std::string_view public_key) { return "v=DKIM1; k=rsa; p=" + std::string(public_key); }

std::string next_dkim_selector(std::string_view yyyymm, std::vector<std::string> const& taken) {
  std::string const base = "posta" + std::string(yyyymm);
  auto const is_taken = [&](std::string const& s) { return std::find(taken.begin(), taken.end(), s) != taken.end(); };
  if (!is_taken(base)) return base;
  for (std::size_t n = 2;; ++n)
    if (auto candidate = base + "-" + std::to_string(n); !is_taken(candidate)) return candidate;
}

dkim_signing_key::~dkim_signing_key() { util::cleanse(private_key_pem); }

}  // namespace posta::identity
