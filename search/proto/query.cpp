// A recursive-descent parser over a token list; every recursion is bounded
// by query_limits::max_depth.
#include "search/proto/query.hpp"

#include "search/proto/fold.hpp"

#include <array>
#include <charconv>

namespace posta::search::proto {
namespace {

struct token {
  enum class type { word, phrase, open, close, or_op, and_op, not_op } t = type::word;
  std::string text;      // word/phrase text as typed
  std::string field;     // "from" in from:bob (lower case), or empty
  bool negated = false;  // -word
};

error bad(std::string what) {
  return make_error(errc::invalid_argument, std::move(what));
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Splits the query into tokens; quotes must balance.
result<std::vector<token>> tokenize(std::string_view s) {
  std::vector<token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_space(s[i])) {
      ++i;
      continue;
    }
    if (s[i] == '(' || s[i] == ')') {
      out.push_back({s[i] == '(' ? token::type::open : token::type::close, {}, {}, false});
      ++i;
      continue;
    }
    token t;
    if (s[i] == '-') {
      t.negated = true;
      ++i;
    }
    // field: before a word or a phrase
    std::size_t j = i;
    while (j < s.size() && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') || s[j] == '-')) ++j;
    if (j > i && j < s.size() && s[j] == ':') {
      for (auto c : s.substr(i, j - i)) t.field += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      i = j + 1;
    }
    if (i < s.size() && s[i] == '"') {
      auto const close = s.find('"', i + 1);
      if (close == std::string_view::npos) return bad("unbalanced quote");
      t.t = token::type::phrase;
      t.text = std::string(s.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      std::size_t e = i;
      while (e < s.size() && !is_space(s[e]) && s[e] != '(' && s[e] != ')' && s[e] != '"') ++e;
      if (e < s.size() && s[e] == '"') return bad("a quote must start a phrase");
      t.text = std::string(s.substr(i, e - i));
      i = e;
      if (t.field.empty() && !t.negated) {
        if (t.text == "OR")
          t.t = token::type::or_op;
        else if (t.text == "AND")
          t.t = token::type::and_op;
        else if (t.text == "NOT")
          t.t = token::type::not_op;
      }
      if (t.t == token::type::word && t.text.empty() && t.field.empty()) return bad("a lone '-'");
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<field> field_named(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, field>, 9> names{{{"from", field::from},
                                                                            {"to", field::to},
                                                                            {"cc", field::cc},
                                                                            {"bcc", field::bcc},
                                                                            {"subject", field::subject},
                                                                            {"body", field::body},
                                                                            {"attachment", field::attachment},
                                                                            {"message-id", field::message_id},
                                                                            {"header", field::header}}};
  for (auto const& [n, f] : names)
    if (n == name) return f;
  return std::nullopt;
}

// YYYY-MM-DD as Unix seconds at 00:00 UTC (days from civil, Howard Hinnant's algorithm).
std::optional<std::int64_t> parse_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  auto num = [](std::string_view p, int& v) {
    auto r = std::from_chars(p.data(), p.data() + p.size(), v);
    return r.ec == std::errc{} && r.ptr == p.data() + p.size();
  };
  if (!num(s.substr(0, 4), y) || !num(s.substr(5, 2), m) || !num(s.substr(8, 2), d)) return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  y -= m <= 2;
  std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t const yoe = y - era * 400;
  std::int64_t const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  std::int64_t const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (era * 146097 + doe - 719468) * 86400;
}

result<query_node> date_node(std::string_view text) {
  query_node n;
  n.k = query_node::kind::date_range;
  auto const dots = text.find("..");
  auto from = dots == std::string_view::npos ? text : text.substr(0, dots);
  auto to = dots == std::string_view::npos ? text : text.substr(dots + 2);
  if (!from.empty()) {
    n.from = parse_day(from);
    if (!n.from) return bad("date: wants YYYY-MM-DD or a range A..B");
  }
  if (!to.empty()) {
    auto end = parse_day(to);
    if (!end) return bad("date: wants YYYY-MM-DD or a range A..B");
    n.to = *end + 86400;  // the whole last day
  }
  if (!n.from && !n.to) return bad("date: wants YYYY-MM-DD or a range A..B");
  return n;
}

class parser {
 public:
  parser(std::vector<token> tokens, query_limits const& limits) : t_(std::move(tokens)), limits_(limits) {}

  result<query_node> parse() {
    if (t_.empty()) return bad("empty query");
    auto q = POSTA_TRY(any_of(0));
    if (at_ < t_.size()) return bad(t_[at_].t == token::type::close ? "unbalanced ')'" : "unexpected text");
    return q;
  }

 private:
  bool is(token::type ty) const { return at_ < t_.size() && t_[at_].t == ty; }

  result<query_node> any_of(std::size_t depth) {
    query_node n;
    n.k = query_node::kind::any_of;
    n.children.push_back(POSTA_TRY(all_of(depth)));
    while (is(token::type::or_op)) {
      ++at_;
      n.children.push_back(POSTA_TRY(all_of(depth)));
    }
    if (n.children.size() == 1) return std::move(n.children.front());
    return n;
  }

  result<query_node> all_of(std::size_t depth) {
    query_node n;
    n.k = query_node::kind::all_of;
    while (at_ < t_.size() && !is(token::type::close) && !is(token::type::or_op)) {
      if (is(token::type::and_op)) {
        ++at_;
        continue;
      }
      n.children.push_back(POSTA_TRY(unary(depth)));
    }
    if (n.children.empty()) return bad("OR, AND or ( ) without words");
    if (n.children.size() == 1) return std::move(n.children.front());
    return n;
  }

  result<query_node> unary(std::size_t depth) {
    if (depth >= limits_.max_depth)
      return bad("query nested too deeply (at most " + std::to_string(limits_.max_depth) + ")");
    if (is(token::type::not_op)) {
      ++at_;
      if (at_ >= t_.size()) return bad("NOT without words");
      return excluded(POSTA_TRY(unary(depth + 1)));
    }
    if (is(token::type::open)) {
      ++at_;
      auto inner = POSTA_TRY(any_of(depth + 1));
      if (!is(token::type::close)) return bad("unbalanced '('");
      ++at_;
      return inner;
    }
    token const& tk = t_[at_++];
    auto leaf = POSTA_TRY(leaf_of(tk));
    return tk.negated ? excluded(std::move(leaf)) : std::move(leaf);
  }

  static query_node excluded(query_node inner) {
    query_node n;
    n.k = query_node::kind::exclude;
    n.children.push_back(std::move(inner));
    return n;
  }

  result<query_node> leaf_of(token const& tk) {
    if (tk.t == token::type::close || tk.t == token::type::open) return bad("misplaced parenthesis");
    if (tk.field == "date") return date_node(tk.text);
    query_node n;
    if (!tk.field.empty()) {
      n.in = field_named(tk.field);
      if (!n.in) return bad("unknown field '" + tk.field + "'");
    }
    std::string_view text = tk.text;
    if (tk.t == token::type::word && !text.empty() && text.back() == '*') {
      n.prefix = true;
      text.remove_suffix(1);
    }
    std::size_t const room = limits_.max_words - std::min(limits_.max_words, words_);
    n.words = words(text, room + 1);
    if (n.words.empty())
      return bad(n.prefix ? "a wildcard needs letters before '*'" : "'" + tk.text + "' has no words");
    words_ += n.words.size();
    if (words_ > limits_.max_words) return bad("too many words (at most " + std::to_string(limits_.max_words) + ")");
    if (n.prefix && n.words.back().size() < limits_.min_wildcard_chars)
      return bad("a wildcard needs at least " + std::to_string(limits_.min_wildcard_chars) + " letters before '*'");
    return n;
  }

  std::vector<token> t_;
  query_limits const& limits_;
  std::size_t at_ = 0;
  std::size_t words_ = 0;
};

}  // namespace

result<query_node> parse_query(std::string_view text, query_limits const& limits) {
  if (text.size() > limits.max_bytes)
    return bad("query too long (at most " + std::to_string(limits.max_bytes) + " bytes)");
  auto tokens = POSTA_TRY(tokenize(text));
  return parser(std::move(tokens), limits).parse();
}

std::vector<std::string> positive_words(query_node const& q) {
  std::vector<std::string> out;
  if (q.k == query_node::kind::exclude) return out;
  out.insert(out.end(), q.words.begin(), q.words.end());
  for (auto const& c : q.children) {
    auto more = positive_words(c);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

}  // namespace posta::search::proto
