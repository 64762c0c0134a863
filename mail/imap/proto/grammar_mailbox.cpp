// Grammar of the mailbox commands: SELECT/EXAMINE with CONDSTORE/QRESYNC
// parameters (RFC 3501 6.3.1-2, RFC 7162 3.1.8, 3.2.5), CREATE with USE (RFC
// 6154 3), DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT, STATUS (RFC
// 3501 6.3.10, RFC 7162 3.1.2, RFC 9208 4.3.3, RFC 7889), LIST/LSUB with
// LIST-EXTENDED options (RFC 5258 3, RFC 5819, RFC 6154 5) and APPEND with
// MULTIAPPEND, literal8 and UTF8 data (RFC 3502, RFC 3516 4.4, RFC 6855 4).
#include "mail/imap/proto/grammar.hpp"

#include <utility>

namespace posta::mail::imap::proto::grammar {

namespace {

// "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
//   [SP seq-match-data] ")"; seq-match-data = "(" known-sequence-set SP known-uid-set ")"
std::optional<qresync_params> qresync(cursor& c) {
  qresync_params q;
  auto uidvalidity = c.sp() && c.expect('(') ? c.nz_number() : std::nullopt;
  auto modseq = uidvalidity && c.sp() ? c.number64() : std::nullopt;
  if (!modseq) return std::nullopt;
  q.uidvalidity = *uidvalidity;
  q.modseq = *modseq;
  if (c.eat(' ') && c.peek() != '(') {
    q.known_uids = set(c);
    if (!q.known_uids) return std::nullopt;
    if (!c.eat(' ')) return c.expect(')') ? std::optional(q) : std::nullopt;
  }
  if (c.eat('(')) {
    auto seqs = set(c);
    auto uids = seqs && c.sp() ? set(c) : std::nullopt;
    if (!uids || !c.expect(')')) return std::nullopt;
    q.seq_match.emplace(std::move(*seqs), std::move(*uids));
  }
  if (!c.expect(')')) return std::nullopt;
  return q;
}

std::optional<std::vector<std::string>> use_attrs(cursor& c) {
  std::vector<std::string> out;
  bool ok = c.sp() && paren_list(c, true, [&](cursor& c) {
              auto f = c.flag();
              if (f) out.push_back(std::move(*f));
              return f.has_value();
            });
  if (!ok) return std::nullopt;
  return out;
}

bool list_select_option(cursor& c, list_cmd& cmd) {
  return option_word(c,
                     {{"SUBSCRIBED", &cmd.select_subscribed},
                      {"REMOTE", &cmd.select_remote},
                      {"RECURSIVEMATCH", &cmd.select_recursive_match},
                      {"SPECIAL-USE", &cmd.select_special_use}},
                     "list selection option (SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE)");
}

bool list_return_option(cursor& c, list_cmd& cmd) {
  if (c.eat_word("STATUS")) return c.sp() && status_atts(c, cmd.return_status.emplace());
  return option_word(c,
                     {{"SUBSCRIBED", &cmd.return_subscribed},
                      {"CHILDREN", &cmd.return_children},
                      {"SPECIAL-USE", &cmd.return_special_use}},
                     "list return option (SUBSCRIBED, CHILDREN, SPECIAL-USE, STATUS)");
}

bool list_patterns(cursor& c, list_cmd& cmd) {
  auto one = [&](cursor& c) {
    auto p = c.list_mailbox();
    if (p) cmd.patterns.push_back(std::move(*p));
    return p.has_value();
  };
  if (c.peek() == '(' && !cmd.lsub) return paren_list(c, false, one);
  return one(c);
}

bool append_message_args(cursor& c, append_cmd& cmd) {
  append_message m;
  if (c.peek() == '(') {
    auto flags = flag_list(c);
    if (!flags || !c.sp()) return false;
    m.flags = std::move(*flags);
  }
  if (c.peek() == '"') {
    auto text = c.quoted();
    if (!text) return false;
    m.internal_date = parse_date_time(*text);
    if (!m.internal_date) return c.fail("date-time such as \"17-Jul-1996 02:44:25 -0700\"");
    if (!c.sp()) return false;
  }
  m.utf8 = c.eat_word("UTF8");
  if (m.utf8 && (!c.sp() || !c.expect('(') || c.peek() != '~')) return c.fail("UTF8 (literal8)");
  auto data = c.literal(true, &m.binary, &m.streamed);
  if (!data || (m.utf8 && !c.expect(')'))) return c.fail("message literal");
  m.data = std::move(*data);
  cmd.messages.push_back(std::move(m));
  return true;
}

}  // namespace

parsed select(cursor& c, bool examine) {
  select_cmd cmd;
  cmd.examine = examine;
  if (!mailbox_arg(c, cmd.mailbox)) return std::nullopt;
  if (!c.eat(' ')) return cmd;
  bool ok = paren_list(c, false, [&](cursor& c) {
    if (c.eat_word("CONDSTORE")) return cmd.condstore = true;
    if (!c.eat_word("QRESYNC")) return c.fail("select parameter (CONDSTORE, QRESYNC)");
    cmd.qresync = qresync(c);
    return cmd.qresync.has_value();
  });
  if (!ok) return std::nullopt;
  return cmd;
}

parsed create(cursor& c) {
  create_cmd cmd;
  if (!mailbox_arg(c, cmd.mailbox)) return std::nullopt;
  if (!c.eat(' ')) return cmd;
  bool ok = paren_list(c, false, [&](cursor& c) {
    if (!c.eat_word("USE")) return c.fail("create parameter (USE)");
    auto attrs = use_attrs(c);
    if (attrs) cmd.special_use.insert(cmd.special_use.end(), attrs->begin(), attrs->end());
    return attrs.has_value();
  });
  if (!ok) return std::nullopt;
  return cmd;
}

parsed mailbox_only(cursor& c, mailbox_verb verb) {
  mailbox_cmd cmd{verb, {}};
  if (!mailbox_arg(c, cmd.mailbox)) return std::nullopt;
  return cmd;
}

parsed rename(cursor& c) {
  auto from = c.sp() ? c.mailbox() : std::nullopt;
  auto to = from && c.sp() ? c.mailbox() : std::nullopt;
  if (!to) return std::nullopt;
  return rename_cmd{std::move(*from), std::move(*to)};
}

std::optional<status_item> status_att(cursor& c) {
  static constexpr std::pair<std::string_view, status_item> names[] = {
      {"MESSAGES", status_item::messages},       {"UIDNEXT", status_item::uidnext},
      {"UIDVALIDITY", status_item::uidvalidity}, {"UNSEEN", status_item::unseen},
      {"DELETED", status_item::deleted},         {"SIZE", status_item::size},
      {"RECENT", status_item::recent},           {"HIGHESTMODSEQ", status_item::highestmodseq},
      {"APPENDLIMIT", status_item::appendlimit},
  };
  for (auto const& [name, item] : names)
    if (c.eat_word(name)) return item;
  return c.fail("status item"), std::nullopt;
}

// "(" status-att *(SP status-att) ")"
bool status_atts(cursor& c, std::vector<status_item>& out) {
  return paren_list(c, false, [&](cursor& c) {
    auto item = status_att(c);
    if (item) out.push_back(*item);
    return item.has_value();
  });
}

parsed status(cursor& c) {
  status_cmd cmd;
  if (!mailbox_arg(c, cmd.mailbox) || !c.sp() || !status_atts(c, cmd.items)) return std::nullopt;
  return cmd;
}

// LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
parsed list(cursor& c, bool lsub) {
  list_cmd cmd;
  cmd.lsub = lsub;
  if (!c.sp()) return std::nullopt;
  if (!lsub && c.peek() == '(') {
    if (!paren_list(c, true, [&](cursor& c) { return list_select_option(c, cmd); }) || !c.sp()) return std::nullopt;
    // RFC 5258 3.1: RECURSIVEMATCH only modifies another selection option.
    if (cmd.select_recursive_match && !cmd.select_subscribed && !cmd.select_special_use)
      return c.fail("RECURSIVEMATCH with another selection option"), std::nullopt;
  }
  auto ref = c.mailbox();
  if (!ref || !c.sp() || !list_patterns(c, cmd)) return std::nullopt;
  cmd.reference = std::move(*ref);
  if (!lsub && c.eat(' ')) {
    if (!c.eat_word("RETURN")) return c.fail("RETURN"), std::nullopt;
    if (!c.sp() || !paren_list(c, true, [&](cursor& c) { return list_return_option(c, cmd); })) return std::nullopt;
  }
  return cmd;
}

// APPEND SP mailbox 1*(SP [flag-list SP] [date-time SP] (literal / literal8 / "UTF8 (" literal8 ")"))
parsed append(cursor& c) {
  append_cmd cmd;
  if (!mailbox_arg(c, cmd.mailbox)) return std::nullopt;
  while (c.eat(' '))
    if (!append_message_args(c, cmd)) return std::nullopt;
  if (cmd.messages.empty()) return c.fail("SP message"), std::nullopt;
  return cmd;
}

}  // namespace posta::mail::imap::proto::grammar
