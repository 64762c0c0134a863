// The per-family command grammars, each called with the cursor just after
// the command name (and after "UID " for the UID forms). Internal to
// mail/imap/proto; parse_command.cpp holds the table of commands.
#pragma once

#include "mail/imap/proto/command.hpp"
#include "mail/imap/proto/cursor.hpp"

#include <initializer_list>
#include <optional>
#include <string_view>

namespace posta::mail::imap::proto::grammar {

using parsed = std::optional<command>;

// SP mailbox, into `out`.
bool mailbox_arg(cursor& c, std::string& out);

// One of several option words, each setting its flag; false (recording
// `expected`) when none of them comes next.
struct word_flag {
  std::string_view word;
  bool* flag;
};
bool option_word(cursor& c, std::initializer_list<word_flag> words, std::string_view expected);

// sequence-set, bounded by options().max_ranges.
std::optional<sequence_set> set(cursor& c);
// SP sequence-set, into `out`.
bool set_arg(cursor& c, sequence_set& out);
// flag of RFC 3501 9: a flag a client may set (not \Recent).
std::optional<std::string> storable_flag(cursor& c);
// "(" [flag *(SP flag)] ")"
std::optional<std::vector<std::string>> flag_list(cursor& c);
// Calls item(c) for each element of "(" [item *(SP item)] ")"; false on error.
// allow_empty: "()" is accepted.
template <class F>
bool paren_list(cursor& c, bool allow_empty, F&& item) {
  if (!c.expect('(')) return false;
  if (c.eat(')')) return allow_empty || c.fail("at least one item");
  do {
    if (!item(c)) return false;
  } while (c.eat(' '));
  return c.expect(')');
}

// grammar_session.cpp: authentication and connection-level commands.
parsed authenticate(cursor& c);
parsed login(cursor& c);
parsed enable(cursor& c);
parsed id(cursor& c);
parsed compress(cursor& c);
parsed getquota(cursor& c);
parsed setquota(cursor& c);

// grammar_mailbox.cpp: mailbox-level commands.
parsed select(cursor& c, bool examine);
parsed create(cursor& c);
parsed mailbox_only(cursor& c, mailbox_verb verb);
parsed rename(cursor& c);
parsed status(cursor& c);
parsed list(cursor& c, bool lsub);
parsed append(cursor& c);
std::optional<status_item> status_att(cursor& c);
bool status_atts(cursor& c, std::vector<status_item>& out);

// grammar_search.cpp: SEARCH, SORT, THREAD and the search keys.
parsed search(cursor& c, bool uid);
parsed sort(cursor& c, bool uid);
parsed thread(cursor& c, bool uid);

// grammar_fetch.cpp: message-level commands.
parsed fetch(cursor& c, bool uid);
parsed store(cursor& c, bool uid);
parsed copy(cursor& c, bool uid, bool move);
parsed uid_expunge(cursor& c);

}  // namespace posta::mail::imap::proto::grammar
