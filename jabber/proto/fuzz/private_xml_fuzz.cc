// libFuzzer target: XEP-0049 private XML. A get names exactly one
// unreserved namespace and a set at least one, none reserved (section 3);
// grouping keeps every child, in order, under its own namespace; a stored
// fragment that is well-formed content comes back unchanged inside the
// <query/>.
#include "jabber/proto/fuzz/xml_events.hpp"
#include "jabber/proto/private_xml.hpp"

#include <cstdint>
#include <cstdlib>

using namespace posta::jabber::proto;

namespace {

std::vector<private_element> children_of(std::string_view text) {
  std::vector<private_element> out;
  while (!text.empty() && out.size() < 32) {
    auto const nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    auto const tab = line.find('\t');
    out.push_back({std::string(line.substr(0, tab)),
                   tab == std::string_view::npos ? std::string() : std::string(line.substr(tab + 1))});
  }
  return out;
}

void check_requests(std::vector<private_element> const& children) {
  bool reserved = false;
  for (auto const& c : children) reserved = reserved || c.ns.empty() || is_reserved_private_namespace(c.ns);
  bool const get_ok = children.size() == 1 && !reserved;
  bool const set_ok = !children.empty() && !reserved;
  if ((check_private_get(children) == private_request_error::none) != get_ok) std::abort();
  if ((check_private_set(children) == private_request_error::none) != set_ok) std::abort();
  for (auto const& c : children)
    if (c.ns.starts_with("jabber:") && !is_reserved_private_namespace(c.ns)) std::abort();
}

void check_grouping(std::vector<private_element> const& children) {
  auto const groups = group_by_namespace(children);
  std::size_t total = 0, expected = 0;
  for (auto const& [ns, fragment] : groups) {
    std::string joined;
    for (auto const& c : children)
      if (c.ns == ns) joined += c.xml;
    if (joined != fragment) std::abort();
    total += fragment.size();
  }
  for (auto const& c : children) expected += c.xml.size();
  if (total != expected) std::abort();
}

void check_query(std::string const& fragment) {
  auto inner = fuzz::read_xml("<x>" + fragment + "</x>");
  if (!inner) return;  // the session stores only what expat parsed
  auto const query = fuzz::read_xml(format_private_query(fragment));
  if (!query || query->size() != inner->size() + 1 || (*query)[1] != "@xmlns=jabber:iq:private") std::abort();
  if (!std::equal(inner->begin() + 1, inner->end(), query->begin() + 2)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);
  auto const children = children_of(in);
  check_requests(children);
  check_grouping(children);
  check_query(std::string(in));
  return 0;
}
