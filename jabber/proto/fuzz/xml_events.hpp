// For the jabber/proto fuzz targets: what expat reads in a payload that
// Posta formats (elements, attributes and text in document order), or
// nullopt when it is not well-formed XML 1.0 — the payloads go into
// stanzas, so one that is not would end the receiver's stream.
#pragma once

#include <expat.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::jabber::proto::fuzz {

// "<name", "@attr=value" (in document order), "#text" (adjacent text
// joined), ">" (an end tag).
using xml_events = std::vector<std::string>;

inline std::optional<xml_events> read_xml(std::string_view xml) {
  struct state {
    xml_events events;
    static void text(state& s, std::string_view t) {
      if (!s.events.empty() && s.events.back().starts_with('#'))
        s.events.back() += t;
      else
        s.events.push_back("#" + std::string(t));
    }
  } s;
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &s);
  XML_SetElementHandler(
      p,
      [](void* u, XML_Char const* name, XML_Char const** attrs) {
        auto& st = *static_cast<state*>(u);
        st.events.push_back(std::string("<") + name);
        for (int i = 0; attrs[i]; i += 2) st.events.push_back(std::string("@") + attrs[i] + "=" + attrs[i + 1]);
      },
      [](void* u, XML_Char const*) { static_cast<state*>(u)->events.push_back(">"); });
  XML_SetCharacterDataHandler(p, [](void* u, XML_Char const* t, int n) {
    state::text(*static_cast<state*>(u), std::string_view(t, static_cast<std::size_t>(n)));
  });
  bool const ok = XML_Parse(p, xml.data(), static_cast<int>(xml.size()), XML_TRUE) == XML_STATUS_OK;
  XML_ParserFree(p);
  if (!ok) return std::nullopt;
  return std::move(s.events);
}

// What an XML 1.0 parser reads back of text or an attribute value that
// Posta escaped (core/util/xml_escape.hpp drops the C0 controls XML cannot
// hold and writes TAB, LF and CR as references, which survive normalisation).
// U+FFFE and U+FFFF, no XML characters, are dropped too.
inline std::string read_back(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (text.substr(i, 3) == "\xef\xbf\xbe" || text.substr(i, 3) == "\xef\xbf\xbf")
      i += 2;
    else if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r')
      out += c;
  }
  return out;
}

// The input cut at NUL bytes into at most `n` fields (the last takes the rest).
inline std::vector<std::string> fields_of(std::string_view in, std::size_t n) {
  std::vector<std::string> out;
  while (out.size() + 1 < n) {
    auto const nul = in.find('\0');
    if (nul == std::string_view::npos) break;
    out.emplace_back(in.substr(0, nul));
    in.remove_prefix(nul + 1);
  }
  out.emplace_back(in);
  out.resize(n);
  return out;
}

}  // namespace posta::jabber::proto::fuzz
