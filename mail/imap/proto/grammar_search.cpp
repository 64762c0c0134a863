// Grammar of SEARCH with CHARSET and RETURN (RFC 3501 6.4.4, RFC 9051 6.4.4,
// RFC 4731 3.1, RFC 5182), every search key (with MODSEQ of RFC 7162 3.1.5
// and OLDER/YOUNGER of RFC 5032), SORT with ESORT RETURN (RFC 5256 3, RFC
// 5267 3, RFC 5957 DISPLAYFROM/DISPLAYTO) and THREAD (RFC 5256 3).
#include "mail/imap/proto/grammar.hpp"
#include "mail/imap/proto/collation.hpp"

#include <utility>

namespace posta::mail::imap::proto::grammar {

namespace {

using sk = search_kind;

struct key_name {
  std::string_view name;
  search_kind kind;
};

constexpr key_name flag_keys[] = {
    {"ALL", sk::all},
    {"ANSWERED", sk::answered},
    {"DELETED", sk::deleted},
    {"DRAFT", sk::draft},
    {"FLAGGED", sk::flagged},
    {"NEW", sk::new_},
    {"OLD", sk::old},
    {"RECENT", sk::recent},
    {"SEEN", sk::seen},
    {"UNANSWERED", sk::unanswered},
    {"UNDELETED", sk::undeleted},
    {"UNDRAFT", sk::undraft},
    {"UNFLAGGED", sk::unflagged},
    {"UNSEEN", sk::unseen},
};
constexpr key_name string_keys[] = {
    {"BCC", sk::bcc},         {"BODY", sk::body}, {"CC", sk::cc}, {"FROM", sk::from},
    {"SUBJECT", sk::subject}, {"TEXT", sk::text}, {"TO", sk::to},
};
constexpr key_name date_keys[] = {
    {"BEFORE", sk::before},          {"ON", sk::on},          {"SINCE", sk::since},
    {"SENTBEFORE", sk::sent_before}, {"SENTON", sk::sent_on}, {"SENTSINCE", sk::sent_since},
};
constexpr key_name number_keys[] = {
    {"LARGER", sk::larger},
    {"SMALLER", sk::smaller},
    {"OLDER", sk::older},
    {"YOUNGER", sk::younger},
};

template <std::size_t N>
std::optional<search_kind> match(cursor& c, key_name const (&names)[N]) {
  for (auto const& k : names)
    if (c.eat_word(k.name)) return k.kind;
  return std::nullopt;
}

// date = date-text / DQUOTE date-text DQUOTE
std::optional<std::chrono::year_month_day> date(cursor& c) {
  std::optional<std::string> text;
  if (c.peek() == '"') {
    text = c.quoted();
  } else {
    auto a = c.atom();
    if (a) text.emplace(*a);
  }
  auto d = text ? parse_date(*text) : std::nullopt;
  if (!d) return c.fail("date such as 1-Feb-1994"), std::nullopt;
  return d;
}

// MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer (RFC 7162 3.1.5)
bool modseq_key(cursor& c, search_key& k) {
  if (!c.sp()) return false;
  if (c.peek() == '"') {
    auto name = c.quoted();
    if (!name || !c.sp()) return false;
    k.field = std::move(*name);
    if (c.eat_word("PRIV"))
      k.entry_type = modseq_entry_type::priv;
    else if (c.eat_word("SHARED"))
      k.entry_type = modseq_entry_type::shared;
    else if (c.eat_word("ALL"))
      k.entry_type = modseq_entry_type::all;
    else
      return c.fail("entry type (PRIV, SHARED, ALL)");
    if (!c.sp()) return false;
  }
  auto n = c.number64();
  if (n) k.number = *n;
  return n.has_value();
}

bool key(cursor& c, search_key& k, std::size_t depth);

bool keys_until(cursor& c, search_key& k, std::size_t depth, char close) {
  k.kind = sk::and_;
  do {
    search_key child;
    if (!key(c, child, depth + 1)) return false;
    k.children.push_back(std::move(child));
  } while (c.eat(' '));
  if (k.children.size() == 1) k = search_key(std::move(k.children.front()));  // one key needs no AND
  return close == '\0' ? true : c.expect(close);
}

bool operand_keys(cursor& c, search_key& k, search_kind kind, std::size_t n, std::size_t depth) {
  k.kind = kind;
  k.children.resize(n);
  for (auto& child : k.children)
    if (!c.sp() || !key(c, child, depth + 1)) return false;
  return true;
}

bool argument_key(cursor& c, search_key& k) {
  if (auto kind = match(c, string_keys)) {
    k.kind = *kind;
    auto v = c.sp() ? c.astring() : std::nullopt;
    if (v) k.value = std::move(*v);
    return v.has_value();
  }
  if (auto kind = match(c, date_keys)) {
    k.kind = *kind;
    auto d = c.sp() ? date(c) : std::nullopt;
    if (d) k.date = *d;
    return d.has_value();
  }
  if (auto kind = match(c, number_keys)) {
    k.kind = *kind;
    auto n = c.sp() ? c.number64() : std::nullopt;
    if (n) k.number = *n;
    return n && ((*kind != sk::older && *kind != sk::younger) || *n > 0 || c.fail("non-zero interval"));
  }
  bool keyword = c.eat_word("KEYWORD");
  if (keyword || c.eat_word("UNKEYWORD")) {
    k.kind = keyword ? sk::keyword : sk::unkeyword;
    auto f = c.sp() ? c.atom() : std::nullopt;
    if (f) k.field = std::string(*f);
    return f.has_value();
  }
  return c.fail("search key");
}

bool key(cursor& c, search_key& k, std::size_t depth) {
  // SECURITY: bounded recursion (parse_options::max_search_depth).
  if (depth > c.options().max_search_depth) return c.fail("fewer nested search keys");
  char p = c.peek();
  if (p == '(') return c.eat('(') && keys_until(c, k, depth, ')');
  if ((p >= '0' && p <= '9') || p == '*' || p == '$') {
    k.kind = sk::sequence;
    auto s = set(c);
    if (s) k.set = std::move(*s);
    return s.has_value();
  }
  if (auto kind = match(c, flag_keys)) return k.kind = *kind, true;
  if (c.eat_word("NOT")) return operand_keys(c, k, sk::not_, 1, depth);
  if (c.eat_word("OR")) return operand_keys(c, k, sk::or_, 2, depth);
  if (c.eat_word("UID")) {
    k.kind = sk::uid;
    auto s = c.sp() ? set(c) : std::nullopt;
    if (s) k.set = std::move(*s);
    return s.has_value();
  }
  if (c.eat_word("HEADER")) {
    k.kind = sk::header;
    auto name = c.sp() ? c.astring() : std::nullopt;
    auto value = name && c.sp() ? c.astring() : std::nullopt;
    if (!value) return false;
    k.field = std::move(*name);
    k.value = std::move(*value);
    return true;
  }
  if (c.eat_word("MODSEQ")) return k.kind = sk::modseq, modseq_key(c, k);
  return argument_key(c, k);
}

// SP search-key *(SP search-key) up to the end of the command.
std::optional<search_key> program(cursor& c) {
  search_key k;
  if (!c.sp() || !keys_until(c, k, 0, '\0')) return std::nullopt;
  return k;
}

bool return_option(cursor& c, result_options& r) {
  return option_word(c, {{"MIN", &r.min}, {"MAX", &r.max}, {"ALL", &r.all}, {"COUNT", &r.count}, {"SAVE", &r.save}},
                     "RETURN option (MIN, MAX, ALL, COUNT, SAVE)");
}

// [SP "RETURN" SP "(" [option *(SP option)] ")"]; RETURN () means ALL (RFC 4731 3.1).
bool result_opts(cursor& c, result_options& r) {
  std::size_t start = c.position();
  if (!c.eat(' ') || !c.eat_word("RETURN")) return c.seek(start), true;
  r.present = true;
  if (!c.sp() || !paren_list(c, true, [&](cursor& c) { return return_option(c, r); })) return false;
  if (!r.min && !r.max && !r.all && !r.count && !r.save) r.all = true;
  return true;
}

std::optional<std::string> charset(cursor& c) {
  auto cs = c.sp() ? c.astring() : std::nullopt;
  if (!cs) return std::nullopt;
  return casemap_key(*cs);
}

// SP charset 1*(SP search-key): the tail SORT and THREAD share.
bool charset_and_program(cursor& c, std::string& cs, search_key& key) {
  auto name = charset(c);
  auto k = name ? program(c) : std::nullopt;
  if (!k) return false;
  cs = std::move(*name);
  key = std::move(*k);
  return true;
}

bool sort_criterion_(cursor& c, std::vector<sort_criterion>& out) {
  static constexpr std::pair<std::string_view, sort_key> names[] = {
      {"ARRIVAL", sort_key::arrival},
      {"CC", sort_key::cc},
      {"DATE", sort_key::date},
      {"FROM", sort_key::from},
      {"SIZE", sort_key::size},
      {"SUBJECT", sort_key::subject},
      {"TO", sort_key::to},
      {"DISPLAYFROM", sort_key::display_from},
      {"DISPLAYTO", sort_key::display_to},
  };
  sort_criterion sc;
  sc.reverse = c.eat_word("REVERSE") && c.sp();
  for (auto const& [name, key] : names)
    if (c.eat_word(name)) return sc.key = key, out.push_back(sc), true;
  return c.fail("sort key (ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO, DISPLAYFROM, DISPLAYTO)");
}

}  // namespace

// SEARCH [RETURN (...)] [SP "CHARSET" SP charset] 1*(SP search-key)
parsed search(cursor& c, bool uid) {
  search_cmd cmd;
  cmd.uid = uid;
  if (!result_opts(c, cmd.ret)) return std::nullopt;
  std::size_t start = c.position();
  if (c.eat(' ') && c.eat_word("CHARSET")) {
    cmd.charset = charset(c);
    if (!cmd.charset) return std::nullopt;
  } else {
    c.seek(start);
  }
  auto k = program(c);
  if (!k) return std::nullopt;
  cmd.key = std::move(*k);
  return cmd;
}

// SORT [RETURN (...)] SP sort-criteria SP charset 1*(SP search-key)
parsed sort(cursor& c, bool uid) {
  sort_cmd cmd;
  cmd.uid = uid;
  if (!result_opts(c, cmd.ret) || !c.sp()) return std::nullopt;
  if (!paren_list(c, false, [&](cursor& c) { return sort_criterion_(c, cmd.criteria); })) return std::nullopt;
  if (!charset_and_program(c, cmd.charset, cmd.key)) return std::nullopt;
  return cmd;
}

// THREAD SP thread-algorithm SP charset 1*(SP search-key)
parsed thread(cursor& c, bool uid) {
  thread_cmd cmd;
  cmd.uid = uid;
  if (!c.sp()) return std::nullopt;
  if (c.eat_word("REFERENCES"))
    cmd.algorithm = thread_algorithm::references;
  else if (c.eat_word("ORDEREDSUBJECT"))
    cmd.algorithm = thread_algorithm::orderedsubject;
  else
    return c.fail("thread algorithm (REFERENCES, ORDEREDSUBJECT)"), std::nullopt;
  if (!charset_and_program(c, cmd.charset, cmd.key)) return std::nullopt;
  return cmd;
}

}  // namespace posta::mail::imap::proto::grammar
