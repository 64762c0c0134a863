#include "core/xml/document.hpp"

#include <expat.h>

#include <memory>
#include <optional>

namespace posta::xml {
namespace {

// Between a namespace URI and a local name in expat's names: a character no
// URI or name can hold.
constexpr char separator = '\n';

struct parser_deleter {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};

struct builder {
  XML_Parser parser;
  document_limits const& limits;
  element root;
  std::vector<element*> open;  // the path from the root to the current element
  std::size_t elements = 0;
  bool has_root = false;
  std::optional<error> failure;

  void fail(errc code, std::string reason) {
    if (!failure) failure = make_error(code, std::move(reason));
    XML_StopParser(parser, XML_FALSE);
  }
};

void split_name(char const* expat_name, std::string& ns, std::string& local) {
  std::string_view const full(expat_name);
  auto const at = full.find(separator);
  if (at == std::string_view::npos) {
    ns.clear();
    local = std::string(full);
  } else {
    ns = std::string(full.substr(0, at));
    local = std::string(full.substr(at + 1));
  }
}

element* new_element(builder& b) {
  if (b.open.empty()) {
    if (b.has_root) return nullptr;  // expat refuses a second root itself
    b.has_root = true;
    return &b.root;
  }
  auto& children = b.open.back()->children;
  children.emplace_back();
  return &children.back();
}

void XMLCALL on_start(void* data, XML_Char const* name, XML_Char const** attributes) {
  auto& b = *static_cast<builder*>(data);
  if (b.open.size() == b.limits.max_depth) return b.fail(errc::limit_exceeded, "XML nested too deeply");
  if (++b.elements > b.limits.max_elements) return b.fail(errc::limit_exceeded, "too many XML elements");
  element* e = new_element(b);
  if (e == nullptr) return b.fail(errc::invalid_argument, "more than one root element");
  split_name(name, e->ns, e->name);
  for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
    if (e->attributes.size() == b.limits.max_attributes)
      return b.fail(errc::limit_exceeded, "too many attributes on one element");
    attribute a;
    split_name(attributes[i], a.ns, a.name);
    a.value = attributes[i + 1];
    e->attributes.push_back(std::move(a));
  }
  b.open.push_back(e);
}

void XMLCALL on_end(void* data, XML_Char const*) {
  auto& b = *static_cast<builder*>(data);
  if (!b.open.empty()) b.open.pop_back();
}

void XMLCALL on_text(void* data, XML_Char const* s, int len) {
  auto& b = *static_cast<builder*>(data);
  if (!b.open.empty()) b.open.back()->text.append(s, static_cast<std::size_t>(len));
}

// SECURITY: no document type, so no entity declarations and nothing to
// expand (billion laughs), and no external subset to fetch.
void XMLCALL on_doctype(void* data, XML_Char const*, XML_Char const*, XML_Char const*, int) {
  static_cast<builder*>(data)->fail(errc::invalid_argument, "a DOCTYPE is not allowed");
}

}  // namespace

element const* element::child(std::string_view ns_uri, std::string_view local) const {
  for (auto const& c : children)
    if (c.is(ns_uri, local)) return &c;
  return nullptr;
}

std::vector<element const*> element::children_named(std::string_view ns_uri, std::string_view local) const {
  std::vector<element const*> out;
  for (auto const& c : children)
    if (c.is(ns_uri, local)) out.push_back(&c);
  return out;
}

std::string_view element::attribute_value(std::string_view local) const {
  for (auto const& a : attributes)
    if (a.ns.empty() && a.name == local) return a.value;
  return {};
}

result<element> parse_document(std::string_view text, document_limits const& limits) {
  if (text.size() > limits.max_bytes) return make_error(errc::limit_exceeded, "XML document too large");
  // The encoding given here overrides any the document declares: UTF-8 only.
  std::unique_ptr<XML_ParserStruct, parser_deleter> parser(XML_ParserCreateNS("UTF-8", separator));
  if (!parser) return make_error(errc::internal, "XML parser");
  builder b{parser.get(), limits, {}, {}, 0, false, std::nullopt};
  XML_SetUserData(parser.get(), &b);
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);
  XML_SetElementHandler(parser.get(), on_start, on_end);
  XML_SetCharacterDataHandler(parser.get(), on_text);
  XML_SetStartDoctypeDeclHandler(parser.get(), on_doctype);
  auto const status = XML_Parse(parser.get(), text.data(), static_cast<int>(text.size()), XML_TRUE);
  if (b.failure) return *b.failure;
  if (status != XML_STATUS_OK)
    return make_error(errc::invalid_argument,
                      std::string("malformed XML: ") + XML_ErrorString(XML_GetErrorCode(parser.get())));
  if (!b.has_root) return make_error(errc::invalid_argument, "no XML element");
  return std::move(b.root);
}

}  // namespace posta::xml
