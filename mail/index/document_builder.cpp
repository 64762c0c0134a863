#include "mail/index/document_builder.hpp"

#include "mail/mime/search_text.hpp"

namespace posta::mail::index {
namespace {

void add_line(std::string& to, std::string_view text) {
  if (!to.empty()) to += '\n';
  to += text;
}

// The file names of the parts that are not shown as text: Content-Disposition
// filename (RFC 2183 2.3), else the Content-Type name parameter.
void attachment_names(mime::body_part const& part, std::vector<std::string>& out) {
  for (auto const& c : part.children) attachment_names(c, out);
  for (auto const& p : part.disposition_params)
    if (p.name == "filename" && !p.value.empty()) return out.push_back(p.value);
  if (auto name = part.param("name"); name && !name->empty()) out.push_back(*name);
}

std::string display_address(mime::message_structure const& ms) {
  std::string addr;
  for (auto const& a : ms.env.from) {
    if (a.mailbox && a.host) {
      addr = *a.mailbox + "@" + *a.host;
      break;
    }
  }
  if (ms.from_name_decoded.empty()) return addr;
  return addr.empty() ? ms.from_name_decoded : ms.from_name_decoded + " <" + addr + ">";
}

}  // namespace

search::mail_document build_document(message_source const& m) {
  auto const& ms = *m.structure;
  search::mail_document d;
  d.mailbox_id = m.mailbox_id;
  d.uid = m.uid;
  d.date = m.internal_date;
  mime::search_text_limits limits;
  limits.fold = false;
  auto text = mime::extract_search_text(m.blob, ms, limits);
  for (auto const& f : text.headers) {
    if (f.name == "from")
      add_line(d.from, f.text);
    else if (f.name == "to")
      add_line(d.to, f.text);
    else if (f.name == "cc")
      add_line(d.cc, f.text);
    else if (f.name == "bcc")
      add_line(d.bcc, f.text);
  }
  d.display_from = display_address(ms);
  d.subject = ms.subject_decoded;
  if (ms.env.message_id) {
    std::string_view id = *ms.env.message_id;
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
    d.message_id = std::string(id);
  }
  d.headers = std::move(text.header);
  d.body = std::move(text.body);
  for (auto& c : d.body)
    if (c == '\0') c = '\n';  // parts are apart; a NUL would only end the JSON of a snippet early
  attachment_names(ms.root, d.attachment_names);
  return d;
}

}  // namespace posta::mail::index
