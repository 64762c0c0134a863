// What the XML stream reader yields (RFC 6120 sections 4.2-4.4, 4.7, 4.9):
// the stream header, each complete first-level element, the close, or the
// stream error to send.
#pragma once

#include "jabber/proto/stream_error.hpp"

#include <gloox/tag.h>

#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace posta::jabber::xml {

// The attributes of <stream:stream> (RFC 6120 section 4.7); absent ones are
// empty (a missing version means 0.9, section 4.7.5: the session decides).
struct stream_header {
  std::string to;
  std::string from;
  std::string id;
  std::string version;
  std::string lang;               // xml:lang
  std::string content_namespace;  // the default namespace: jabber:client or jabber:server
  // Other prefixes the header binds (prefix, namespace name), e.g. "db" for
  // server dialback (XEP-0220); the stream prefix itself is left out.
  std::vector<std::pair<std::string, std::string>> prefixes;
};

struct stream_opened {
  stream_header header;
};

// A first-level child of the stream (a stanza, or <starttls/>, <auth/>...),
// with its namespace on every element: Tag::xmlns() answers for each, and
// Tag::xml() declares it where it differs from the parent's. Element prefixes
// are dropped (<stream:features> arrives as <features xmlns='http://etherx...'>);
// a namespaced attribute keeps its qualified name ("xml:lang", "p:a" with
// xmlns:p declared on its element), so findAttribute("to") never finds "p:to".
// Written back with Tag::xml(), the serialiser: it escapes & < > ' " in text
// and attribute values, but writes TAB, LF and CR raw (a reader normalises
// them: "&#13;" in text and "&#10;" in an attribute do not survive) and
// silently drops text or attributes holding characters XML forbids
// (tests/unit/jabber/gloox_serialisation_test.cpp).
struct stanza_received {
  std::unique_ptr<gloox::Tag> tag;
};

// </stream:stream> (RFC 6120 section 4.4).
struct stream_closed {};

// The stream must end with this stream error (RFC 6120 section 4.9.1.1).
struct stream_failed {
  proto::stream_condition condition;
  std::string detail;  // for the log, never for the peer
};

using stream_event = std::variant<stream_opened, stanza_received, stream_closed, stream_failed>;

}  // namespace posta::jabber::xml
