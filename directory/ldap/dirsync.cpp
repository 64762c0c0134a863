// AD's DirSync control (MS-ADTS 3.1.1.3.4.1.3, 1.2.840.113556.1.4.841)
// behind directory/ldap/connection.hpp.
#include "directory/ldap/connection.hpp"

#include "directory/ldap/libldap_helpers.hpp"
#include "directory/proto/identity_values.hpp"

namespace posta::directory::ldap {
using namespace detail;
namespace {

// DirSync's maxBytes: how much AD may put in one answer before it says
// "more" (MS-ADTS 3.1.1.3.4.1.3); AD applies its own ceiling on top.
constexpr int dirsync_max_bytes = 1 << 20;
// SECURITY: DirSync passes loop while the server says more; a server that
// never stops is cut off here (each pass is bounded by max_entries too).
constexpr int max_dirsync_rounds = 10'000;

// MS-ADTS 3.1.1.3.4.1.3: DirSync request SEQUENCE { flags INTEGER, maxBytes
// INTEGER, cookie OCTET STRING }.
result<control_ptr> dirsync_request_control(std::string const& cookie) {
  return make_control(LDAP_CONTROL_X_DIRSYNC, true, [&](BerElement* ber) {
    return ber_printf(ber, "{iio}", static_cast<ber_int_t>(LDAP_CONTROL_X_DIRSYNC_OBJECT_SECURITY),
                      static_cast<ber_int_t>(dirsync_max_bytes), cookie.data(),
                      static_cast<ber_len_t>(cookie.size())) != -1;
  });
}

}  // namespace

result<sync_pass> connection::dirsync_blocking(search_request const& request, std::string const& cookie) {
  LDAP* ld = impl_->ld;
  sync_pass pass;
  pass.complete_refresh = cookie.empty();
  std::string current = cookie;
  std::size_t count = 0;
  for (int round = 0;; ++round) {
    if (round >= max_dirsync_rounds) return make_error(errc::limit_exceeded, "DirSync: the server never stopped");
    auto control = POSTA_TRY(dirsync_request_control(current));
    LDAPControl* controls[] = {control.get(), nullptr};
    auto done = POSTA_TRY(run_search(
        ld, impl_->options.timeout, request, controls,
        [&](LDAPMessage* e) -> result<void> {
          if (++count > request.max_entries)
            return make_error(errc::limit_exceeded, "DirSync " + request.base + ": more than " +
                                                        std::to_string(request.max_entries) + " changes");
          change c;
          c.entry = POSTA_TRY(entry_of(ld, e));
          auto guid = proto::guid_text(c.entry.first("objectGUID"));
          if (!guid) return make_error(errc::protocol_error, "DirSync: entry " + c.entry.dn + " without objectGUID");
          c.uuid = std::move(*guid);
          // Tombstones (MS-ADTS 3.1.1.5.5) carry isDeleted TRUE.
          if (c.entry.first("isDeleted") == "TRUE")
            c.what = change::kind::deleted;
          else
            c.what = cookie.empty() ? change::kind::present : change::kind::modified;
          pass.changes.push_back(std::move(c));
          return {};
        },
        [](LDAPMessage*) -> result<void> { return {}; }));
    LDAPControl* response = find_control(LDAP_CONTROL_X_DIRSYNC, done.controls.get());
    if (response == nullptr) return make_error(errc::protocol_error, "DirSync: no response control");
    // Response SEQUENCE { moreResults INTEGER, unused INTEGER, cookie OCTET STRING }.
    auto ber = reader_of(&response->ldctl_value);
    ber_int_t more = 0, unused = 0;
    berval next{};
    if (!ber || ber_scanf(ber.get(), "{iim}", &more, &unused, &next) == LBER_ERROR)
      return make_error(errc::protocol_error, "DirSync: bad response control");
    if (next.bv_len > 0) current.assign(next.bv_val, next.bv_len);
    if (more == 0) break;
  }
  pass.cookie = std::move(current);
  return pass;
}

}  // namespace posta::directory::ldap
