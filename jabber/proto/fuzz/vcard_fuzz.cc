// libFuzzer target: XEP-0054 vCard-temp. format_vcard of any UTF-8 fields
// is well-formed XML whose text nodes are the fields again, in schema order
// (C0 controls XML 1.0 cannot carry dropped); read_vcard_set keeps nothing
// past its bounds and refuses with exactly one error otherwise.
#include "core/util/utf8.hpp"
#include "jabber/proto/fuzz/xml_events.hpp"
#include "jabber/proto/vcard.hpp"

#include <cstdint>
#include <cstdlib>

using namespace posta::jabber::proto;

namespace {

void check_format(std::vector<std::string> const& f) {
  for (auto const& s : f)
    if (!posta::util::is_valid_utf8(s)) return;  // identity and expat hand over UTF-8 only
  vcard v{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]};
  auto const events = fuzz::read_xml(format_vcard(v));
  if (!events) std::abort();
  std::vector<std::string> texts, expected;
  for (auto const& e : *events)
    if (e.starts_with('#')) texts.push_back(e.substr(1));
  auto expect = [&](std::string const& field) {
    if (auto read = fuzz::read_back(field); !read.empty()) expected.push_back(read);
  };
  expect(v.full_name);
  expect(v.nickname);
  if (!v.photo_base64.empty()) {
    expect(v.photo_type);
    expect(v.photo_base64);
  }
  for (auto const* s : {&v.telephone, &v.email, &v.jabber_id, &v.title, &v.department}) expect(*s);
  if (texts != expected) std::abort();
}

void check_set(std::uint8_t flags, std::vector<std::string> const& f) {
  vcard_limits limits;
  limits.max_photo_bytes = flags & 0x0f;
  limits.max_nickname_bytes = (flags >> 4) & 0x07;
  limits.max_type_bytes = 16;
  vcard_set_request req{f[6], (flags & 0x80) != 0, f[7], std::nullopt};
  if (f[8] != "-") req.photo_bytes = f[8];
  auto const out = read_vcard_set(req, limits);
  if (out.error != vcard_set_error::none) {
    if (!out.fields.nickname.empty() && out.fields.nickname.size() > limits.max_nickname_bytes) std::abort();
    if (out.fields.photo) std::abort();
    return;
  }
  if (out.fields.nickname != req.nickname || req.nickname.size() > limits.max_nickname_bytes) std::abort();
  if (out.fields.photo.has_value() != req.has_photo_binval) std::abort();
  if (!out.fields.photo) return;
  auto const& p = *out.fields.photo;
  if (!req.photo_bytes || p.bytes != *req.photo_bytes || p.bytes.size() > limits.max_photo_bytes) std::abort();
  if (p.type.size() > limits.max_type_bytes || (!p.type.empty() && p.type.find('/') == std::string::npos)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  auto const fields = fuzz::fields_of(std::string_view(reinterpret_cast<char const*>(data) + 1, size - 1), 9);
  check_format(fields);
  check_set(data[0], fields);
  return 0;
}
