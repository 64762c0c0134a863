// libFuzzer target: the XML stream reader (RFC 6120 sections 4, 11). The
// events are the same whole and split in two; the stream ends at most once,
// with nothing after; every element read is written by gloox in a form that
// reads back (after one pass of XML whitespace normalisation) to itself;
// freeing the parser between pieces (release_parser) changes no event.
// Which stream error ends a bad stream may depend on the split: expat
// reports the text before a malformed token only when a feed ended inside
// that text, and the text may itself break a rule (text between stanzas,
// the text bound) that the reader then names first.
#include "jabber/xml/stream_reader.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace posta::jabber::xml;

namespace {

constexpr std::string_view header =
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com'>";

reader_limits small_limits() {
  reader_limits l;
  l.max_stanza_bytes = 4096;
  l.max_depth = 16;
  l.max_elements = 256;
  l.max_attributes = 8;
  l.max_attribute_bytes = 512;
  l.max_text_bytes = 2048;
  l.max_tag_bytes = 1024;
  return l;
}

std::string describe(stream_event const& e) {
  if (auto* s = std::get_if<stanza_received>(&e)) return "S" + s->tag->xml();
  if (std::holds_alternative<stream_opened>(e)) return "O" + std::get<stream_opened>(e).header.to;
  if (std::holds_alternative<stream_closed>(e)) return "C";
  return "F";
}

std::vector<std::string> read(std::vector<std::string_view> const& pieces, bool release = false) {
  stream_reader r(small_limits());
  std::vector<std::string> out;
  for (auto p : pieces) {
    for (auto const& e : r.feed(p)) out.push_back(describe(e));
    if (release) r.release_parser();
  }
  return out;
}

// The xml() of the one element `text` reads back as, or empty.
std::string reread(std::string_view text) {
  reader_limits l;
  l.max_stanza_bytes = l.max_text_bytes = l.max_tag_bytes = 1 << 20;
  stream_reader r(l);
  r.feed(header);
  auto events = r.feed(text);
  if (events.size() != 1 || !std::holds_alternative<stanza_received>(events[0])) return {};
  return std::get<stanza_received>(events[0]).tag->xml();
}

void check_round_trip(std::string const& xml) {
  std::string const once = reread(xml);
  if (once.empty() || reread(once) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  std::string input(reinterpret_cast<char const*>(data) + 1, size - 1);
  if (data[0] & 1) input.insert(0, header);  // reach stanzas without guessing a header
  std::size_t const split = (data[0] >> 1) % (input.size() + 1);
  auto const whole = read({input});
  std::string_view const in(input);
  auto const halves = read({in.substr(0, split), in.substr(split)});
  if (halves != whole) std::abort();
  if (read({in.substr(0, split), in.substr(split)}, true) != halves) std::abort();
  for (std::size_t i = 0; i < whole.size(); ++i) {
    char const kind = whole[i][0];
    if ((kind == 'C' || kind == 'F') && i + 1 != whole.size()) std::abort();
    if (kind == 'S') check_round_trip(whole[i].substr(1));
  }
  return 0;
}
