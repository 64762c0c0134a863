// A SELECT snapshot's parallel arrays put in UID order: the store reads them
// without ORDER BY (PostgreSQL would sort a large mailbox on disk).
#pragma once

#include "mail/store/types.hpp"

namespace posta::mail::store {

// Sorts uids, modseqs and flag_set together by UID; a no-op when sorted.
void sort_by_uid(snapshot& s);

}  // namespace posta::mail::store
