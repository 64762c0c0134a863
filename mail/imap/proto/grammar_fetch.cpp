// Grammar of the message commands: FETCH with every attribute and macro,
// sections, partials and CHANGEDSINCE/VANISHED (RFC 3501 6.4.5, RFC 9051
// 6.4.5, RFC 3516 4.2, RFC 7162 3.1.4, 3.2.6), STORE with UNCHANGEDSINCE (RFC
// 3501 6.4.6, RFC 7162 3.1.3), COPY/MOVE (RFC 3501 6.4.7, RFC 6851) and UID
// EXPUNGE (RFC 4315 2.1).
#include "mail/imap/proto/grammar.hpp"

#include <utility>

namespace posta::mail::imap::proto::grammar {

namespace {

using fi = fetch_item;

constexpr std::pair<std::string_view, fetch_item> plain_atts[] = {
    {"ENVELOPE", fi::envelope},
    {"FLAGS", fi::flags},
    {"INTERNALDATE", fi::internaldate},
    {"RFC822.HEADER", fi::rfc822_header},
    {"RFC822.SIZE", fi::rfc822_size},
    {"RFC822.TEXT", fi::rfc822_text},
    {"RFC822", fi::rfc822},
    {"BODYSTRUCTURE", fi::bodystructure},
    {"BODY", fi::body},
    {"UID", fi::uid},
    {"MODSEQ", fi::modseq},
};

bool header_list(cursor& c, fetch_att& a) {
  return c.sp() && paren_list(c, false, [&](cursor& c) {
           auto name = c.astring();
           if (name) a.header_fields.push_back(std::move(*name));
           return name.has_value();
         });
}

// section-msgtext / "MIME" (after a part number only)
bool section_text_(cursor& c, fetch_att& a, bool after_part) {
  auto& t = a.section.text;
  if (c.eat_prefix("HEADER.FIELDS.NOT")) return a.header_fields_not = true, t = section_text::header, header_list(c, a);
  if (c.eat_prefix("HEADER.FIELDS")) return t = section_text::header, header_list(c, a);
  if (c.eat_prefix("HEADER")) return t = section_text::header, true;
  if (c.eat_prefix("TEXT")) return t = section_text::text, true;
  if (after_part && c.eat_prefix("MIME")) return t = section_text::mime, true;
  return c.fail("section text (HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME)");
}

// section-spec up to and including "]"; binary: section-part only.
bool section(cursor& c, fetch_att& a, bool binary) {
  if (c.eat(']')) return true;
  char p = c.peek();
  if (p < '0' || p > '9') return !binary && section_text_(c, a, false) && c.expect(']');
  do {
    if (!binary && !a.section.part.empty() && (c.peek() < '0' || c.peek() > '9'))
      return section_text_(c, a, true) && c.expect(']');
    auto n = c.nz_number();
    if (!n) return false;
    a.section.part.push_back(*n);
  } while (c.eat('.'));
  return c.expect(']');
}

// partial = "<" number64 "." nz-number64 ">"
bool partial(cursor& c, fetch_att& a) {
  if (!c.eat('<')) return true;
  auto offset = c.number64();
  auto length = offset && c.expect('.') ? c.number64() : std::nullopt;
  if (!length || !c.expect('>')) return false;
  if (*length == 0) return c.fail("non-zero partial length");
  a.partial = fetch_partial{*offset, *length};
  return true;
}

bool fetch_att_(cursor& c, std::vector<fetch_att>& out) {
  fetch_att a;
  bool body = false, binary = false;
  if (c.eat_prefix("BODY.PEEK["))
    a.peek = body = true;
  else if (c.eat_prefix("BODY["))
    body = true;
  else if (c.eat_prefix("BINARY.PEEK["))
    a.peek = binary = true;
  else if (c.eat_prefix("BINARY["))
    binary = true;
  if (body || binary) {
    a.item = body ? fi::body_section : fi::binary;
    if (!section(c, a, binary) || !partial(c, a)) return false;
    return out.push_back(std::move(a)), true;
  }
  if (c.eat_prefix("BINARY.SIZE[")) {
    a.item = fi::binary_size;
    return section(c, a, true) && (out.push_back(std::move(a)), true);
  }
  for (auto const& [name, item] : plain_atts)
    if (c.eat_word(name)) return a.item = item, out.push_back(std::move(a)), true;
  return c.fail("fetch attribute");
}

bool macro(cursor& c, std::vector<fetch_att>& out) {
  std::vector<fetch_item> items;
  if (c.eat_word("ALL"))
    items = {fi::flags, fi::internaldate, fi::rfc822_size, fi::envelope};
  else if (c.eat_word("FAST"))
    items = {fi::flags, fi::internaldate, fi::rfc822_size};
  else if (c.eat_word("FULL"))
    items = {fi::flags, fi::internaldate, fi::rfc822_size, fi::envelope, fi::body};
  else
    return false;
  for (auto i : items) {
    fetch_att a;
    a.item = i;
    out.push_back(std::move(a));
  }
  return true;
}

bool fetch_modifier(cursor& c, fetch_cmd& cmd) {
  if (c.eat_word("CHANGEDSINCE")) {
    auto n = c.sp() ? c.number64() : std::nullopt;
    if (n) cmd.changed_since = *n;
    return n.has_value();
  }
  if (c.eat_word("VANISHED")) return cmd.vanished = true;
  return c.fail("fetch modifier (CHANGEDSINCE, VANISHED)");
}

bool store_flags(cursor& c, store_cmd& cmd) {
  if (c.peek() == '(') {
    auto flags = flag_list(c);
    if (flags) cmd.flags = std::move(*flags);
    return flags.has_value();
  }
  do {
    auto f = storable_flag(c);
    if (!f) return false;
    cmd.flags.push_back(std::move(*f));
  } while (c.eat(' '));
  return true;
}

}  // namespace

parsed fetch(cursor& c, bool uid) {
  fetch_cmd cmd;
  cmd.uid = uid;
  if (!set_arg(c, cmd.set) || !c.sp()) return std::nullopt;
  bool ok = c.peek() == '(' ? paren_list(c, false, [&](cursor& c) { return fetch_att_(c, cmd.atts); })
                            : macro(c, cmd.atts) || fetch_att_(c, cmd.atts);
  if (!ok) return std::nullopt;
  if (c.eat(' ') && !paren_list(c, false, [&](cursor& c) { return fetch_modifier(c, cmd); })) return std::nullopt;
  // RFC 7162 3.2.6: VANISHED only in UID FETCH and only with CHANGEDSINCE.
  if (cmd.vanished && (!uid || !cmd.changed_since))
    return c.fail("VANISHED only in UID FETCH with CHANGEDSINCE"), std::nullopt;
  return cmd;
}

// STORE SP sequence-set [SP "(UNCHANGEDSINCE" SP n ")"] SP ["+"/"-"] "FLAGS" [".SILENT"] SP flags
parsed store(cursor& c, bool uid) {
  store_cmd cmd;
  cmd.uid = uid;
  if (!set_arg(c, cmd.set) || !c.sp()) return std::nullopt;
  if (c.eat('(')) {
    auto n = c.eat_word("UNCHANGEDSINCE") && c.sp() ? c.number64() : std::nullopt;
    if (!n) return c.fail("UNCHANGEDSINCE mod-sequence"), std::nullopt;
    if (!c.expect(')') || !c.sp()) return std::nullopt;
    cmd.unchanged_since = *n;
  }
  if (c.eat('+'))
    cmd.mode = store_mode::add;
  else if (c.eat('-'))
    cmd.mode = store_mode::remove;
  if (c.eat_word("FLAGS.SILENT"))
    cmd.silent = true;
  else if (!c.eat_word("FLAGS"))
    return c.fail("FLAGS, +FLAGS or -FLAGS"), std::nullopt;
  if (!c.sp() || !store_flags(c, cmd)) return std::nullopt;
  return cmd;
}

parsed copy(cursor& c, bool uid, bool move) {
  copy_cmd cmd{uid, move, {}, {}};
  if (!set_arg(c, cmd.set) || !mailbox_arg(c, cmd.mailbox)) return std::nullopt;
  return cmd;
}

parsed uid_expunge(cursor& c) {
  uid_expunge_cmd cmd;
  if (!set_arg(c, cmd.uids)) return std::nullopt;
  return cmd;
}

}  // namespace posta::mail::imap::proto::grammar
