// Builds RFC 3464 failure notices: a multipart/report (RFC 6522) with a
// human explanation, a message/delivery-status part and the returned
// original (RFC 3461 4.3 RET), honouring NOTIFY (RFC 3461 4.1).
#include "mail/delivery/dsn.hpp"

#include "core/util/concat.hpp"
#include "core/util/hex.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace posta::mail::delivery {
namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::size_t max_line = 998;   // RFC 5322 2.1.1, without the CRLF
constexpr std::size_t fold_width = 78;  // RFC 5322 2.1.1 SHOULD
// SECURITY: diagnostics come from remote servers; cap what we repeat.
constexpr std::size_t max_value = 2048;
constexpr std::string_view fallback_boundary = "=_posta_dsn_part_boundary";
constexpr std::size_t max_boundary = 70;  // RFC 2046 5.1.1

bool is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Field text for the ASCII-only delivery-status part: controls (CR and LF
// above all: SECURITY, no header injection) become spaces, other octets '?'.
std::string ascii_text(std::string_view s) {
  std::string out;
  for (char const ch : s.substr(0, max_value)) {
    auto const c = static_cast<unsigned char>(ch);
    out.push_back(is_ctl(c) ? ' ' : c > 0x7f ? '?' : ch);
  }
  return out;
}

// The same for the UTF-8 text part and headers: 8-bit octets stay.
std::string utf8_text(std::string_view s) {
  std::string out;
  for (char const ch : s.substr(0, max_value)) out.push_back(is_ctl(static_cast<unsigned char>(ch)) ? ' ' : ch);
  return out;
}

// Octets that cannot appear in an ASCII field become "+XX", as in xtext
// (RFC 3461 4). TODO(RFC 6533): utf-8 address types for SMTPUTF8 addresses.
std::string ascii_address(std::string_view s) {
  std::string out;
  for (char const ch : s.substr(0, max_value)) {
    auto const c = static_cast<unsigned char>(ch);
    if (is_ctl(c) || c > 0x7f) {
      out += '+';
      util::append_hex(out, c, true);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

bool is_atext(unsigned char c) {
  if (c >= 0x80) return true;  // RFC 6532 3.2 UTF8-non-ascii
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(char(c)) != std::string_view::npos;
}

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '.' || is_atext(static_cast<unsigned char>(c)); });
}

// "local@domain" as an RFC 5322 addr-spec: the local part is quoted when it
// is no dot-atom; one already quoted (smtp::proto::to_string) stays as is.
std::string addr_spec(std::string_view address) {
  auto const at = address.rfind('@');
  auto const local = at == std::string_view::npos ? address : address.substr(0, at);
  auto const rest = at == std::string_view::npos ? std::string_view{} : address.substr(at);
  bool const quoted = local.size() >= 2 && local.front() == '"' && local.back() == '"';
  if (quoted || is_dot_atom(local)) return std::string(address);
  std::string out = "\"";
  for (char const c : local) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"" + std::string(rest);
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    auto const end = std::min(s.find(' ', i), s.size());
    // SECURITY: a word longer than a line is cut so no line passes 998.
    for (std::size_t j = i; j < end; j += max_line / 2) out.push_back(s.substr(j, std::min(end - j, max_line / 2)));
    i = end + 1;
  }
  return out;
}

// Appends `first` + words of `text`, breaking before a word that would pass
// fold_width; continuation lines start with `indent` (a space when folding
// a header field, RFC 5322 2.2.3).
void fold(std::string& out, std::string_view first, std::string_view text, std::string_view indent) {
  std::size_t line = first.size();
  out += first;
  bool at_start = true;
  for (auto const w : words(text)) {
    if (!at_start && line + 1 + w.size() > fold_width) {
      out += crlf;
      out += indent;
      line = indent.size();
      at_start = true;
    }
    if (!at_start) out.push_back(' ');
    out += w;
    line += w.size() + (at_start ? 0 : 1);
    at_start = false;
  }
  out += crlf;
}

void field(std::string& out, std::string_view name, std::string_view value) {
  fold(out, std::string(name) + ": ", value, " ");
}

}  // namespace

namespace {

bool is_8bit_char(char c) { return static_cast<unsigned char>(c) > 0x7f; }

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  return out;
}

// The Action value (RFC 3464 2.3.3); anything unknown reports a failure.
std::string action_of(dsn_recipient const& r) {
  auto const a = lower_ascii(r.action);
  for (std::string_view known : {"failed", "delayed", "delivered", "relayed", "expanded"}) {
    if (a == known) return a;
  }
  return "failed";
}

// RFC 3463 status-code: class "." 1*3digit "." 1*3digit, class 2, 4 or 5.
bool is_status(std::string_view s) {
  if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
  auto const dot = s.find('.', 2);
  if (dot == std::string_view::npos) return false;
  auto const digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 3 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return digits(s.substr(2, dot - 2)) && digits(s.substr(dot + 1));
}

std::string status_of(dsn_recipient const& r, std::string_view action) {
  if (is_status(r.status)) return r.status;
  return action == "failed" ? "5.0.0" : action == "delayed" ? "4.0.0" : "2.0.0";
}

// "type; text" (RFC 3464 2.3.6); a bare local reason gets our own type.
std::string diagnostic_of(dsn_recipient const& r) {
  auto const d = ascii_text(r.diagnostic);
  return d.find(';') == std::string::npos ? "x-posta; " + d : d;
}

// "rfc822;addr" (RFC 3464 2.3.1); an ORCPT without a type is taken as rfc822.
std::string original_recipient_of(std::string_view orcpt) {
  auto const v = ascii_address(orcpt);
  return v.find(';') == std::string::npos ? "rfc822;" + v : v;
}

// Copies `text` with every line end made CRLF (bare CR or LF included) and
// a final CRLF. SECURITY: lines past 998 octets are folded ("CRLF SP"),
// NULs become spaces: only used for header blocks, where that is a fold.
void copy_lines(std::string& out, std::string_view text) {
  std::size_t line = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += crlf;
      line = 0;
      continue;
    }
    if (line == max_line) {
      out += "\r\n ";
      line = 1;
    }
    out.push_back(c == '\0' ? ' ' : c);
    ++line;
  }
  if (line != 0) out += crlf;
}

// Can the original ride whole in message/rfc822 (RFC 2046 5.2.1: 7bit or
// 8bit only, so no NULs and no line past 998 octets)? Line ends are made
// CRLF by copy_lines either way.
bool fits_rfc822(std::string_view msg, std::size_t max_bytes) {
  if (msg.size() > max_bytes || msg.find('\0') != std::string_view::npos) return false;
  std::size_t line = 0;
  for (char const c : msg) {
    line = (c == '\r' || c == '\n') ? 0 : line + 1;
    if (line > max_line) return false;
  }
  return true;
}

}  // namespace

namespace {

bool is_bchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("'()+_,-./:=?").find(c) != std::string_view::npos;
}

// RFC 2046 5.1.1 bcharsnospace only (a space would not survive folding).
std::string valid_boundary(std::string_view b) {
  if (b.empty() || b.size() > max_boundary || !std::all_of(b.begin(), b.end(), is_bchar)) {
    return std::string(fallback_boundary);
  }
  return std::string(b);
}

// How often "--" + b occurs in the parts, and which octet follows each time.
std::size_t occurrences(std::string_view b, std::vector<std::string> const& parts, std::array<std::size_t, 256>& after) {
  std::string const needle = "--" + std::string(b);
  std::size_t n = 0;
  for (std::string_view p : parts) {
    for (auto pos = p.find(needle); pos != std::string_view::npos; pos = p.find(needle, pos + 1)) {
      ++n;
      if (pos + needle.size() < p.size()) ++after[static_cast<unsigned char>(p[pos + needle.size()])];
    }
  }
  return n;
}

// SECURITY: the content (the original above all) must not contain the
// delimiter, or it could end our parts and forge its own. Each round appends
// the alphanumeric that follows the fewest occurrences, so their number
// drops 62-fold per round: ten rounds outgrow any message.
std::string unique_boundary(std::string b, std::vector<std::string> const& parts) {
  static constexpr std::string_view alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::array<std::size_t, 256> after{};
  if (occurrences(b, parts, after) == 0) return b;
  b.resize(std::min(b.size(), max_boundary - 10));
  while (b.size() < max_boundary) {
    after.fill(0);
    if (occurrences(b, parts, after) == 0) return b;
    char best = alphabet.front();
    for (char const c : alphabet) {
      if (after[static_cast<unsigned char>(c)] < after[static_cast<unsigned char>(best)]) best = c;
    }
    b.push_back(best);
  }
  return b;
}

std::string_view cte(std::string_view body) { return is_8bit(body) ? "8bit" : "7bit"; }

// A report of successes only (RFC 3461 NOTIFY=SUCCESS: delivered, or
// relayed to a server that will not report further) is worded as one, and
// so is a report of delays only (still being retried); any failure makes
// it a bounce.
enum class report_kind { failure, delay, success };

report_kind kind_of(std::vector<dsn_recipient const*> const& rs) {
  auto const all = [&](auto pred) { return std::all_of(rs.begin(), rs.end(), [&](auto const* r) { return pred(action_of(*r)); }); };
  if (all([](std::string const& a) { return a == "delivered" || a == "relayed" || a == "expanded"; }))
    return report_kind::success;
  if (all([](std::string const& a) { return a == "delayed"; })) return report_kind::delay;
  return report_kind::failure;
}

std::string text_part(dsn_input const& in, std::vector<dsn_recipient const*> const& rs, bool full, bool fell_back) {
  std::string body;
  fold(body, "", "This is the mail delivery system at " + utf8_text(in.reporting_mta) + ".", "");
  body += crlf;
  switch (kind_of(rs)) {
    case report_kind::success:
      fold(body, "", "Your message was delivered to the recipients below, or passed on to a server that sends "
                     "no further delivery reports, as you asked.", "");
      break;
    case report_kind::delay:
      fold(body, "", "Your message has not yet been delivered to the recipients below. Delivery is still being "
                     "attempted; you will be told again only if it fails. You need not send it again.", "");
      break;
    case report_kind::failure:
      fold(body, "", "Your message could not be delivered to one or more of its recipients. "
                     "The reasons are given below.", "");
      break;
  }
  fold(body, "", full        ? "Your message is attached."
                 : fell_back ? "It could not be returned whole; its headers are attached."
                             : "The headers of your message are attached.", "");
  body += crlf;
  for (auto const* r : rs) {
    auto const why = r->diagnostic.empty() ? status_of(*r, action_of(*r)) : utf8_text(r->diagnostic);
    fold(body, "", util::concat({"<", utf8_text(addr_spec(r->final_recipient)), ">: ", why}), "    ");
  }
  return "Content-Description: Notification\r\nContent-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: " + std::string(cte(body)) + "\r\n\r\n" + body;
}

void recipient_fields(std::string& out, dsn_recipient const& r) {
  auto const action = action_of(r);
  out += crlf;
  if (r.original_recipient) field(out, "Original-Recipient", original_recipient_of(*r.original_recipient));
  field(out, "Final-Recipient", "rfc822; " + ascii_address(addr_spec(r.final_recipient)));
  field(out, "Action", action);
  field(out, "Status", status_of(r, action));
  if (!r.remote_mta.empty()) field(out, "Remote-MTA", "dns; " + ascii_address(r.remote_mta));
  if (!r.diagnostic.empty()) field(out, "Diagnostic-Code", diagnostic_of(r));
  if (action == "delayed" && !r.will_retry_until.empty()) field(out, "Will-Retry-Until", ascii_text(r.will_retry_until));
}

std::string status_part(dsn_input const& in, std::vector<dsn_recipient const*> const& rs) {
  std::string out = "Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n";
  field(out, "Reporting-MTA", "dns; " + ascii_address(in.reporting_mta));
  if (in.envelope_id) field(out, "Original-Envelope-Id", ascii_address(*in.envelope_id));
  if (!in.arrival_date.empty()) field(out, "Arrival-Date", ascii_text(in.arrival_date));
  for (auto const* r : rs) recipient_fields(out, *r);
  return out;
}

std::string original_part(std::string_view original, bool full, report_kind kind) {
  std::string body;
  copy_lines(body, full ? original : header_block(original));
  std::string out = kind == report_kind::success ? "Content-Description: Delivered message" : "Content-Description: Undelivered message";
  out += full ? "\r\nContent-Type: message/rfc822\r\n" : " headers\r\nContent-Type: text/rfc822-headers\r\n";
  if (is_8bit(body)) out += "Content-Transfer-Encoding: 8bit\r\n";
  return out + "\r\n" + body;
}

std::string top_header(dsn_input const& in, std::string_view message_id, std::string_view date,
                       std::string_view boundary, bool eight_bit, report_kind kind) {
  std::string out =
      util::concat({"From: \"Mail Delivery System\" <MAILER-DAEMON@", ascii_address(in.reporting_mta), ">\r\n"});
  field(out, "To", util::concat({"<", utf8_text(addr_spec(in.original_sender)), ">"}));
  out += kind == report_kind::success ? "Subject: Successful Mail Delivery Report\r\n"
         : kind == report_kind::delay ? "Subject: Delayed Mail (still being retried)\r\n"
                                      : "Subject: Undelivered Mail Returned to Sender\r\n";
  field(out, "Date", ascii_text(date));
  if (message_id.size() >= 2 && message_id.front() == '<' && message_id.back() == '>') {
    message_id = message_id.substr(1, message_id.size() - 2);
  }
  field(out, "Message-ID", util::concat({"<", ascii_address(message_id), ">"}));
  out += "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n";  // RFC 3834 5: no auto-replies to it
  out += "Content-Type: multipart/report; report-type=delivery-status;\r\n boundary=\"" + std::string(boundary) + "\"\r\n";
  if (eight_bit) out += "Content-Transfer-Encoding: 8bit\r\n";
  return out + "\r\n";
}

}  // namespace

bool wants_notice(dsn_recipient const& r) {
  auto const action = action_of(r);
  if (!r.notify) return action == "failed" || action == "delayed";  // RFC 3461 4.1 default
  if (r.notify->never) return false;
  if (action == "failed") return r.notify->failure;
  if (action == "delayed") return r.notify->delay;
  return r.notify->success;
}

std::optional<std::string> build_failure_dsn(dsn_input const& in, std::string_view message_id,
                                             std::string_view date, std::string_view boundary) {
  // SECURITY: never bounce a bounce (RFC 5321 6.1, RFC 3461 6.2): no loops.
  if (in.original_sender.empty()) return std::nullopt;
  std::vector<dsn_recipient const*> reported;
  for (auto const& r : in.recipients) {
    if (wants_notice(r)) reported.push_back(&r);
  }
  if (reported.empty()) return std::nullopt;

  bool const full = in.ret == dsn_ret::full && fits_rfc822(in.original_message, in.max_full_return);
  auto const kind = kind_of(reported);
  std::vector<std::string> const parts = {text_part(in, reported, full, in.ret == dsn_ret::full && !full),
                                          status_part(in, reported), original_part(in.original_message, full, kind)};
  auto const b = unique_boundary(valid_boundary(boundary), parts);
  bool const eight_bit = std::any_of(parts.begin(), parts.end(), [](auto const& p) { return is_8bit(p); });

  std::string out = top_header(in, message_id, date, b, eight_bit, kind);
  out += "This is a MIME-encapsulated message.\r\n";
  for (auto const& p : parts) out += "\r\n--" + b + "\r\n" + p;
  out += "\r\n--" + b + "--\r\n";
  return out;
}

std::string_view header_block(std::string_view message) {
  // The empty line is a line end directly after a line end (or at the start).
  for (std::size_t i = 0; i < message.size();) {
    if (message[i] == '\n') return message.substr(0, i);
    if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') return message.substr(0, i);
    auto const lf = message.find('\n', i);
    if (lf == std::string_view::npos) break;
    i = lf + 1;
  }
  return message;
}

bool is_8bit(std::string_view text) { return std::any_of(text.begin(), text.end(), is_8bit_char); }

}  // namespace posta::mail::delivery
