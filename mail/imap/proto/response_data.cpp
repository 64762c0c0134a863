// FETCH item names and the ESEARCH response (RFC 3501 7.4.2, RFC 4731 3.1).
#include "mail/imap/proto/response_data.hpp"

#include "mail/imap/proto/response.hpp"
#include "mail/imap/proto/sequence_set.hpp"

namespace posta::mail::imap::proto {

namespace {

std::string_view plain_name(fetch_item item) {
  switch (item) {
    case fetch_item::flags:
      return "FLAGS";
    case fetch_item::internaldate:
      return "INTERNALDATE";
    case fetch_item::rfc822:
      return "RFC822";
    case fetch_item::rfc822_header:
      return "RFC822.HEADER";
    case fetch_item::rfc822_size:
      return "RFC822.SIZE";
    case fetch_item::rfc822_text:
      return "RFC822.TEXT";
    case fetch_item::envelope:
      return "ENVELOPE";
    case fetch_item::body:
      return "BODY";
    case fetch_item::bodystructure:
      return "BODYSTRUCTURE";
    case fetch_item::uid:
      return "UID";
    case fetch_item::modseq:
      return "MODSEQ";
    case fetch_item::body_section:
      return "BODY";
    case fetch_item::binary:
      return "BINARY";
    case fetch_item::binary_size:
      return "BINARY.SIZE";
  }
  return "";
}

void append_section(std::string& out, fetch_att const& att) {
  out += '[';
  for (std::size_t i = 0; i < att.section.part.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(att.section.part[i]);
  }
  std::string_view text;
  switch (att.section.text) {
    case section_text::none:
      break;
    case section_text::header:
      text = att.header_fields.empty() ? "HEADER" : att.header_fields_not ? "HEADER.FIELDS.NOT" : "HEADER.FIELDS";
      break;
    case section_text::text:
      text = "TEXT";
      break;
    case section_text::mime:
      text = "MIME";
      break;
  }
  if (!text.empty() && !att.section.part.empty()) out += '.';
  out += text;
  if (!att.header_fields.empty()) {
    out += " (";
    for (std::size_t i = 0; i < att.header_fields.size(); ++i) {
      if (i) out += ' ';
      append_astring(out, att.header_fields[i]);
    }
    out += ')';
  }
  out += ']';
}

}  // namespace

std::string fetch_response_name(fetch_att const& att) {
  std::string out(plain_name(att.item));
  bool sectioned =
      att.item == fetch_item::body_section || att.item == fetch_item::binary || att.item == fetch_item::binary_size;
  if (!sectioned) return out;
  append_section(out, att);
  if (att.partial && att.item != fetch_item::binary_size) out += "<" + std::to_string(att.partial->offset) + ">";
  return out;
}

std::string format_esearch(std::string_view tag, bool uid, result_options const& ret,
                           std::span<std::uint32_t const> ascending, std::optional<std::uint64_t> modseq) {
  // search-correlator: tag-string is a string; a tag holds no '"' or '\'.
  std::string out = "* ESEARCH (TAG \"";
  out += tag;
  out += "\")";
  if (uid) out += " UID";
  bool any = !ascending.empty();
  if (ret.min && any) out += " MIN " + std::to_string(ascending.front());
  if (ret.max && any) out += " MAX " + std::to_string(ascending.back());
  if (ret.count) out += " COUNT " + std::to_string(ascending.size());
  if (ret.all && any) out += " ALL " + format_numbers(ascending);
  if (modseq && any && (ret.min || ret.max || ret.all || ret.count)) out += " MODSEQ " + std::to_string(*modseq);
  out += "\r\n";
  return out;
}

}  // namespace posta::mail::imap::proto
