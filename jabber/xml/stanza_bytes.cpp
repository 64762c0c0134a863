// Queued stanza bytes back into a Tag (see stanza_bytes.hpp).
#include "jabber/xml/stanza_bytes.hpp"

#include "jabber/xml/stream_reader.hpp"

namespace posta::jabber::xml {

std::unique_ptr<gloox::Tag> parse_stanza_bytes(std::string_view bytes, reader_limits const& limits) {
  stream_reader reader(limits);
  reader.feed(
      "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' "
      "version='1.0'>");
  for (auto& ev : reader.feed(bytes))
    if (auto* stanza = std::get_if<stanza_received>(&ev)) return std::move(stanza->tag);
  return nullptr;
}

}  // namespace posta::jabber::xml
