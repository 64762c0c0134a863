// Stream and stanza error Tags (RFC 6120 sections 4.9.2, 8.3.1, 8.3.2).
#include "jabber/xml/error_tags.hpp"

#include "jabber/proto/namespaces.hpp"
#include "jabber/xml/tag_namespace.hpp"

#include <string>

namespace posta::jabber::xml {

namespace {

std::string str(std::string_view s) {
  return std::string(s);
}

// <COND xmlns='NS'/> and, when there is text, <text xmlns='NS' xml:lang='en'>.
void add_condition(gloox::Tag& parent, std::string_view condition, std::string_view ns, std::string_view text) {
  auto* c = new gloox::Tag(&parent, str(condition));
  c->setXmlns(str(ns));
  if (text.empty()) return;
  auto* t = new gloox::Tag(&parent, "text", str(text));
  t->setXmlns(str(ns));
  t->addAttribute("xml:lang", "en");
}

}  // namespace

std::unique_ptr<gloox::Tag> make_stream_error_tag(proto::stream_condition c, std::string_view text) {
  auto tag = std::make_unique<gloox::Tag>("error");
  tag->setPrefix("stream");
  // The stream header declares the prefix; xmlns() must still answer.
  set_prefix_namespace(*tag, "stream", str(proto::ns::stream), false);
  add_condition(*tag, proto::condition_name(c), proto::ns::streams_errors, text);
  return tag;
}

std::unique_ptr<gloox::Tag> make_stanza_error_tag(proto::stanza_error const& e) {
  auto tag = std::make_unique<gloox::Tag>("error");
  tag->addAttribute("type", str(proto::type_name(e.type)));
  if (!e.by.empty()) tag->addAttribute("by", e.by);
  add_condition(*tag, proto::condition_name(e.condition), proto::ns::stanzas_errors, e.text);
  return tag;
}

std::unique_ptr<gloox::Tag> make_error_reply(gloox::Tag const& stanza, proto::stanza_error const& e) {
  auto reply = std::make_unique<gloox::Tag>(stanza.name());
  if (auto const ns = stanza.xmlns(); !ns.empty()) reply->setXmlns(ns);
  if (auto const& id = stanza.findAttribute("id"); !id.empty()) reply->addAttribute("id", id);
  if (auto const& from = stanza.findAttribute("from"); !from.empty()) reply->addAttribute("to", from);
  if (auto const& to = stanza.findAttribute("to"); !to.empty()) reply->addAttribute("from", to);
  reply->addAttribute("type", "error");
  auto error = make_stanza_error_tag(e);
  set_default_namespace(*error, reply->xmlns(), false);  // <error/> is in the stanza's namespace
  reply->addChild(error.release());
  return reply;
}

}  // namespace posta::jabber::xml
