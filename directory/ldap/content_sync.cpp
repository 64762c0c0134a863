// RFC 4533 content synchronisation (refreshOnly and refreshAndPersist)
// behind directory/ldap/connection.hpp.
#include "directory/ldap/connection.hpp"

#include "directory/ldap/libldap_helpers.hpp"
#include "directory/proto/identity_values.hpp"

#include <optional>
#include <utility>

namespace posta::directory::ldap {
using namespace detail;
namespace {

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

}  // namespace posta::directory::ldap
