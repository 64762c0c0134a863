#include "addressbook/proto/vcard_writer.hpp"

#include "addressbook/proto/value.hpp"
#include "core/util/ascii.hpp"
#include "core/util/base64.hpp"

namespace posta::addressbook::proto {
namespace {

// RFC 6350 3.2: lines SHOULD NOT be longer than 75 octets, excluding the
// line break; a continuation starts with one space.
constexpr std::size_t fold_at = 75;

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

void append_folded(std::string& out, std::string_view line) {
  std::size_t room = fold_at;
  while (line.size() > room) {
    std::size_t cut = room;
    while (cut > 1 && is_continuation_byte(line[cut])) --cut;  // never inside a UTF-8 sequence
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    room = fold_at - 1;  // the leading space counts
  }
  out.append(line);
  out += "\r\n";
}

std::string caret_encoded(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '^') out += "^^";
    else if (c == '\n') out += "^n";
    else if (c == '"') out += "^'";
    else out += c;
  }
  return out;
}

// 3.0 cannot say a DQUOTE or a line end inside a parameter: they go.
std::string without_quotes(std::string_view v) {
  std::string out;
  for (char c : v)
    if (c != '"' && c != '\n' && c != '\r') out += c;
  return out;
}

void append_param_value(std::string& out, std::string_view v, vcard_version version) {
  auto const text = version == vcard_version::v4_0 ? caret_encoded(v) : without_quotes(v);
  bool const quote = text.find_first_of(",;:") != std::string::npos;
  if (quote) out += '"';
  out += text;
  if (quote) out += '"';
}

}  // namespace

std::string format_content_line(content_line const& line, vcard_version version) {
  std::string text;
  if (!line.group.empty()) text += line.group + ".";
  text += line.name;
  for (auto const& p : line.params) {
    text += ";" + p.name + "=";
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      if (i > 0) text += ',';
      append_param_value(text, p.values[i], version);
    }
  }
  text += ':';
  text += line.value;
  std::string out;
  append_folded(out, text);
  return out;
}

std::string format_vcard(vcard const& card) {
  std::string out = "BEGIN:VCARD\r\nVERSION:" + std::string(to_string(card.version)) + "\r\n";
  for (auto const& p : card.properties) out += format_content_line(p, card.version);
  out += "END:VCARD\r\n";
  return out;
}

content_line text_property(std::string name, std::string_view text, std::vector<parameter> params) {
  return {"", std::move(name), std::move(params), escape_text(text)};
}

content_line structured_property(std::string name, std::vector<std::string> const& parts,
                                 std::vector<parameter> params) {
  std::string value;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) value += ';';
    value += escape_text(parts[i]);
  }
  return {"", std::move(name), std::move(params), std::move(value)};
}

content_line photo_property(std::string_view bytes, std::string_view media_type, vcard_version version) {
  auto const data = util::base64_encode(bytes);
  if (version == vcard_version::v4_0)
    return {"", "PHOTO", {}, "data:" + std::string(media_type) + ";base64," + data};
  auto type = util::ascii_uppercase(media_type.substr(media_type.find('/') + 1));
  return {"", "PHOTO", {{"ENCODING", {"b"}}, {"TYPE", {type}}}, data};
}

}  // namespace posta::addressbook::proto
