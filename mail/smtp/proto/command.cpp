// Command line parsing: a static verb table, one parser per verb, and the
// ESMTP parameter tables of MAIL and RCPT. RFC 5321 4.1.1, 4.1.2; RFC 1870,
// RFC 6152, RFC 3030 2, RFC 6531 3.4, RFC 3461 4.1-4.4, RFC 4954 4-5.
#include "mail/smtp/proto/command.hpp"

#include "mail/smtp/proto/grammar.hpp"
#include "mail/smtp/proto/xtext.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace posta::mail::smtp::proto {
namespace {

namespace g = grammar;

// SECURITY: RFC 3461 4.2 / 4.4 bounds on DSN values; AUTH= shares ORCPT's.
constexpr std::size_t max_orcpt_length = 500;
constexpr std::size_t max_envid_length = 100;
constexpr std::size_t max_auth_param_length = 500;
constexpr std::size_t max_number_digits = 20;
constexpr std::size_t max_sasl_mech_length = 20;  // RFC 4422 3.1

using error = std::optional<reply>;

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits off the first space-separated word; `rest` keeps what follows.
std::string_view next_word(std::string_view& rest) {
  rest = trim_spaces(rest);
  std::size_t end = rest.find(' ');
  std::string_view word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return word;
}

// 1*DIGIT, saturating: the caller compares it with a limit anyway.
std::optional<std::uint64_t> parse_number(std::string_view s, bool saturate) {
  if (s.empty() || s.size() > max_number_digits) return std::nullopt;
  std::uint64_t value = 0;
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  for (char c : s) {
    if (!g::is_digit(c)) return std::nullopt;
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) {
      if (!saturate) return std::nullopt;
      value = max;
      continue;
    }
    value = value * 10 + digit;
  }
  return value;
}

// ---- ESMTP parameters -------------------------------------------------------

using value_t = std::optional<std::string_view>;

reply bad_value(std::string_view keyword) {
  return replies::bad_arguments("Bad value for parameter " + std::string(keyword));
}

template <class Params>
struct param_rule {
  std::string_view keyword;
  bool (*is_set)(Params const&);
  error (*apply)(Params&, value_t);
};

error apply_size(mail_params& p, value_t v) {
  auto n = v ? parse_number(*v, true) : std::nullopt;
  if (!n) return bad_value("SIZE");
  p.size = *n;
  return {};
}

error apply_body(mail_params& p, value_t v) {
  if (v && g::iequals(*v, "7BIT")) p.body = body_type::seven_bit;
  else if (v && g::iequals(*v, "8BITMIME")) p.body = body_type::eight_bit_mime;
  else if (v && g::iequals(*v, "BINARYMIME")) p.body = body_type::binary_mime;
  else return bad_value("BODY");
  return {};
}

error apply_smtputf8(mail_params& p, value_t v) {
  if (v) return bad_value("SMTPUTF8");
  p.smtputf8 = true;
  return {};
}

error apply_ret(mail_params& p, value_t v) {
  if (v && g::iequals(*v, "FULL")) p.ret = dsn_return::full;
  else if (v && g::iequals(*v, "HDRS")) p.ret = dsn_return::headers;
  else return bad_value("RET");
  return {};
}

std::optional<std::string> bounded_xtext(value_t v, std::size_t max_length) {
  if (!v || v->size() > max_length) return std::nullopt;
  return xtext_decode(*v);
}

// SECURITY: RFC 3461 4.4 and 4.2: the decoded ENVID and ORCPT address are
// printable US-ASCII (0x20-0x7E). Anything else (NUL, controls, 8-bit bytes
// smuggled in as "+XX") is refused here, before it is stored or echoed in a DSN.
bool is_printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

error apply_envid(mail_params& p, value_t v) {
  p.envid = bounded_xtext(v, max_envid_length);
  if (!p.envid || !is_printable_ascii(*p.envid)) return bad_value("ENVID");
  return {};
}

error apply_auth(mail_params& p, value_t v) {
  p.auth = bounded_xtext(v, max_auth_param_length);
  return p.auth ? error{} : bad_value("AUTH");
}

// NOTIFY="NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )
error apply_notify(rcpt_params& p, value_t v) {
  if (!v) return bad_value("NOTIFY");
  dsn_notify n;
  std::string_view rest = *v;
  while (true) {
    std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    if (g::iequals(item, "NEVER")) n.never = true;
    else if (g::iequals(item, "SUCCESS")) n.success = true;
    else if (g::iequals(item, "FAILURE")) n.failure = true;
    else if (g::iequals(item, "DELAY")) n.delay = true;
    else return bad_value("NOTIFY");
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (n.never && (n.success || n.failure || n.delay)) return bad_value("NOTIFY");
  p.notify = n;
  return {};
}

// ORCPT=addr-type ";" xtext, addr-type an atom (RFC 3461 4.2).
error apply_orcpt(rcpt_params& p, value_t v) {
  if (!v || v->size() > max_orcpt_length) return bad_value("ORCPT");
  std::size_t semi = v->find(';');
  if (semi == 0 || semi == std::string_view::npos) return bad_value("ORCPT");
  std::string_view type = v->substr(0, semi);
  for (char c : type)
    if (!g::is_atext(c)) return bad_value("ORCPT");
  auto address = xtext_decode(v->substr(semi + 1));
  if (!address || address->empty() || !is_printable_ascii(*address)) return bad_value("ORCPT");
  p.orcpt = original_recipient{std::string(type), std::move(*address)};
  return {};
}

constexpr param_rule<mail_params> mail_rules[] = {
    {"SIZE", [](mail_params const& p) { return p.size.has_value(); }, apply_size},
    {"BODY", [](mail_params const& p) { return p.body.has_value(); }, apply_body},
    {"SMTPUTF8", [](mail_params const& p) { return p.smtputf8; }, apply_smtputf8},
    {"RET", [](mail_params const& p) { return p.ret.has_value(); }, apply_ret},
    {"ENVID", [](mail_params const& p) { return p.envid.has_value(); }, apply_envid},
    {"AUTH", [](mail_params const& p) { return p.auth.has_value(); }, apply_auth},
};

constexpr param_rule<rcpt_params> rcpt_rules[] = {
    {"NOTIFY", [](rcpt_params const& p) { return p.notify.has_value(); }, apply_notify},
    {"ORCPT", [](rcpt_params const& p) { return p.orcpt.has_value(); }, apply_orcpt},
};

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool is_keyword(std::string_view s) {
  if (s.empty() || !g::is_let_dig(s.front())) return false;
  for (char c : s)
    if (!g::is_let_dig(c) && c != '-') return false;
  return true;
}

// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 under RFC 6531 3.3.
bool is_esmtp_value(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 33 && c <= 126 && c != '=') continue;
    std::size_t n = g::utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n - 1;
  }
  return true;
}

template <class Params, std::size_t N>
error parse_params(std::string_view text, param_rule<Params> const (&rules)[N], Params& out) {
  for (std::string_view word = next_word(text); !word.empty(); word = next_word(text)) {
    std::size_t eq = word.find('=');
    std::string_view keyword = word.substr(0, eq);
    value_t value;
    if (eq != std::string_view::npos) value = word.substr(eq + 1);
    if (!is_keyword(keyword)) return replies::syntax_error("Bad parameter syntax");
    if (value && !is_esmtp_value(*value)) return bad_value(keyword);
    auto const* rule = std::find_if(std::begin(rules), std::end(rules),
                                    [&](auto const& r) { return g::iequals(r.keyword, keyword); });
    if (rule == std::end(rules))
      return replies::bad_parameter("Unsupported parameter " + g::ascii_upper(keyword));
    if (rule->is_set(out))
      return replies::bad_parameter("Duplicate parameter " + g::ascii_upper(keyword));
    if (auto e = rule->apply(out, value)) return e;
  }
  return {};
}

// ---- MAIL and RCPT ------------------------------------------------------------

struct path_and_rest {
  path value;
  std::string_view rest;  // the parameters, if any
};

// "FROM:" / "TO:" then a path, then nothing or SP and parameters.
reply_or<path_and_rest> parse_path_argument(std::string_view args, std::string_view keyword,
                                            path_options opts, std::string_view usage) {
  if (!g::istarts_with(args, keyword)) return replies::bad_arguments(usage);
  // COMPAT(client): "MAIL FROM: <a@b>" (a space after the colon) is common.
  std::string_view text = trim_spaces(args.substr(keyword.size()));
  auto p = parse_path_prefix(text, opts);
  if (!p) return p.error();
  std::string_view rest = text.substr(p->length);
  if (!rest.empty() && rest.front() != ' ') return parse_path(text, opts).error();
  return path_and_rest{std::move(p->value), rest};
}

reply_or<command> parse_mail(std::string_view args) {
  auto p = parse_path_argument(args, "FROM:", {path_role::reverse, true},
                               "Syntax: MAIL FROM:<address> [parameters]");
  if (!p) return p.error();
  mail_cmd cmd{std::move(p->value), {}};
  if (auto e = parse_params(p->rest, mail_rules, cmd.params)) return *e;
  // RFC 6531 3.4: a non-ASCII reverse-path needs SMTPUTF8 on this very command.
  if (cmd.reverse_path.mailbox && cmd.reverse_path.mailbox->has_non_ascii() &&
      !cmd.params.smtputf8)
    return replies::non_ascii_address();
  return command{std::move(cmd)};
}

reply_or<command> parse_rcpt(std::string_view args) {
  auto p = parse_path_argument(args, "TO:", {path_role::forward, true},
                               "Syntax: RCPT TO:<address> [parameters]");
  if (!p) return p.error();
  rcpt_cmd cmd{std::move(p->value), {}};
  if (auto e = parse_params(p->rest, rcpt_rules, cmd.params)) return *e;
  return command{std::move(cmd)};
}

// ---- the other verbs -----------------------------------------------------------

bool has_controls(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

reply_or<command> parse_hello(std::string_view args, bool extended) {
  std::string_view usage = extended ? "Syntax: EHLO hostname" : "Syntax: HELO hostname";
  if (args.empty() || has_controls(args)) return replies::bad_arguments(usage);
  if (auto canonical = parse_domain_or_literal(args, false))
    return command{helo_cmd{extended, std::move(*canonical), true}};
  return command{helo_cmd{extended, std::string(args), false}};
}

reply_or<command> parse_ehlo(std::string_view args) { return parse_hello(args, true); }
reply_or<command> parse_helo(std::string_view args) { return parse_hello(args, false); }

// BDAT SP chunk-size [ SP end-marker ] (RFC 3030 2). No saturation here: the
// session must know exactly how many octets to read.
reply_or<command> parse_bdat(std::string_view args) {
  std::string_view rest = args;
  auto size = parse_number(next_word(rest), false);
  std::string_view marker = next_word(rest);
  bool last = g::iequals(marker, "LAST");
  if (!size || (!marker.empty() && !last) || !trim_spaces(rest).empty())
    return replies::bad_arguments("Syntax: BDAT size [LAST]");
  return command{bdat_cmd{*size, last}};
}

bool is_sasl_mech(std::string_view s) {
  if (s.empty() || s.size() > max_sasl_mech_length) return false;
  for (char c : s)
    if (!g::is_let_dig(c) && c != '-' && c != '_') return false;
  return true;
}

bool is_base64(std::string_view s) {
  for (char c : s)
    if (!g::is_let_dig(c) && c != '+' && c != '/' && c != '=') return false;
  return true;
}

// AUTH SP sasl-mech [SP initial-response] (RFC 4954 4).
reply_or<command> parse_auth(std::string_view args) {
  std::string_view rest = args;
  std::string_view mech = next_word(rest);
  std::string_view initial = next_word(rest);
  if (!is_sasl_mech(mech) || !is_base64(initial) || !trim_spaces(rest).empty())
    return replies::bad_arguments("Syntax: AUTH mechanism [initial-response]");
  auth_cmd cmd{g::ascii_upper(mech), std::nullopt};
  if (initial == "=") cmd.initial_response = std::string();
  else if (!initial.empty()) cmd.initial_response = std::string(initial);
  return command{std::move(cmd)};
}

template <class Cmd>
reply_or<command> parse_no_args(std::string_view args, std::string_view usage) {
  if (!args.empty()) return replies::bad_arguments(usage);
  return command{Cmd{}};
}

reply_or<command> parse_data(std::string_view a) { return parse_no_args<data_cmd>(a, "Syntax: DATA"); }
reply_or<command> parse_rset(std::string_view a) { return parse_no_args<rset_cmd>(a, "Syntax: RSET"); }
reply_or<command> parse_quit(std::string_view a) { return parse_no_args<quit_cmd>(a, "Syntax: QUIT"); }
reply_or<command> parse_starttls(std::string_view a) {
  return parse_no_args<starttls_cmd>(a, "Syntax: STARTTLS");
}
reply_or<command> parse_noop(std::string_view a) { return command{noop_cmd{std::string(a)}}; }
reply_or<command> parse_help(std::string_view a) { return command{help_cmd{std::string(a)}}; }
reply_or<command> parse_vrfy(std::string_view a) {
  if (a.empty()) return replies::bad_arguments("Syntax: VRFY address");
  return command{vrfy_cmd{std::string(a)}};
}
reply_or<command> parse_expn(std::string_view a) {
  if (a.empty()) return replies::bad_arguments("Syntax: EXPN list");
  return command{expn_cmd{std::string(a)}};
}

struct verb_entry {
  std::string_view name;
  proto::verb verb;
  reply_or<command> (*parse)(std::string_view args);
};

constexpr std::array<verb_entry, 14> verb_table{{
    {"EHLO", verb::ehlo, parse_ehlo},         {"HELO", verb::helo, parse_helo},
    {"MAIL", verb::mail, parse_mail},         {"RCPT", verb::rcpt, parse_rcpt},
    {"DATA", verb::data, parse_data},         {"BDAT", verb::bdat, parse_bdat},
    {"RSET", verb::rset, parse_rset},         {"NOOP", verb::noop, parse_noop},
    {"QUIT", verb::quit, parse_quit},         {"HELP", verb::help, parse_help},
    {"VRFY", verb::vrfy, parse_vrfy},         {"EXPN", verb::expn, parse_expn},
    {"STARTTLS", verb::starttls, parse_starttls}, {"AUTH", verb::auth, parse_auth},
}};

verb_entry const* find_verb(std::string_view line) {
  std::string_view word = line.substr(0, line.find(' '));
  for (auto const& e : verb_table)
    if (g::iequals(e.name, word)) return &e;
  return nullptr;
}

}  // namespace

verb command_verb(std::string_view line) noexcept {
  auto const* e = find_verb(line);
  return e ? e->verb : verb::unknown;
}

reply_or<command> parse_command(std::string_view line) {
  // COMPAT(client): trailing blanks ("DATA ", "QUIT\t") are tolerated.
  line = trim_spaces(line);
  if (line.empty()) return replies::empty_command();
  auto const* entry = find_verb(line);
  if (!entry) return replies::unknown_command();
  std::string_view args = line.substr(entry->name.size());
  return entry->parse(trim_spaces(args));
}

}  // namespace posta::mail::smtp::proto
