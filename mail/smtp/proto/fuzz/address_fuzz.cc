// libFuzzer target: SMTP path parsing (RFC 5321 4.1.2) and the canonical form
// round trip. Named .cc so the module's *.cpp glob leaves it out of posta_mail.
#include "mail/smtp/proto/address.hpp"

#include <cstdlib>
#include <string_view>

using namespace posta::mail::smtp::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  for (auto role : {path_role::reverse, path_role::forward})
    for (bool utf8 : {false, true}) {
      path_options opts{role, utf8};
      auto p = parse_path(in, opts);
      if (!p) continue;
      // Invariant: the canonical form parses back to the same path.
      auto again = parse_path(to_string(*p), opts);
      if (!again || again->is_null() != p->is_null()) std::abort();
      if (p->mailbox && (again->mailbox->local_part != p->mailbox->local_part ||
                         again->mailbox->domain != p->mailbox->domain))
        std::abort();
    }
  (void)parse_domain_or_literal(in, true);
  return 0;
}
