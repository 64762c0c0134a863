// POP3 command parsing (RFC 1939 3, 5-7; RFC 2449 5; RFC 2595 4; RFC 5034 4).
#include "mail/pop3/proto/command.hpp"

#include <array>
#include <charconv>
#include <vector>

namespace posta::mail::pop3::proto {
namespace {

struct verb_entry {
  std::string_view keyword;
  verb what;
  int min_args;
  int max_args;
};

// The command table: keyword, verb and how many arguments it takes.
constexpr std::array<verb_entry, 14> verbs{{
    {"USER", verb::user, 1, 1},
    {"PASS", verb::pass, 1, 1},  // the rest of the line, parsed apart
    {"STAT", verb::stat, 0, 0},
    {"LIST", verb::list, 0, 1},
    {"RETR", verb::retr, 1, 1},
    {"DELE", verb::dele, 1, 1},
    {"NOOP", verb::noop, 0, 0},
    {"RSET", verb::rset, 0, 0},
    {"QUIT", verb::quit, 0, 0},
    {"TOP", verb::top, 2, 2},
    {"UIDL", verb::uidl, 0, 1},
    {"CAPA", verb::capa, 0, 0},
    {"STLS", verb::stls, 0, 0},
    {"AUTH", verb::auth, 0, 2},
}};

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<std::uint32_t> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

verb_entry const* find_verb(std::string_view keyword) {
  for (auto const& e : verbs)
    if (e.keyword == keyword) return &e;
  return nullptr;
}

// Fills the typed fields of `cmd` from its (already counted) arguments.
std::optional<syntax_error> take_arguments(command& cmd, std::vector<std::string_view> const& args) {
  switch (cmd.what) {
    case verb::list:
    case verb::uidl:
    case verb::retr:
    case verb::dele:
    case verb::top:
      if (!args.empty()) {
        cmd.message = parse_number(args[0]);
        if (!cmd.message) return syntax_error{"Invalid message number"};
      }
      if (cmd.what == verb::top) {
        auto n = parse_number(args[1]);
        if (!n) return syntax_error{"Invalid line count"};
        cmd.lines = *n;
      }
      return std::nullopt;
    case verb::user:
      cmd.text = std::string(args[0]);
      return std::nullopt;
    case verb::auth:
      if (!args.empty()) {
        for (char c : args[0]) cmd.text.push_back(upper(c));
      }
      if (args.size() == 2) cmd.initial_response = args[1] == "=" ? std::string() : std::string(args[1]);
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string keyword_of(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size() && line[i] != ' ' && out.size() < 5; ++i) out.push_back(upper(line[i]));
  return out.size() > 4 ? std::string() : out;
}

parsed parse_command(std::string_view line) {
  if (has_control(line)) return syntax_error{"Invalid characters in command"};
  auto space = line.find(' ');
  auto keyword = keyword_of(line);
  auto const* entry = keyword.empty() || keyword.size() != std::min(space, line.size()) ? nullptr : find_verb(keyword);
  if (!entry) return syntax_error{"Unknown command"};
  command cmd;
  cmd.what = entry->what;
  std::string_view rest = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
  if (cmd.what == verb::pass) {
    // RFC 1939 7: the password may contain spaces; it is everything after "PASS ".
    if (rest.empty()) return syntax_error{"Missing password"};
    cmd.text = std::string(rest);
    return cmd;
  }
  auto args = split_words(rest);
  if (static_cast<int>(args.size()) < entry->min_args) return syntax_error{"Missing argument"};
  if (static_cast<int>(args.size()) > entry->max_args) return syntax_error{"Too many arguments"};
  if (auto e = take_arguments(cmd, args)) return *e;
  return cmd;
}

}  // namespace posta::mail::pop3::proto
