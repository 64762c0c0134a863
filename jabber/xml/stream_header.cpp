// The stream header's attributes and namespaces (RFC 6120 sections 4.7, 4.8).
#include "jabber/xml/stream_header.hpp"

#include "jabber/proto/namespaces.hpp"

namespace posta::jabber::xml {

namespace {

using proto::stream_condition;

// to, from, id, version (unprefixed) and xml:lang; others are ignored
// (RFC 6120 section 4.7.1: unknown attributes are not an error).
void read_attribute(stream_header& h, std::string_view name, char const* value) {
  auto const n = split_expanded_name(name);
  if (n.uri == proto::ns::xml && n.local == "lang") h.lang = value;
  if (!n.uri.empty()) return;
  if (n.local == "to") h.to = value;
  if (n.local == "from") h.from = value;
  if (n.local == "id") h.id = value;
  if (n.local == "version") h.version = value;
}

}  // namespace

std::variant<stream_header, stream_failed> read_stream_header(expanded_name const& root, char const* const* attributes,
                                                              declarations declared,
                                                              std::string_view content_namespace) {
  if (root.uri != proto::ns::stream) {
    return stream_failed{stream_condition::invalid_namespace, "stream header not in the stream namespace"};
  }
  if (root.local != "stream") return stream_failed{stream_condition::bad_format, "root element is not <stream>"};
  stream_header h;
  bool has_default = false;
  for (auto& [prefix, uri] : declared) {
    if (prefix.empty()) {
      has_default = true;
      h.content_namespace = uri;
    } else if (uri != proto::ns::stream) {
      h.prefixes.emplace_back(std::move(prefix), std::move(uri));
    }
  }
  if (!has_default || h.content_namespace != content_namespace) {
    return stream_failed{stream_condition::invalid_namespace,
                         "content namespace is not " + std::string(content_namespace)};
  }
  for (auto a = attributes; *a != nullptr; a += 2) read_attribute(h, a[0], a[1]);
  return h;
}

}  // namespace posta::jabber::xml
