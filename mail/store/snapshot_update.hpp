// A SELECT snapshot brought up to date with what changed after its
// HIGHESTMODSEQ (RFC 7162: every new message, flag change and expunge has a
// greater MODSEQ), so a large mailbox is not read whole again.
#pragma once

#include "mail/store/types.hpp"

namespace posta::mail::store {

// `base` (UID order) with `ch` applied: expunged UIDs removed, changed ones
// given their MODSEQ and flags, new ones added in UID order; the state
// (UIDNEXT, HIGHESTMODSEQ, \Recent mark, keywords) taken from `ch`. `ch`
// must be changes_since(base.highestmodseq) of the same mailbox and
// UIDVALIDITY. Pure.
snapshot apply_changes(snapshot const& base, changes const& ch);

}  // namespace posta::mail::store
