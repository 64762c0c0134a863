// XEP-0049 private XML storage, the pure part: which namespaces may be
// stored (section 3: 'jabber:*', 'http://jabber.org/*' and 'vcard-temp' are
// reserved), a set grouped by namespace, and the result payload.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace posta::jabber::proto {

bool is_reserved_private_namespace(std::string_view ns);

// One child of the <query/>: its namespace and its XML as serialised.
struct private_element {
  std::string ns;
  std::string xml;
};

enum class private_request_error {
  none,
  not_acceptable,  // no child, a reserved namespace, or (get) more than one child (section 3)
};

// A get names exactly one namespace; a set one or more, none reserved.
private_request_error check_private_get(std::vector<private_element> const& children);
private_request_error check_private_set(std::vector<private_element> const& children);

// Section 3: a set may hold several elements of one namespace; they are kept
// together, in order, as that namespace's fragment.
std::map<std::string, std::string> group_by_namespace(std::vector<private_element> const& children);

// <query xmlns='jabber:iq:private'>FRAGMENT</query>; `fragment` is XML
// serialised by Posta from a parsed element.
std::string format_private_query(std::string_view fragment);

}  // namespace posta::jabber::proto
