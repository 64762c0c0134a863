// libldap (OpenLDAP 2.5) behind directory/ldap/connection.hpp.
#include "directory/ldap/connection.hpp"

#include "directory/ldap/libldap_helpers.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <utility>

namespace posta::directory::ldap {
using namespace detail;
namespace {

// SECURITY: the largest LDAP message libldap will read (a whole entry, or a
// page of a sync answer's UUIDs); a bigger one fails the call instead of
// growing memory. 64 MiB holds any realistic entry with photos.
constexpr ber_len_t max_incoming_bytes = 64u << 20;

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

}  // namespace posta::directory::ldap
