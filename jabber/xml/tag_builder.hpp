// Builds one first-level element as a gloox::Tag tree from the parser's
// events, with each element's namespace set (see stanza_received in
// stream_event.hpp for the model). Knows nothing of expat or of limits.
#pragma once

#include "jabber/xml/expanded_name.hpp"

#include <gloox/tag.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace posta::jabber::xml {

class tag_builder {
 public:
  // `attributes`: expat's array of name, value, ..., nullptr. False when
  // gloox refused a name or value (it drops what it deems invalid XML).
  bool open(expanded_name const& name, char const* const* attributes);
  // Character data of the innermost open element, joined until the next
  // child or end tag so each run becomes one gloox text node.
  void text(std::string_view data) { text_.append(data); }
  std::size_t pending_text_bytes() const { return text_.size(); }
  // False when gloox refused the text.
  bool close();

  std::size_t depth() const { return open_.size(); }
  // The finished element, once depth() is back at 0.
  std::unique_ptr<gloox::Tag> take() { return std::move(root_); }

 private:
  bool flush_text();
  static bool set_namespace(gloox::Tag& tag, std::string const& uri, gloox::Tag const* parent);
  static bool add_attribute(gloox::Tag& tag, std::string_view name, char const* value);

  std::unique_ptr<gloox::Tag> root_;
  std::vector<gloox::Tag*> open_;
  std::string text_;
};

}  // namespace posta::jabber::xml
