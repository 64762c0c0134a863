// One first-level element as a gloox::Tag tree, namespaces resolved
// (XML Namespaces 1.0 sections 3, 6; RFC 6120 section 4.8).
#include "jabber/xml/tag_builder.hpp"

#include "jabber/proto/namespaces.hpp"
#include "jabber/xml/tag_namespace.hpp"

namespace posta::jabber::xml {

namespace {

// gloox's addAttribute(name, value) drops empty values; this form keeps them.
bool add_raw_attribute(gloox::Tag& tag, std::string const& name, std::string const& value) {
  return tag.addAttribute(new gloox::Tag::Attribute(name, value));
}

}  // namespace

// Every Tag answers xmlns(), but the xmlns attribute is written only where the
// namespace changes, so Tag::xml() stays as compact as the input.
// The XML namespace may not be a default namespace (XML Namespaces 1.0
// section 3): an element in it keeps its (predeclared) "xml" prefix.
bool tag_builder::set_namespace(gloox::Tag& tag, std::string const& uri, gloox::Tag const* parent) {
  if (uri == proto::ns::xml) return tag.setPrefix("xml") && set_prefix_namespace(tag, "xml", uri, false);
  return set_default_namespace(tag, uri, parent == nullptr || parent->xmlns() != uri);
}

// A namespaced attribute keeps its qualified name ("xml:lang", "p:a"), with
// xmlns:p on this element, so gloox's name-only lookups cannot confuse it with
// an unprefixed one. SECURITY: findAttribute("from") must never answer with a
// "p:from" placed first by a client.
bool tag_builder::add_attribute(gloox::Tag& tag, std::string_view name, char const* value) {
  auto const n = split_expanded_name(name);
  if (n.prefix.empty()) return add_raw_attribute(tag, std::string(n.local), value);
  std::string const prefix(n.prefix);
  bool const declare = n.uri != proto::ns::xml && tag.xmlns(prefix) != n.uri;
  if (declare && !set_prefix_namespace(tag, prefix, std::string(n.uri), true)) return false;
  return add_raw_attribute(tag, prefix + ":" + std::string(n.local), value);
}

bool tag_builder::open(expanded_name const& name, char const* const* attributes) {
  if (!flush_text()) return false;
  gloox::Tag* parent = open_.empty() ? nullptr : open_.back();
  auto tag = std::make_unique<gloox::Tag>(std::string(name.local));
  bool ok = !tag->name().empty() && set_namespace(*tag, std::string(name.uri), parent);
  for (auto a = attributes; ok && *a != nullptr; a += 2) ok = add_attribute(*tag, a[0], a[1]);
  if (!ok) return false;
  open_.push_back(tag.get());
  if (parent == nullptr) {
    root_ = std::move(tag);
  } else {
    parent->addChild(tag.release());
  }
  return true;
}

bool tag_builder::close() {
  bool const ok = flush_text();
  open_.pop_back();
  return ok;
}

bool tag_builder::flush_text() {
  if (text_.empty() || open_.empty()) return true;
  bool const ok = open_.back()->addCData(text_);
  text_.clear();
  return ok;
}

}  // namespace posta::jabber::xml
