// The shared libldap plumbing of directory/ldap (libldap_helpers.hpp).
#include "directory/ldap/libldap_helpers.hpp"

namespace posta::directory::ldap::detail {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string diagnostic_of(LDAP* ld) {
  char* msg = nullptr;
  std::string out;
  if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) == LDAP_OPT_SUCCESS && msg != nullptr) {
    out = msg;
    ldap_memfree(msg);
  }
  return out;
}

errc errc_of(int rc) {
  switch (rc) {
    case LDAP_SERVER_DOWN:
    case LDAP_TIMEOUT:
    case LDAP_CONNECT_ERROR:
    case LDAP_BUSY:
    case LDAP_UNAVAILABLE:
    case LDAP_TIMELIMIT_EXCEEDED:
      return errc::unavailable;
    case LDAP_SIZELIMIT_EXCEEDED:
    case LDAP_ADMINLIMIT_EXCEEDED:
      return errc::limit_exceeded;
    case LDAP_INVALID_CREDENTIALS:
    case LDAP_INSUFFICIENT_ACCESS:
    case LDAP_INAPPROPRIATE_AUTH:
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_CONFIDENTIALITY_REQUIRED:
      return errc::permission_denied;
    case LDAP_NO_SUCH_OBJECT:
      return errc::not_found;
    case LDAP_FILTER_ERROR:
    case LDAP_PARAM_ERROR:
    case LDAP_INVALID_DN_SYNTAX:
    case LDAP_UNDEFINED_TYPE:
      return errc::invalid_argument;
    case LDAP_NO_MEMORY:
      return errc::internal;
    default:
      return errc::protocol_error;
  }
}

error ldap_error(int rc, std::string what, std::string const& diagnostic) {
  what += ": ";
  what += ldap_err2string(rc);
  what += " (" + std::to_string(rc) + ")";
  if (!diagnostic.empty()) what += ": " + diagnostic;
  return make_error(errc_of(rc), std::move(what));
}

result<proto::entry> entry_of(LDAP* ld, LDAPMessage* e) {
  proto::entry out;
  if (char* dn = ldap_get_dn(ld, e)) {
    out.dn = dn;
    ldap_memfree(dn);
  }
  BerElement* ber = nullptr;
  for (char* name = ldap_first_attribute(ld, e, &ber); name != nullptr; name = ldap_next_attribute(ld, e, ber)) {
    proto::attribute a;
    a.name = name;  // ranged descriptions ("member;range=0-1499") stay as sent
    ldap_memfree(name);
    if (berval** values = ldap_get_values_len(ld, e, a.name.c_str())) {  // binary safe
      for (berval** v = values; *v != nullptr; ++v) a.values.emplace_back(view_of(**v));
      ldap_value_free_len(values);
    }
    out.attributes.push_back(std::move(a));
  }
  if (ber != nullptr) ber_free(ber, 0);
  return out;
}

int scope_of(scope s) {
  switch (s) {
    case scope::base:
      return LDAP_SCOPE_BASE;
    case scope::one_level:
      return LDAP_SCOPE_ONELEVEL;
    case scope::subtree:
      break;
  }
  return LDAP_SCOPE_SUBTREE;
}

LDAPControl* find_control(char const* oid, LDAPControl** controls) {
  return controls == nullptr ? nullptr : ldap_control_find(oid, controls, nullptr);
}

ber_ptr reader_of(berval const* value) {
  if (value == nullptr) return nullptr;
  return ber_ptr(ber_init(const_cast<berval*>(value)));
}

}  // namespace posta::directory::ldap::detail
