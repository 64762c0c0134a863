// Private to directory/ldap: the libldap plumbing that connection.cpp,
// content_sync.cpp and dirsync.cpp share (error mapping, owned libldap
// objects, controls, one search operation run to its end), and the
// connection's state. Nothing outside directory/ldap includes this.
#pragma once

#include "directory/ldap/connection.hpp"

#include <ldap.h>

#include <climits>
#include <memory>
#include <sys/time.h>

namespace posta::directory::ldap {

struct connection::impl {
  LDAP* ld = nullptr;
  std::string uri;
  server_options options;
  ~impl() {
    if (ld != nullptr) ldap_unbind_ext_s(ld, nullptr, nullptr);
  }
};

namespace detail {

timeval to_timeval(std::chrono::milliseconds ms);
std::string diagnostic_of(LDAP* ld);
// Client-side failures (negative codes) and the server codes that mean "try
// later" are temporary; refusals are permission_denied.
errc errc_of(int rc);
error ldap_error(int rc, std::string what, std::string const& diagnostic = {});

inline std::string_view view_of(berval const& bv) {
  return bv.bv_len == 0 ? std::string_view{} : std::string_view(bv.bv_val, bv.bv_len);
}

struct message_deleter {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using message_ptr = std::unique_ptr<LDAPMessage, message_deleter>;

struct controls_deleter {
  void operator()(LDAPControl** c) const { ldap_controls_free(c); }
};
using controls_ptr = std::unique_ptr<LDAPControl*, controls_deleter>;

struct control_deleter {
  void operator()(LDAPControl* c) const { ldap_control_free(c); }
};
using control_ptr = std::unique_ptr<LDAPControl, control_deleter>;

struct ber_deleter {
  void operator()(BerElement* b) const { ber_free(b, 1); }
};
using ber_ptr = std::unique_ptr<BerElement, ber_deleter>;

// A control whose value is a BER encoding built by `fill` (ber_printf).
template <class Fill>
result<control_ptr> make_control(char const* oid, bool critical, Fill fill) {
  ber_ptr ber(ber_alloc_t(LBER_USE_DER));
  if (!ber) return make_error(errc::internal, "ber_alloc_t");
  if (!fill(ber.get())) return make_error(errc::internal, std::string("encode control ") + oid);
  berval value{};
  if (ber_flatten2(ber.get(), &value, 0) == -1) return make_error(errc::internal, "ber_flatten2");
  LDAPControl* ctrl = nullptr;
  int rc = ldap_control_create(oid, critical ? 1 : 0, &value, 1, &ctrl);
  if (rc != LDAP_SUCCESS) return ldap_error(rc, std::string("control ") + oid);
  return control_ptr(ctrl);
}

result<proto::entry> entry_of(LDAP* ld, LDAPMessage* e);
int scope_of(scope s);

// The attribute list as libldap wants it: NULL-terminated, nullptr for all.
struct attribute_list {
  std::vector<char*> pointers;
  explicit attribute_list(std::vector<std::string> const& names) {
    for (auto const& n : names) pointers.push_back(const_cast<char*>(n.c_str()));
    pointers.push_back(nullptr);
  }
  char** get() { return pointers.size() == 1 ? nullptr : pointers.data(); }
};

// What one search operation delivered besides entries.
struct search_done {
  controls_ptr controls;
};

// Runs one search operation to its end: every entry goes to `on_entry`,
// every intermediate response to `on_intermediate`; references (AD's
// referral to CN=Configuration …) are skipped, never chased. Waiting for
// each message is bounded by the timeout.
template <class OnEntry, class OnIntermediate>
result<search_done> run_search(LDAP* ld, std::chrono::milliseconds timeout, search_request const& request,
                               LDAPControl** server_controls, OnEntry&& on_entry, OnIntermediate&& on_intermediate,
                               int* result_code = nullptr) {
  attribute_list attrs(request.attributes);
  int msgid = 0;
  // Without paging (content sync cannot page) the server's soft size limit
  // would apply (slapd: 500); ask for our own bound instead, which a hard
  // limit of "unlimited" grants.
  int const size_limit =
      request.page_size > 0 ? 0 : static_cast<int>(std::min<std::size_t>(request.max_entries + 1, INT_MAX));
  int rc = ldap_search_ext(ld, request.base.c_str(), scope_of(request.where), request.filter.c_str(), attrs.get(), 0,
                           server_controls, nullptr, nullptr, size_limit, &msgid);
  if (rc != LDAP_SUCCESS) return ldap_error(rc, "ldap search " + request.base, diagnostic_of(ld));
  auto abandon = [&] { ldap_abandon_ext(ld, msgid, nullptr, nullptr); };
  for (;;) {
    timeval tv = to_timeval(timeout);
    LDAPMessage* raw = nullptr;
    int type = ldap_result(ld, msgid, LDAP_MSG_ONE, &tv, &raw);
    message_ptr msg(raw);
    if (type == 0) {
      abandon();
      return make_error(errc::unavailable, "ldap search " + request.base + ": no answer within the timeout");
    }
    if (type == -1) {
      int err = LDAP_OTHER;
      ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &err);
      return ldap_error(err, "ldap search " + request.base, diagnostic_of(ld));
    }
    switch (type) {
      case LDAP_RES_SEARCH_ENTRY: {
        if (auto r = on_entry(msg.get()); !r) {
          abandon();
          return std::move(r).error();
        }
        break;
      }
      case LDAP_RES_INTERMEDIATE: {
        if (auto r = on_intermediate(msg.get()); !r) {
          abandon();
          return std::move(r).error();
        }
        break;
      }
      case LDAP_RES_SEARCH_REFERENCE:
        break;
      case LDAP_RES_SEARCH_RESULT: {
        int err = LDAP_SUCCESS;
        char* diag = nullptr;
        LDAPControl** ctrls = nullptr;
        int prc = ldap_parse_result(ld, msg.get(), &err, nullptr, &diag, nullptr, &ctrls, 0);
        std::string diagnostic = diag != nullptr ? diag : "";
        if (diag != nullptr) ldap_memfree(diag);
        search_done done{controls_ptr(ctrls)};
        if (result_code != nullptr) *result_code = err;
        if (prc != LDAP_SUCCESS) return ldap_error(prc, "ldap search " + request.base + ": result");
        // A referral result (a base outside the server's naming contexts)
        // is not chased either; it ends the search with what came.
        if (err != LDAP_SUCCESS && err != LDAP_REFERRAL)
          return ldap_error(err, "ldap search " + request.base, diagnostic);
        return done;
      }
      default:
        break;
    }
  }
}

LDAPControl* find_control(char const* oid, LDAPControl** controls);
// A BER reader over a control or intermediate value (the value is borrowed).
ber_ptr reader_of(berval const* value);

}  // namespace detail
}  // namespace posta::directory::ldap
