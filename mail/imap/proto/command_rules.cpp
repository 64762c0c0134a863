// The state table of RFC 3501 6.1-6.4 / RFC 9051 6.1-6.4 over typed commands.
#include "mail/imap/proto/command_rules.hpp"

namespace posta::mail::imap::proto {

namespace {

enum class scope { any, not_authenticated, authenticated, authenticated_only, selected };

scope simple_scope(simple_verb v) {
  switch (v) {
    case simple_verb::capability:
    case simple_verb::noop:
    case simple_verb::logout:
      return scope::any;
    case simple_verb::starttls:
      return scope::not_authenticated;
    case simple_verb::idle:
    case simple_verb::namespace_:
      return scope::authenticated;
    case simple_verb::check:
    case simple_verb::close:
    case simple_verb::unselect:
    case simple_verb::expunge:
      return scope::selected;
  }
  return scope::selected;
}

struct scope_of {
  scope operator()(simple_cmd const& c) const { return simple_scope(c.verb); }
  scope operator()(authenticate_cmd const&) const { return scope::not_authenticated; }
  scope operator()(login_cmd const&) const { return scope::not_authenticated; }
  // ID may be sent in any state (RFC 2971 3.1); COMPRESS after login or
  // before it alike (RFC 4978 3).
  scope operator()(id_cmd const&) const { return scope::any; }
  scope operator()(compress_cmd const&) const { return scope::any; }
  // RFC 9051 6.3.1: ENABLE before any mailbox is selected.
  scope operator()(enable_cmd const&) const { return scope::authenticated_only; }
  scope operator()(uid_expunge_cmd const&) const { return scope::selected; }
  scope operator()(search_cmd const&) const { return scope::selected; }
  scope operator()(sort_cmd const&) const { return scope::selected; }
  scope operator()(thread_cmd const&) const { return scope::selected; }
  scope operator()(fetch_cmd const&) const { return scope::selected; }
  scope operator()(store_cmd const&) const { return scope::selected; }
  scope operator()(copy_cmd const&) const { return scope::selected; }
  template <class T>
  scope operator()(T const&) const {
    return scope::authenticated;  // SELECT, CREATE, LIST, STATUS, APPEND, quota...
  }
};

}  // namespace

bool is_allowed_in(command const& cmd, session_state state) {
  switch (std::visit(scope_of{}, cmd)) {
    case scope::any:
      return state != session_state::logout;
    case scope::not_authenticated:
      return state == session_state::not_authenticated;
    case scope::authenticated:
      return state == session_state::authenticated || state == session_state::selected;
    case scope::authenticated_only:
      return state == session_state::authenticated;
    case scope::selected:
      return state == session_state::selected;
  }
  return false;
}

bool may_announce_expunges(command const& cmd) {
  if (auto const* f = std::get_if<fetch_cmd>(&cmd)) return f->uid;
  if (auto const* s = std::get_if<store_cmd>(&cmd)) return s->uid;
  if (auto const* s = std::get_if<search_cmd>(&cmd)) return s->uid;
  // SORT and THREAD answer with sequence numbers just as SEARCH does.
  if (auto const* s = std::get_if<sort_cmd>(&cmd)) return s->uid;
  if (auto const* t = std::get_if<thread_cmd>(&cmd)) return t->uid;
  // COPY/MOVE 2:3 means the client's 2 and 3: an EXPUNGE told first would
  // renumber them before the server reads them (RFC 3501 5.5). MOVE tells
  // its own and the held expunges once the numbers are resolved.
  if (auto const* c = std::get_if<copy_cmd>(&cmd)) return c->uid;
  return true;
}

}  // namespace posta::mail::imap::proto
