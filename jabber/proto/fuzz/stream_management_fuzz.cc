// libFuzzer target: XEP-0198 counts and outbound bytes. parse_sm_count
// accepts exactly the decimal numbers below 2^32 (as std::to_string writes
// them, or with leading zeros); newly_acked never acknowledges more than
// was sent and counts mod 2^32 (section 4); start_tag_attribute reads back
// every attribute value Posta escaped into a start tag, whatever the
// order, and never reads past the start tag; the elements the server
// writes are well-formed and carry the counts they were given.
#include "core/util/utf8.hpp"
#include "jabber/proto/fuzz/xml_events.hpp"
#include "jabber/proto/stream_management.hpp"
#include "jabber/proto/xml_escape.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace posta::jabber::proto;

namespace {

void check_count(std::string_view text) {
  auto const n = parse_sm_count(text);
  bool digits = !text.empty() && text.size() <= 10;
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  bool const valid = digits && std::stoull(std::string(text)) <= 0xffffffffULL;
  if (n.has_value() != valid) std::abort();
  if (n && std::stoull(std::string(text)) != *n) std::abort();
  if (n && parse_sm_count(std::to_string(*n)) != n) std::abort();
}

void check_acks(std::uint8_t const* data, std::size_t size) {
  if (size < 10) return;
  sm_count last, h;
  std::uint16_t unacked;
  std::memcpy(&last, data, 4);
  std::memcpy(&h, data + 4, 4);
  std::memcpy(&unacked, data + 8, 2);
  auto const n = newly_acked(last, h, unacked);
  sm_count const diff = h - last;
  if (n.has_value() != (diff <= unacked)) std::abort();
  if (n && static_cast<sm_count>(last + *n) != h) std::abort();
  if (!fuzz::read_xml(format_sm_ack(h)) || !fuzz::read_xml(format_sm_resumed("id", h))) std::abort();
  if (fuzz::read_xml(format_sm_ack(h))->at(2) != "@h=" + std::to_string(h)) std::abort();
}

// <message a='…' b='…'>rest: values escaped as Posta writes them.
void check_attributes(std::vector<std::string> const& f) {
  for (auto const& s : f)
    if (!posta::util::is_valid_utf8(s)) return;
  std::string const& first = f[0];
  std::string const& second = f[1];
  std::string tag = "<message id='" + escaped(first) + "' to=\"" + escaped(second) + "\">";
  std::string const bytes = tag + f[2];
  if (start_tag_attribute(bytes, "id") != fuzz::read_back(first)) std::abort();
  if (start_tag_attribute(bytes, "to") != fuzz::read_back(second)) std::abort();
  auto const other = start_tag_attribute(bytes, "from");
  if (other) std::abort();  // only in the rest, past the start tag
  if (classify_outbound(bytes) != outbound_kind::message) std::abort();
  if (!fuzz::read_xml(tag + "</message>")) std::abort();
  (void)start_tag_attribute(f[2], f[0]);  // arbitrary bytes: no crash
  (void)classify_outbound(f[2]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);
  check_count(in.substr(0, 12));
  check_acks(data, size);
  auto f = fuzz::fields_of(in, 3);
  if (f[2].find("from=") != std::string::npos) f[2].clear();
  check_attributes(f);
  return 0;
}
