// XEP-0198 counts and elements (sections 3-6).
#include "jabber/proto/stream_management.hpp"

#include "jabber/proto/xml_escape.hpp"

#include <charconv>

namespace posta::jabber::proto {
namespace {

constexpr std::string_view sm_ns = "urn:xmpp:sm:3";

bool starts_with_tag(std::string_view bytes, std::string_view name) {
  if (bytes.size() <= name.size() + 1 || bytes[0] != '<' || bytes.substr(1, name.size()) != name) return false;
  char const next = bytes[name.size() + 1];
  return next == ' ' || next == '>' || next == '/' || next == '\t' || next == '\n' || next == '\r';
}

// "#NN" or "#xHH" naming an ASCII character (Posta writes TAB, LF and CR
// so: core/util/xml_escape.hpp), or nullopt.
std::optional<char> ascii_reference(std::string_view entity) {
  if (entity.size() < 2 || entity[0] != '#') return std::nullopt;
  bool const hex = entity[1] == 'x';
  auto const digits = entity.substr(hex ? 2 : 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 0x7f)
    return std::nullopt;
  return static_cast<char>(value);
}

// The five predefined entities and decimal or hex character references of
// ASCII characters; others are kept as written (Posta writes no others).
std::string unescape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '&') {
      out += v[i];
      continue;
    }
    auto const end = v.find(';', i);
    if (end == std::string_view::npos) {
      out += v.substr(i);
      break;
    }
    auto const entity = v.substr(i + 1, end - i - 1);
    if (entity == "amp")
      out += '&';
    else if (entity == "lt")
      out += '<';
    else if (entity == "gt")
      out += '>';
    else if (entity == "apos")
      out += '\'';
    else if (entity == "quot")
      out += '"';
    else if (auto const c = ascii_reference(entity))
      out += *c;
    else
      out += v.substr(i, end - i + 1);
    i = end;
  }
  return out;
}

}  // namespace

std::optional<sm_count> parse_sm_count(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty() || text.size() > 10) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 0xffffffffULL) return std::nullopt;
  return static_cast<sm_count>(value);
}

std::optional<std::size_t> newly_acked(sm_count last_acked, sm_count h, std::size_t unacked) {
  sm_count const n = h - last_acked;  // mod 2^32
  if (n > unacked) return std::nullopt;
  return n;
}

bool is_true(std::string_view xs_boolean) {
  return xs_boolean == "true" || xs_boolean == "1";
}

std::string format_sm_enabled(std::string_view id, bool resume, std::uint32_t max_seconds) {
  std::string out = "<enabled xmlns='";
  out += sm_ns;
  out += "'";
  if (resume) {
    out += " id='";
    append_escaped(out, id);
    out += "' resume='true' max='" + std::to_string(max_seconds) + "'";
  }
  out += "/>";
  return out;
}

std::string format_sm_resumed(std::string_view previd, sm_count h) {
  std::string out = "<resumed xmlns='";
  out += sm_ns;
  out += "' h='" + std::to_string(h) + "' previd='";
  append_escaped(out, previd);
  out += "'/>";
  return out;
}

std::string format_sm_failed(stanza_condition c, std::optional<sm_count> h) {
  std::string out = "<failed xmlns='";
  out += sm_ns;
  out += "'";
  if (h) out += " h='" + std::to_string(*h) + "'";
  out += "><";
  out += condition_name(c);
  out += " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>";
  return out;
}

std::string format_sm_ack(sm_count h) {
  return "<a xmlns='" + std::string(sm_ns) + "' h='" + std::to_string(h) + "'/>";
}

std::string format_handled_count_too_high(sm_count h, sm_count send_count) {
  return "<handled-count-too-high xmlns='" + std::string(sm_ns) + "' h='" + std::to_string(h) + "' send-count='" +
         std::to_string(send_count) + "'/>";
}

std::string format_sm_request() {
  return "<r xmlns='" + std::string(sm_ns) + "'/>";
}

outbound_kind classify_outbound(std::string_view bytes) {
  if (starts_with_tag(bytes, "message")) return outbound_kind::message;
  if (starts_with_tag(bytes, "presence")) return outbound_kind::presence;
  if (starts_with_tag(bytes, "iq")) return outbound_kind::iq;
  return outbound_kind::other;
}

std::optional<std::string> start_tag_attribute(std::string_view bytes, std::string_view name) {
  // Values have '>' escaped, so the start tag ends at the first '>'.
  auto const end = bytes.find('>');
  auto tag = bytes.substr(0, end);
  std::size_t at = tag.find(' ');
  while (at != std::string_view::npos && at < tag.size()) {
    while (at < tag.size() && (tag[at] == ' ' || tag[at] == '\t' || tag[at] == '\n' || tag[at] == '\r')) ++at;
    auto const eq = tag.find('=', at);
    if (eq == std::string_view::npos || eq + 1 >= tag.size()) return std::nullopt;
    auto const key = tag.substr(at, eq - at);
    char const quote = tag[eq + 1];
    if (quote != '\'' && quote != '"') return std::nullopt;
    auto const close = tag.find(quote, eq + 2);
    if (close == std::string_view::npos) return std::nullopt;
    if (key == name) return unescape(tag.substr(eq + 2, close - eq - 2));
    at = close + 1;
  }
  return std::nullopt;
}

}  // namespace posta::jabber::proto
