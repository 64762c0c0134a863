// vCard-temp payloads (XEP-0054 sections 3.1, 3.2, 4) and PHOTO (XEP-0153 3.1).
#include "jabber/proto/vcard.hpp"

#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/xml_escape.hpp"

namespace posta::jabber::proto {
namespace {

// <NAME>text</NAME> when `text` is not empty.
void append_field(std::string& out, std::string_view name, std::string_view text) {
  if (text.empty()) return;
  out += '<';
  out += name;
  out += '>';
  append_escaped(out, text);
  out += "</";
  out += name;
  out += '>';
}

// A field inside a structured property (TEL, EMAIL, ORG), when `text` is not empty.
void append_structured(std::string& out, std::string_view open, std::string_view name, std::string_view text,
                       std::string_view close) {
  if (text.empty()) return;
  out += open;
  append_field(out, name, text);
  out += close;
}

// RFC 6838 4.2: type/subtype of restricted-name characters.
bool is_mime_type(std::string_view t) {
  auto const slash = t.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == t.size()) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    char const c = t[i];
    bool const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$&-^_.+").find(c) != std::string_view::npos || (c == '/' && i == slash);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string format_vcard(vcard const& v) {
  std::string out = "<vCard xmlns='";
  out += ns::vcard;
  out += "'>";
  append_field(out, "FN", v.full_name);
  append_field(out, "NICKNAME", v.nickname);
  if (!v.photo_base64.empty()) {
    out += "<PHOTO>";
    append_field(out, "TYPE", v.photo_type);
    append_field(out, "BINVAL", v.photo_base64);
    out += "</PHOTO>";
  }
  append_structured(out, "<TEL><WORK/><VOICE/>", "NUMBER", v.telephone, "</TEL>");
  append_structured(out, "<EMAIL><INTERNET/><PREF/>", "USERID", v.email, "</EMAIL>");
  append_field(out, "JABBERID", v.jabber_id);
  append_field(out, "TITLE", v.title);
  append_structured(out, "<ORG><ORGNAME/>", "ORGUNIT", v.department, "</ORG>");
  out += "</vCard>";
  return out;
}

vcard_set_outcome read_vcard_set(vcard_set_request const& req, vcard_limits const& limits) {
  vcard_set_outcome out;
  if (req.nickname.size() > limits.max_nickname_bytes) {
    out.error = vcard_set_error::not_acceptable;
    return out;
  }
  out.fields.nickname = req.nickname;
  if (!req.has_photo_binval) return out;  // XEP-0054 3.2: a set replaces the vCard, so no photo now
  if (req.photo_type.size() > limits.max_type_bytes) {
    out.error = vcard_set_error::not_acceptable;
    return out;
  }
  // COMPAT(clients): some leave TYPE out; the photo is kept without one.
  if (!req.photo_type.empty() && !is_mime_type(req.photo_type)) {
    out.error = vcard_set_error::bad_request;
    return out;
  }
  if (!req.photo_bytes) {
    out.error = vcard_set_error::bad_request;
    return out;
  }
  if (req.photo_bytes->size() > limits.max_photo_bytes) {
    out.error = vcard_set_error::not_acceptable;
    return out;
  }
  out.fields.photo = vcard_photo{req.photo_type, *req.photo_bytes};
  return out;
}

}  // namespace posta::jabber::proto
