// Test helper: the XML stream reader's events as text, so event lists compare
// with ==: "open to=... ns=...", "stanza <xml>", "close", "fail <condition>".
#pragma once

#include "jabber/xml/stream_reader.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace posta::jabber::xml::test {

inline std::string describe(stream_event const& e) {
  if (auto* o = std::get_if<stream_opened>(&e)) {
    auto const& h = o->header;
    std::string s = "open to=" + h.to + " from=" + h.from + " id=" + h.id + " version=" + h.version +
                    " lang=" + h.lang + " ns=" + h.content_namespace;
    for (auto const& [p, u] : h.prefixes) s += " " + p + "=" + u;
    return s;
  }
  if (auto* s = std::get_if<stanza_received>(&e)) return "stanza " + s->tag->xml();
  if (std::holds_alternative<stream_closed>(e)) return "close";
  return "fail " + std::string(proto::condition_name(std::get<stream_failed>(e).condition));
}

inline std::vector<std::string> describe(std::vector<stream_event> const& events) {
  std::vector<std::string> out;
  for (auto const& e : events) out.push_back(describe(e));
  return out;
}

// What one feed yields.
inline std::vector<std::string> feed(stream_reader& reader, std::string_view bytes) {
  return describe(reader.feed(bytes));
}

// Feeds `pieces` one after the other and collects what they yield.
inline std::vector<std::string> read_pieces(stream_reader& reader, std::vector<std::string_view> const& pieces) {
  std::vector<std::string> out;
  for (auto p : pieces) {
    for (auto& s : describe(reader.feed(p))) out.push_back(std::move(s));
  }
  return out;
}

inline std::vector<std::string> read_whole(std::string_view input, reader_limits limits = {}) {
  stream_reader reader(limits);
  return read_pieces(reader, {input});
}

// The condition of the last event when it is a failure, else "none".
inline std::string failure_of(std::vector<std::string> const& events) {
  if (events.empty() || events.back().rfind("fail ", 0) != 0) return "none";
  return events.back().substr(5);
}

inline constexpr std::string_view client_header =
    "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' xml:lang='en' "
    "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

inline constexpr std::string_view client_open = "open to=example.com from= id= version=1.0 lang=en ns=jabber:client";

}  // namespace posta::jabber::xml::test
