// Which commands each connection state admits (RFC 3501 3, 6; RFC 9051 3, 6)
// and when the server may announce expunges (RFC 3501 7.4.1, RFC 9051 7.5.1,
// RFC 7162 3.2.10): the session's dispatch table rules, kept pure.
#pragma once

#include "mail/imap/proto/command.hpp"

namespace posta::mail::imap::proto {

enum class session_state { not_authenticated, authenticated, selected, logout };

// True when `cmd` may run in `state`; otherwise the session answers BAD
// (RFC 9051 6: a command in the wrong state is a protocol error).
bool is_allowed_in(command const& cmd, session_state state);

// False for FETCH, STORE, SEARCH, SORT, THREAD, COPY and MOVE by sequence number (not
// their UID forms):
// while answering them no EXPUNGE may be sent, since the client's sequence
// numbers would shift under it. (With no command in progress none may be
// sent either, except during IDLE.)
bool may_announce_expunges(command const& cmd);

}  // namespace posta::mail::imap::proto
