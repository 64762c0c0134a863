// libldap (OpenLDAP 2.5) behind directory/ldap/connection.hpp.
#include "directory/ldap/connection.hpp"

#include "directory/proto/identity_values.hpp"

#include <climits>
#include <ldap.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>
#include <utility>

namespace posta::directory::ldap {
namespace {

// SECURITY: the largest LDAP message libldap will read (a whole entry, or a
// page of a sync answer's UUIDs); a bigger one fails the call instead of
// growing memory. 64 MiB holds any realistic entry with photos.
constexpr ber_len_t max_incoming_bytes = 64u << 20;
// DirSync's maxBytes: how much AD may put in one answer before it says
// "more" (MS-ADTS 3.1.1.3.4.1.3); AD applies its own ceiling on top.
constexpr int dirsync_max_bytes = 1 << 20;
// SECURITY: DirSync passes loop while the server says more; a server that
// never stops is cut off here (each pass is bounded by max_entries too).
constexpr int max_dirsync_rounds = 10'000;

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

// Client-side failures (negative codes) and the server codes that mean "try
// later" are temporary; refusals are permission_denied.
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

error ldap_error(int rc, std::string what, std::string const& diagnostic = {}) {
  what += ": ";
  what += ldap_err2string(rc);
  what += " (" + std::to_string(rc) + ")";
  if (!diagnostic.empty()) what += ": " + diagnostic;
  return make_error(errc_of(rc), std::move(what));
}

std::string_view view_of(berval const& bv) {
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

LDAPControl* find_control(char const* oid, LDAPControl** controls) {
  return controls == nullptr ? nullptr : ldap_control_find(oid, controls, nullptr);
}

// RFC 4533 2.2: syncRequestValue ::= SEQUENCE { mode ENUMERATED, cookie
// syncCookie OPTIONAL, reloadHint BOOLEAN DEFAULT FALSE }.
result<control_ptr> sync_request_control(std::string const& cookie, int mode) {
  return make_control(LDAP_CONTROL_SYNC, true, [&](BerElement* ber) {
    if (ber_printf(ber, "{e", static_cast<ber_int_t>(mode)) == -1) return false;
    if (!cookie.empty() && ber_printf(ber, "o", cookie.data(), static_cast<ber_len_t>(cookie.size())) == -1)
      return false;
    return ber_printf(ber, "N}") != -1;
  });
}

// MS-ADTS 3.1.1.3.4.1.3: DirSync request SEQUENCE { flags INTEGER, maxBytes
// INTEGER, cookie OCTET STRING }.
result<control_ptr> dirsync_request_control(std::string const& cookie) {
  return make_control(LDAP_CONTROL_X_DIRSYNC, true, [&](BerElement* ber) {
    return ber_printf(ber, "{iio}", static_cast<ber_int_t>(LDAP_CONTROL_X_DIRSYNC_OBJECT_SECURITY),
                      static_cast<ber_int_t>(dirsync_max_bytes), cookie.data(),
                      static_cast<ber_len_t>(cookie.size())) != -1;
  });
}

// A BER reader over a control or intermediate value (the value is borrowed).
ber_ptr reader_of(berval const* value) {
  if (value == nullptr) return nullptr;
  return ber_ptr(ber_init(const_cast<berval*>(value)));
}

// An optional syncCookie (OCTET STRING) at the reader's position.
bool read_optional_cookie(BerElement* ber, std::optional<std::string>& cookie) {
  ber_len_t len = 0;
  if (ber_peek_tag(ber, &len) != LDAP_TAG_SYNC_COOKIE) return true;
  berval bv{};
  if (ber_scanf(ber, "m", &bv) == LBER_ERROR) return false;
  cookie = std::string(view_of(bv));
  return true;
}

bool read_optional_boolean(BerElement* ber, bool& value) {
  ber_len_t len = 0;
  if (ber_peek_tag(ber, &len) != LBER_BOOLEAN) return true;
  ber_int_t b = 0;
  if (ber_scanf(ber, "b", &b) == LBER_ERROR) return false;
  value = b != 0;
  return true;
}

// libldap 2.5 (GnuTLS) bounds the TLS handshake with the network timeout
// only in appearance: against a server that accepts TCP and never answers,
// ldap_connect (ldaps://) was seen spinning in its handshake loop for ever,
// polling for writability. So a watchdog thread shuts the socket down when
// the handshake outlives the timeout (plus a second of slack, when a healthy
// handshake has long finished or failed by itself); the handshake then ends
// with an error. libldap tells us the socket in its TLS connect callback
// (LDAP_OPT_X_TLS_CONNECT_CB, called just before the handshake).
struct handshake_watchdog {
  std::mutex m;
  std::condition_variable cv;
  int fd = -1;
  bool done = false;
  bool fired = false;
};

extern "C" int note_handshake_socket(LDAP* ld, void* /*ssl*/, void* /*ctx*/, void* arg) {
  auto* w = static_cast<handshake_watchdog*>(arg);
  int fd = -1;
  if (w != nullptr && ldap_get_option(ld, LDAP_OPT_DESC, &fd) == LDAP_OPT_SUCCESS) {
    std::lock_guard lock(w->m);
    w->fd = fd;
  }
  return 0;
}

// Runs `call` (ldap_connect or ldap_start_tls_s) with the watchdog armed.
template <class Call>
int with_watchdog(LDAP* ld, std::chrono::milliseconds timeout, Call call, bool& fired) {
  handshake_watchdog w;
  ldap_set_option(ld, LDAP_OPT_X_TLS_CONNECT_ARG, &w);
  std::thread guard([&] {
    std::unique_lock lock(w.m);
    if (!w.cv.wait_for(lock, timeout + std::chrono::seconds(1), [&] { return w.done; }) && w.fd >= 0) {
      ::shutdown(w.fd, SHUT_RDWR);
      w.fired = true;
    }
  });
  int rc = call();
  {
    std::lock_guard lock(w.m);
    w.done = true;
    fired = w.fired;
  }
  w.cv.notify_all();
  guard.join();
  ldap_set_option(ld, LDAP_OPT_X_TLS_CONNECT_ARG, nullptr);
  return rc;
}

}  // namespace

struct connection::impl {
  LDAP* ld = nullptr;
  std::string uri;
  server_options options;
  ~impl() {
    if (ld != nullptr) ldap_unbind_ext_s(ld, nullptr, nullptr);
  }
};

connection::connection(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
connection::~connection() = default;

std::string const& connection::uri() const noexcept {
  return impl_->uri;
}

namespace {

// One URI: options on a fresh handle, the TCP connection (and TLS) made
// now, so that a failure here is a connect failure (fail over) and not a
// bind refusal.
result<LDAP*> connect_one(std::string const& uri, server_options const& options) {
  LDAP* ld = nullptr;
  int rc = ldap_initialize(&ld, uri.c_str());
  if (rc != LDAP_SUCCESS) return ldap_error(rc, "ldap URI " + uri);
  std::unique_ptr<LDAP, void (*)(LDAP*)> guard(ld, [](LDAP* l) { ldap_unbind_ext_s(l, nullptr, nullptr); });
  auto set = [&](int option, void const* value, char const* name) -> result<void> {
    int r = ldap_set_option(ld, option, value);
    if (r != LDAP_OPT_SUCCESS) return make_error(errc::internal, std::string("ldap_set_option ") + name);
    return {};
  };
  int version = LDAP_VERSION3;
  POSTA_TRY(set(LDAP_OPT_PROTOCOL_VERSION, &version, "protocol version"));
  timeval tv = to_timeval(options.timeout);
  POSTA_TRY(set(LDAP_OPT_NETWORK_TIMEOUT, &tv, "network timeout"));  // connect (and the TLS handshake)
  POSTA_TRY(set(LDAP_OPT_TIMEOUT, &tv, "timeout"));                  // every synchronous call
  POSTA_TRY(set(LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "referrals"));     // never chased
  POSTA_TRY(set(LDAP_OPT_RESTART, LDAP_OPT_ON, "restart"));          // EINTR is not a failure
  // TLS options on this handle (not libldap's global context), then a
  // context of this handle's own: LDAP_OPT_X_TLS_NEWCTX with 0 (a client).
  int require = options.tls_verify ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
  POSTA_TRY(set(LDAP_OPT_X_TLS_REQUIRE_CERT, &require, "TLS require cert"));
  if (!options.ca_file.empty()) POSTA_TRY(set(LDAP_OPT_X_TLS_CACERTFILE, options.ca_file.c_str(), "TLS CA file"));
  int protocol_min = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
  POSTA_TRY(set(LDAP_OPT_X_TLS_PROTOCOL_MIN, &protocol_min, "TLS protocol min"));
  POSTA_TRY(
      set(LDAP_OPT_X_TLS_CONNECT_CB, reinterpret_cast<void const*>(&note_handshake_socket), "TLS connect callback"));
  int is_server = 0;
  POSTA_TRY(set(LDAP_OPT_X_TLS_NEWCTX, &is_server, "TLS new context"));

  bool is_ldaps = uri.rfind("ldaps://", 0) == 0;
  if (!is_ldaps && options.start_tls) {
    bool fired = false;
    rc = with_watchdog(
        ld, options.timeout, [&] { return ldap_start_tls_s(ld, nullptr, nullptr); }, fired);  // connects, then TLS
    if (fired) return make_error(errc::unavailable, "StartTLS to " + uri + ": no TLS handshake within the timeout");
    if (rc != LDAP_SUCCESS) {
      // A server that refuses StartTLS (protocolError …) is as unusable as
      // one that is down: SECURITY: never continue in clear.
      auto e = ldap_error(rc, "StartTLS to " + uri, diagnostic_of(ld));
      e.code = errc::unavailable;
      return e;
    }
  } else {
    bool fired = false;
    rc = with_watchdog(
        ld, options.timeout, [&] { return ldap_connect(ld); }, fired);  // ldaps://: TCP and TLS
    if (fired) return make_error(errc::unavailable, "connect to " + uri + ": no TLS handshake within the timeout");
    if (rc != LDAP_SUCCESS) return ldap_error(rc, "connect to " + uri, diagnostic_of(ld));
  }
  // SECURITY: bound what one message may make libldap allocate.
  Sockbuf* sb = nullptr;
  if (ldap_get_option(ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS && sb != nullptr) {
    ber_len_t max = max_incoming_bytes;
    ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_MAX_INCOMING, &max);
  }
  return guard.release();
}

}  // namespace

result<std::unique_ptr<connection>> connection::open_blocking(server_options const& options, std::string_view bind_name,
                                                              std::string_view password) {
  if (options.uris.empty()) return make_error(errc::invalid_argument, "directory source has no server URI");
  std::string failures;
  for (auto const& uri : options.uris) {
    auto ld = connect_one(uri, options);
    if (!ld) {
      if (ld.error().code != make_error_code(errc::unavailable)) return std::move(ld).error();
      failures += (failures.empty() ? "" : "; ") + ld.error().context;
      continue;
    }
    auto i = std::make_unique<impl>();
    i->ld = *ld;
    i->uri = uri;
    i->options = options;
    std::unique_ptr<connection> c(new connection(std::move(i)));
    if (bind_name.empty() && password.empty()) return c;  // anonymous
    auto answer = c->bind_blocking(bind_name, password);
    if (!answer) {
      if (answer.error().code != make_error_code(errc::unavailable)) return std::move(answer).error();
      failures += (failures.empty() ? "" : "; ") + answer.error().context;
      continue;  // the server went away during the bind: the next URI
    }
    if (!answer->ok()) {
      // A refusal is the directory's answer; another server of the same
      // directory would give the same one.
      return make_error(errc::permission_denied, "service bind as " + std::string(bind_name) + " refused by " + uri +
                                                     ": " + std::to_string(answer->code) +
                                                     (answer->diagnostic.empty() ? "" : " " + answer->diagnostic));
    }
    return c;
  }
  return make_error(errc::unavailable, "no directory server answered: " + failures);
}

result<bind_answer> connection::bind_blocking(std::string_view name, std::string_view password) {
  // SECURITY: RFC 4513 5.1.2: a simple bind with a name and an empty
  // password is an unauthenticated bind that servers may accept as success.
  if (password.empty()) return bind_answer{LDAP_INVALID_CREDENTIALS, "empty password refused before any request"};
  std::string dn(name);
  berval cred{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
  int rc = ldap_sasl_bind_s(impl_->ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
  if (rc < 0 || rc == LDAP_BUSY || rc == LDAP_UNAVAILABLE)
    return ldap_error(rc, "bind to " + impl_->uri, diagnostic_of(impl_->ld));
  return bind_answer{rc, rc == LDAP_SUCCESS ? std::string{} : diagnostic_of(impl_->ld)};
}

result<void> connection::search_blocking(search_request const& request,
                                         std::function<result<void>(proto::entry&&)> const& each) {
  LDAP* ld = impl_->ld;
  std::size_t count = 0;
  berval* cookie = nullptr;  // RFC 2696: the server's, handed back for the next page
  auto free_cookie = [&] {
    if (cookie != nullptr) ber_bvfree(cookie);
    cookie = nullptr;
  };
  std::optional<control_ptr> show_deleted;
  if (request.show_deleted) {
    LDAPControl* c = nullptr;
    int rc = ldap_control_create(LDAP_CONTROL_X_SHOW_DELETED, 1, nullptr, 0, &c);
    if (rc != LDAP_SUCCESS) return ldap_error(rc, "show-deleted control");
    show_deleted.emplace(c);
  }
  for (;;) {
    std::vector<LDAPControl*> controls;
    control_ptr page;
    if (request.page_size > 0) {
      LDAPControl* c = nullptr;
      int rc = ldap_create_page_control(ld, static_cast<ber_int_t>(request.page_size), cookie, 0, &c);
      if (rc != LDAP_SUCCESS) {
        free_cookie();
        return ldap_error(rc, "paged results control");
      }
      page.reset(c);
      controls.push_back(c);
    }
    if (show_deleted) controls.push_back(show_deleted->get());
    controls.push_back(nullptr);
    auto done = run_search(
        ld, impl_->options.timeout, request, controls.size() > 1 ? controls.data() : nullptr,
        [&](LDAPMessage* e) -> result<void> {
          if (++count > request.max_entries)
            return make_error(errc::limit_exceeded, "ldap search " + request.base + ": more than " +
                                                        std::to_string(request.max_entries) + " entries");
          return each(POSTA_TRY(entry_of(ld, e)));
        },
        [](LDAPMessage*) -> result<void> { return {}; });
    free_cookie();
    if (!done) return std::move(done).error();
    LDAPControl* response = find_control(LDAP_CONTROL_PAGEDRESULTS, done->controls.get());
    if (request.page_size <= 0 || response == nullptr) return {};  // no paging (or the server ignored it)
    berval next{};
    ber_int_t estimate = 0;
    int rc = ldap_parse_pageresponse_control(ld, response, &estimate, &next);
    if (rc != LDAP_SUCCESS) return ldap_error(rc, "paged results response");
    if (next.bv_len == 0) {
      ber_memfree(next.bv_val);
      return {};  // the last page
    }
    cookie = ber_bvdup(&next);
    ber_memfree(next.bv_val);
    if (cookie == nullptr) return make_error(errc::internal, "paged results cookie");
  }
}

result<std::vector<proto::entry>> connection::search_all_blocking(search_request const& request) {
  std::vector<proto::entry> out;
  POSTA_TRY(search_blocking(request, [&](proto::entry&& e) -> result<void> {
    out.push_back(std::move(e));
    return {};
  }));
  return out;
}

result<proto::entry> connection::root_dse_blocking() {
  search_request r;
  r.base = "";
  r.where = scope::base;
  r.attributes = {"*", "+"};
  r.page_size = 0;
  r.max_entries = 1;
  auto entries = POSTA_TRY(search_all_blocking(r));
  if (entries.empty()) return make_error(errc::not_found, "root DSE: no entry");
  return std::move(entries.front());
}

namespace {

// RFC 4533 answers turned into changes: syncState controls on entries and
// syncInfo intermediate responses, for refreshOnly and refreshAndPersist.
class sync_decoder {
 public:
  sync_decoder(LDAP* ld, search_request const& request, bool from_cookie)
      : ld_(ld), request_(request), from_cookie_(from_cookie) {}

  std::vector<change> changes;        // since the last take
  std::optional<std::string> latest;  // the newest cookie the server sent
  bool refresh_done = false;          // refreshAndPersist: the refresh phase ended
  bool present_phase = false;         // it ended with a present phase (RFC 4533 3.4)

  result<void> entry(LDAPMessage* e) {
    POSTA_TRY(bump());
    LDAPControl** raw = nullptr;
    ldap_get_entry_controls(ld_, e, &raw);
    controls_ptr ctrls(raw);
    LDAPControl* state = find_control(LDAP_CONTROL_SYNC_STATE, ctrls.get());
    if (state == nullptr) return protocol("entry without a syncState control");
    // RFC 4533 2.3: syncStateValue ::= SEQUENCE { state ENUMERATED,
    // entryUUID syncUUID (16 raw bytes), cookie syncCookie OPTIONAL }.
    auto ber = reader_of(&state->ldctl_value);
    ber_int_t st = 0;
    berval uuid{};
    if (!ber || ber_scanf(ber.get(), "{em", &st, &uuid) == LBER_ERROR) return protocol("syncState control");
    auto text = proto::uuid_bytes_text(view_of(uuid));
    if (!text) return protocol("syncUUID");
    if (!read_optional_cookie(ber.get(), latest)) return protocol("syncState cookie");
    change c;
    c.uuid = std::move(*text);
    c.entry = POSTA_TRY(entry_of(ld_, e));
    switch (st) {
      case LDAP_SYNC_PRESENT:
        c.what = change::kind::present;
        break;
      case LDAP_SYNC_ADD:
      case LDAP_SYNC_MODIFY:
        c.what = from_cookie_ || refresh_done ? change::kind::modified : change::kind::present;
        break;
      case LDAP_SYNC_DELETE:
        c.what = change::kind::deleted;
        break;
      default:
        return protocol("syncState state");
    }
    changes.push_back(std::move(c));
    return {};
  }

  // RFC 4533 2.5: syncInfoValue ::= CHOICE { newcookie [0], refreshDelete
  // [1], refreshPresent [2], syncIdSet [3] }.
  result<void> intermediate(LDAPMessage* m) {
    char* oid = nullptr;
    berval* data = nullptr;
    int rc = ldap_parse_intermediate(ld_, m, &oid, &data, nullptr, 0);
    std::unique_ptr<char, void (*)(char*)> oid_guard(oid, [](char* p) { ldap_memfree(p); });
    std::unique_ptr<berval, void (*)(berval*)> data_guard(data, [](berval* p) { ber_bvfree(p); });
    if (rc != LDAP_SUCCESS) return ldap_error(rc, "content sync: intermediate response");
    if (oid == nullptr || std::string_view(oid) != LDAP_SYNC_INFO) return {};
    auto ber = reader_of(data);
    if (!ber) return protocol("syncInfo");
    ber_len_t len = 0;
    ber_tag_t tag = ber_peek_tag(ber.get(), &len);
    if (tag == LDAP_TAG_SYNC_NEW_COOKIE) {
      berval bv{};
      if (ber_scanf(ber.get(), "m", &bv) == LBER_ERROR) return protocol("syncInfo newcookie");
      latest = std::string(view_of(bv));
      return {};
    }
    if (tag == LDAP_TAG_SYNC_REFRESH_DELETE || tag == LDAP_TAG_SYNC_REFRESH_PRESENT) {
      bool done = true;
      if (ber_scanf(ber.get(), "{") == LBER_ERROR || !read_optional_cookie(ber.get(), latest) ||
          !read_optional_boolean(ber.get(), done))
        return protocol("syncInfo refresh phase");
      if (done) {
        refresh_done = true;
        present_phase = tag == LDAP_TAG_SYNC_REFRESH_PRESENT;
      }
      return {};
    }
    if (tag == LDAP_TAG_SYNC_ID_SET) {
      bool refresh_deletes = false;
      BerVarray uuids = nullptr;
      if (ber_scanf(ber.get(), "{") == LBER_ERROR || !read_optional_cookie(ber.get(), latest) ||
          !read_optional_boolean(ber.get(), refresh_deletes) || ber_scanf(ber.get(), "[W]", &uuids) == LBER_ERROR)
        return protocol("syncInfo syncIdSet");
      std::unique_ptr<berval, void (*)(berval*)> uuids_guard(uuids, [](berval* p) { ber_bvarray_free(p); });
      for (berval* u = uuids; u != nullptr && u->bv_val != nullptr; ++u) {
        POSTA_TRY(bump());
        auto text = proto::uuid_bytes_text(view_of(*u));
        if (!text) return protocol("syncUUID in syncIdSet");
        change c;
        // refreshDeletes TRUE: these are gone; FALSE: these are present
        // (unchanged, no DN: the caller knows them by UUID).
        c.what = refresh_deletes ? change::kind::deleted : change::kind::present;
        c.uuid = std::move(*text);
        changes.push_back(std::move(c));
      }
      return {};
    }
    return protocol("syncInfo choice");
  }

  // RFC 4533 2.4: syncDoneValue ::= SEQUENCE { cookie OPTIONAL,
  // refreshDeletes BOOLEAN DEFAULT FALSE }; false when absent.
  result<bool> done(LDAPControl** controls) {
    bool refresh_deletes = false;
    if (LDAPControl* d = find_control(LDAP_CONTROL_SYNC_DONE, controls)) {
      auto ber = reader_of(&d->ldctl_value);
      if (!ber || ber_scanf(ber.get(), "{") == LBER_ERROR || !read_optional_cookie(ber.get(), latest) ||
          !read_optional_boolean(ber.get(), refresh_deletes))
        return protocol("syncDone control");
    }
    return refresh_deletes;
  }

 private:
  result<void> bump() {
    if (++count_ > request_.max_entries)
      return make_error(errc::limit_exceeded, "content sync " + request_.base + ": more than " +
                                                  std::to_string(request_.max_entries) + " changes");
    return {};
  }
  static error protocol(char const* what) {
    return make_error(errc::protocol_error, "content sync: bad " + std::string(what));
  }

  LDAP* ld_;
  search_request const& request_;
  bool from_cookie_;
  std::size_t count_ = 0;
};

}  // namespace

result<sync_pass> connection::content_sync_blocking(search_request const& request, std::string const& cookie) {
  LDAP* ld = impl_->ld;
  bool from_cookie = !cookie.empty();
  auto control = POSTA_TRY(sync_request_control(cookie, LDAP_SYNC_REFRESH_ONLY));
  LDAPControl* controls[] = {control.get(), nullptr};
  sync_decoder decoder(ld, request, from_cookie);
  int code = LDAP_SUCCESS;
  auto searched = run_search(
      ld, impl_->options.timeout, request, controls, [&](LDAPMessage* e) { return decoder.entry(e); },
      [&](LDAPMessage* m) { return decoder.intermediate(m); }, &code);
  if (!searched && from_cookie && code == LDAP_SYNC_REFRESH_REQUIRED) {
    // RFC 4533 3.2: e-syncRefreshRequired: the cookie is too old for the
    // server's history; start over with the whole content.
    return content_sync_blocking(request, "");
  }
  auto done = POSTA_TRY(std::move(searched));
  bool refresh_deletes = POSTA_TRY(decoder.done(done.controls.get()));
  sync_pass pass;
  pass.changes = std::move(decoder.changes);
  // RFC 4533 3.4: refreshDeletes FALSE means a present phase: whatever was
  // not named present (or added/modified) is gone. A refresh without a
  // cookie is the whole content however it ended (slapd says TRUE there).
  pass.complete_refresh = !from_cookie || !refresh_deletes;
  pass.cookie = decoder.latest ? std::move(*decoder.latest) : cookie;
  return pass;
}

result<void> connection::persist_blocking(search_request const& request, std::string const& cookie,
                                          std::stop_token stop,
                                          std::function<result<void>(sync_pass&&)> const& on_change,
                                          std::chrono::milliseconds poll) {
  LDAP* ld = impl_->ld;
  bool from_cookie = !cookie.empty();
  auto control = POSTA_TRY(sync_request_control(cookie, LDAP_SYNC_REFRESH_AND_PERSIST));
  LDAPControl* controls[] = {control.get(), nullptr};
  attribute_list attrs(request.attributes);
  int msgid = 0;
  int rc = ldap_search_ext(ld, request.base.c_str(), scope_of(request.where), request.filter.c_str(), attrs.get(), 0,
                           controls, nullptr, nullptr, 0, &msgid);
  if (rc != LDAP_SUCCESS) return ldap_error(rc, "persistent sync " + request.base, diagnostic_of(ld));
  struct abandon_on_exit {
    LDAP* ld;
    int msgid;
    ~abandon_on_exit() { ldap_abandon_ext(ld, msgid, nullptr, nullptr); }
  } abandon{ld, msgid};
  sync_decoder decoder(ld, request, from_cookie);
  std::string current = cookie;
  bool announced_refresh = false;
  // Hands what arrived to the caller: after every message in the persist
  // phase, and once at the end of the refresh (complete_refresh as a
  // refreshOnly pass would say). The refresh's changes are collected until
  // then, bounded by max_entries.
  auto deliver = [&](bool force) -> result<void> {
    if (!decoder.refresh_done) return {};
    bool end_of_refresh = !announced_refresh;
    if (!force && !end_of_refresh && decoder.changes.empty() && (!decoder.latest || *decoder.latest == current))
      return {};
    sync_pass pass;
    pass.changes = std::move(decoder.changes);
    decoder.changes.clear();
    if (decoder.latest) current = *decoder.latest;
    pass.cookie = current;
    pass.complete_refresh = end_of_refresh && (!from_cookie || decoder.present_phase);
    announced_refresh = true;
    return on_change(std::move(pass));
  };
  while (!stop.stop_requested()) {
    // Bounded waits, so that a stop request is seen within `poll` (the
    // ambiguity of ldap_sync_poll does not arise: ldap_result says 0 when
    // nothing came).
    timeval tv = to_timeval(poll);
    LDAPMessage* raw = nullptr;
    int type = ldap_result(ld, msgid, LDAP_MSG_ONE, &tv, &raw);
    message_ptr msg(raw);
    if (type == 0) continue;
    if (type == -1) {
      int err = LDAP_OTHER;
      ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &err);
      return ldap_error(err, "persistent sync " + request.base, diagnostic_of(ld));
    }
    if (type == LDAP_RES_SEARCH_ENTRY) {
      POSTA_TRY(decoder.entry(msg.get()));
    } else if (type == LDAP_RES_INTERMEDIATE) {
      POSTA_TRY(decoder.intermediate(msg.get()));
    } else if (type == LDAP_RES_SEARCH_RESULT) {
      int err = LDAP_SUCCESS;
      char* diag = nullptr;
      ldap_parse_result(ld, msg.get(), &err, nullptr, &diag, nullptr, nullptr, 0);
      std::string diagnostic = diag != nullptr ? diag : "";
      if (diag != nullptr) ldap_memfree(diag);
      // The server ended the search (e-syncRefreshRequired, shutdown …):
      // the caller starts again, from its cookie or from scratch.
      if (err == LDAP_SUCCESS) err = LDAP_UNAVAILABLE;
      return ldap_error(err, "persistent sync " + request.base + " ended by the server", diagnostic);
    }
    POSTA_TRY(deliver(false));
  }
  return {};
}

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
