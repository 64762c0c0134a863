// libFuzzer target for directory/proto: every parser of directory attribute
// values and signature templates; the first byte picks the parser.
#include "directory/proto/account_state.hpp"
#include "directory/proto/bind_refusal.hpp"
#include "directory/proto/generalized_time.hpp"
#include "directory/proto/identity_values.hpp"
#include "directory/proto/ldap_filter.hpp"
#include "directory/proto/signature_template.hpp"
#include "directory/proto/sync_position.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace posta::directory::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view const in(reinterpret_cast<char const*>(data) + 1, size - 1);
  switch (data[0] % 7) {
    case 0: {
      auto escaped = escape_filter_value(in);
      // An escaped value has no structure of its own.
      if (escaped.find_first_of("()*") != std::string::npos) std::abort();
      if (!is_balanced_filter(and_equals("(objectClass=*)", "uid", in))) std::abort();
      break;
    }
    case 1:
      (void)parse_ad_diagnostic(in);
      break;
    case 2:
      (void)parse_generalized_time(in);
      (void)parse_account_expires(in);
      break;
    case 3:
      (void)state_of({.user_account_control = std::string(in), .pwd_account_locked_time = std::string(in)}, 0);
      break;
    case 4:
      (void)guid_text(in);
      (void)uuid_text(in);
      (void)parse_proxy_addresses({std::string(in)});
      break;
    case 5:
      if (auto r = parse_ranged(in)) (void)next_range(*r);
      if (short_position(in).size() > 67) std::abort();  // bounded for display
      break;
    default: {
      auto const kind = size % 2 ? template_kind::html : template_kind::text;
      if (auto t = parse_signature_template(in, kind)) (void)render_signature(*t, {{"cn", std::string(in)}}, kind);
      break;
    }
  }
  return 0;
}
