// Namespaces on gloox Tags. gloox resolves an element's default namespace from
// that element alone (never from its parent) and writes whatever xmlns
// attributes it holds, so a Tag can know its namespace without declaring it.
#pragma once

#include <gloox/tag.h>

#include <string>

namespace posta::jabber::xml {

// Tag::xmlns() answers `uri`; Tag::xml() writes xmlns='uri' only when
// `declare` (where the namespace differs from the parent's). An empty `uri`
// is no namespace (declared as xmlns=''). False when gloox refused the value.
bool set_default_namespace(gloox::Tag& tag, std::string const& uri, bool declare);

// Tag::xmlns(prefix) answers `uri`; declared as xmlns:prefix only when `declare`.
bool set_prefix_namespace(gloox::Tag& tag, std::string const& prefix, std::string const& uri, bool declare);

}  // namespace posta::jabber::xml
