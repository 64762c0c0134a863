// Roster items: validation of a roster set and the XML of results and
// pushes (RFC 6121 sections 2.1.2, 2.1.4, 2.1.6, 2.3.3, 2.5.3).
#include "jabber/proto/roster.hpp"

#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/xml_escape.hpp"

#include <algorithm>
#include <array>

namespace posta::jabber::proto {
namespace {

constexpr std::array<std::string_view, 5> names = {"none", "to", "from", "both", "remove"};

void append_attribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "='";
  append_escaped(out, value);
  out += '\'';
}

bool has_duplicate(std::vector<std::string> groups) {
  std::sort(groups.begin(), groups.end());
  return std::adjacent_find(groups.begin(), groups.end()) != groups.end();
}

}  // namespace

std::string_view subscription_name(subscription s) {
  return names[static_cast<std::size_t>(s)];
}

std::optional<subscription> parse_subscription(std::string_view text) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == text) return static_cast<subscription>(i);
  return std::nullopt;
}

roster_set_error check_roster_set(roster_set_request const& req, roster_limits const& limits) {
  // 2.3.3: exactly one item. 2.1.2.5: any 'subscription' but "remove" is ignored.
  if (req.item_count != 1 || req.jid.empty()) return roster_set_error::bad_request;
  if (req.name.size() > limits.max_name_bytes) return roster_set_error::not_acceptable;
  // SECURITY: a bounded number of bounded groups per item.
  if (req.groups.size() > limits.max_groups) return roster_set_error::not_acceptable;
  for (auto const& g : req.groups)
    if (g.empty() || g.size() > limits.max_group_bytes) return roster_set_error::not_acceptable;
  if (has_duplicate(req.groups)) return roster_set_error::not_acceptable;
  return roster_set_error::none;
}

std::string format_roster_item(roster_item const& item) {
  std::string out = "<item";
  append_attribute(out, "jid", item.jid);
  if (!item.name.empty()) append_attribute(out, "name", item.name);
  append_attribute(out, "subscription", subscription_name(item.sub));
  if (item.ask) out += " ask='subscribe'";
  if (item.groups.empty()) return out + "/>";
  out += '>';
  for (auto const& g : item.groups) {
    out += "<group>";
    append_escaped(out, g);
    out += "</group>";
  }
  return out + "</item>";
}

std::string format_roster_query(std::optional<std::string_view> ver, std::vector<roster_item> const& items) {
  std::string out = "<query xmlns='";
  out += ns::roster;
  out += '\'';
  if (ver) append_attribute(out, "ver", *ver);
  if (items.empty()) return out + "/>";
  out += '>';
  for (auto const& item : items) out += format_roster_item(item);
  return out + "</query>";
}

std::string format_roster_push(std::string_view id, std::string_view to, std::optional<std::string_view> ver,
                               roster_item const& item) {
  std::string out = "<iq type='set'";
  append_attribute(out, "id", id);
  append_attribute(out, "to", to);
  out += '>';
  out += format_roster_query(ver, {item});
  return out + "</iq>";
}

}  // namespace posta::jabber::proto
