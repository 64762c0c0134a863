// The command table: tag, command name and UID prefix (RFC 3501 6.4.8), then
// the family grammar; plus the small rules every family shares (sequence
// sets, flags).
#include "mail/imap/proto/parse_command.hpp"

#include "mail/imap/proto/grammar.hpp"
#include "mail/imap/proto/collation.hpp"

#include <algorithm>

namespace posta::mail::imap::proto {

namespace grammar {

std::optional<sequence_set> set(cursor& c) {
  auto text = c.sequence_text();
  if (!text) return std::nullopt;
  auto s = parse_sequence_set(*text, c.options().max_ranges);
  if (s) return s;
  c.seek(c.position() - text->size());
  auto ranges = static_cast<std::size_t>(std::count(text->begin(), text->end(), ',')) + 1;
  if (ranges > c.options().max_ranges)
    return c.fail("sequence set of at most " + std::to_string(c.options().max_ranges) + " ranges"), std::nullopt;
  return c.fail("sequence set"), std::nullopt;
}

bool set_arg(cursor& c, sequence_set& out) {
  auto s = c.sp() ? set(c) : std::nullopt;
  if (s) out = std::move(*s);
  return s.has_value();
}

bool mailbox_arg(cursor& c, std::string& out) {
  auto mbox = c.sp() ? c.mailbox() : std::nullopt;
  if (mbox) out = std::move(*mbox);
  return mbox.has_value();
}

bool option_word(cursor& c, std::initializer_list<word_flag> words, std::string_view expected) {
  for (auto const& w : words)
    if (c.eat_word(w.word)) return *w.flag = true;
  return c.fail(expected);
}

std::optional<std::string> storable_flag(cursor& c) {
  auto f = c.flag();
  if (f && *f == "\\Recent") return c.fail("flag other than \\Recent"), std::nullopt;
  return f;
}

std::optional<std::vector<std::string>> flag_list(cursor& c) {
  std::vector<std::string> out;
  bool ok = paren_list(c, true, [&](cursor& c) {
    auto f = storable_flag(c);
    if (f) out.push_back(std::move(*f));
    return f.has_value();
  });
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace grammar

namespace {

using grammar::parsed;
using simple = simple_verb;

parsed simple_command(cursor&, simple_verb v) {
  return simple_cmd{v};
}

struct entry {
  std::string_view name;
  parsed (*parse)(cursor&);
};

// Commands that have no UID form.
constexpr entry commands[] = {
    {"CAPABILITY", [](cursor& c) { return simple_command(c, simple::capability); }},
    {"NOOP", [](cursor& c) { return simple_command(c, simple::noop); }},
    {"LOGOUT", [](cursor& c) { return simple_command(c, simple::logout); }},
    {"STARTTLS", [](cursor& c) { return simple_command(c, simple::starttls); }},
    {"CHECK", [](cursor& c) { return simple_command(c, simple::check); }},
    {"CLOSE", [](cursor& c) { return simple_command(c, simple::close); }},
    {"UNSELECT", [](cursor& c) { return simple_command(c, simple::unselect); }},
    {"EXPUNGE", [](cursor& c) { return simple_command(c, simple::expunge); }},
    {"IDLE", [](cursor& c) { return simple_command(c, simple::idle); }},
    {"NAMESPACE", [](cursor& c) { return simple_command(c, simple::namespace_); }},
    {"AUTHENTICATE", grammar::authenticate},
    {"LOGIN", grammar::login},
    {"ENABLE", grammar::enable},
    {"ID", grammar::id},
    {"COMPRESS", grammar::compress},
    {"GETQUOTA", grammar::getquota},
    {"SETQUOTA", grammar::setquota},
    {"GETQUOTAROOT", [](cursor& c) { return grammar::mailbox_only(c, mailbox_verb::getquotaroot); }},
    {"SELECT", [](cursor& c) { return grammar::select(c, false); }},
    {"EXAMINE", [](cursor& c) { return grammar::select(c, true); }},
    {"CREATE", grammar::create},
    {"DELETE", [](cursor& c) { return grammar::mailbox_only(c, mailbox_verb::delete_); }},
    {"SUBSCRIBE", [](cursor& c) { return grammar::mailbox_only(c, mailbox_verb::subscribe); }},
    {"UNSUBSCRIBE", [](cursor& c) { return grammar::mailbox_only(c, mailbox_verb::unsubscribe); }},
    {"RENAME", grammar::rename},
    {"STATUS", grammar::status},
    {"LIST", [](cursor& c) { return grammar::list(c, false); }},
    {"LSUB", [](cursor& c) { return grammar::list(c, true); }},
    {"APPEND", grammar::append},
};

struct uid_entry {
  std::string_view name;
  parsed (*parse)(cursor&, bool uid);
};

// Commands with a UID form; UID EXPUNGE has no plain form (that is EXPUNGE).
constexpr uid_entry uid_commands[] = {
    {"FETCH", grammar::fetch},
    {"STORE", grammar::store},
    {"SEARCH", grammar::search},
    {"SORT", grammar::sort},
    {"THREAD", grammar::thread},
    {"COPY", [](cursor& c, bool uid) { return grammar::copy(c, uid, false); }},
    {"MOVE", [](cursor& c, bool uid) { return grammar::copy(c, uid, true); }},
    {"EXPUNGE", [](cursor& c, bool) { return grammar::uid_expunge(c); }},
};

parsed dispatch(cursor& c, std::string const& verb, bool uid) {
  if (!uid)
    for (auto const& e : commands)
      if (verb == e.name) return e.parse(c);
  for (auto const& e : uid_commands)
    if (verb == e.name && (uid || verb != "EXPUNGE")) return e.parse(c, uid);
  return std::nullopt;
}

}  // namespace

parsed_command parse_command(std::string_view text, parse_options const& options,
                             std::span<std::size_t const> streamed) {
  parsed_command out;  // value starts as an empty syntax_error
  cursor c(text, options, streamed);
  auto tag = c.tag();
  if (!tag || !c.eat(' ')) return out.value = syntax_error{"expected tag SP command"}, out;
  out.tag = std::string(*tag);
  auto name = c.atom();
  if (!name) return out.value = syntax_error{"expected command name"}, out;
  std::string verb = casemap_key(*name);
  bool uid = verb == "UID";
  if (uid) {
    auto sub = c.sp() ? c.atom() : std::nullopt;
    if (!sub)
      return out.value = syntax_error{"UID: expected COPY, MOVE, FETCH, SEARCH, SORT, THREAD, STORE or EXPUNGE"}, out;
    verb = casemap_key(*sub);
  }
  out.verb = uid ? "UID " + verb : verb;
  auto cmd = dispatch(c, verb, uid);
  if (!cmd && !c.failed()) return out.value = syntax_error{"unknown command " + out.verb.substr(0, 40)}, out;
  if (cmd && !c.at_end()) c.fail("end of command");
  if (c.failed()) return out.value = syntax_error{out.verb + ": " + c.error_text()}, out;
  out.value = std::move(*cmd);
  return out;
}

}  // namespace posta::mail::imap::proto
