// libFuzzer target: XEP-0191 blocklists. is_blocked agrees with the four
// forms XEP-0016 section 2.1 matches; size_after_block predicts what
// apply_block makes; an unblock removes exactly what it names (all when it
// names nothing); the blocklist and push payloads are well-formed XML that
// carry each JID back.
#include "core/util/utf8.hpp"
#include "jabber/proto/blocking.hpp"
#include "jabber/proto/fuzz/xml_events.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

using namespace posta::jabber::proto;

namespace {

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty() && out.size() < 64) {
    auto const nl = text.find('\n');
    out.emplace_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return out;
}

// XEP-0016 2.1, written out: the item forms local@domain/resource matches.
bool model_blocked(blocklist const& list, std::string const& l, std::string const& d, std::string const& r) {
  if (d.empty()) return false;
  std::vector<std::string> forms{d};
  if (!l.empty()) forms.push_back(l + "@" + d);
  if (!r.empty()) forms.push_back(d + "/" + r);
  if (!l.empty() && !r.empty()) forms.push_back(l + "@" + d + "/" + r);
  for (auto const& f : forms)
    if (list.contains(f)) return true;
  return false;
}

void check_items(std::optional<fuzz::xml_events> const& events, std::vector<std::string> const& jids) {
  if (!events) std::abort();
  std::vector<std::string> seen;
  for (auto const& e : *events)
    if (e.starts_with("@jid=")) seen.push_back(e.substr(5));
  std::vector<std::string> expected;
  for (auto const& j : jids) expected.push_back(fuzz::read_back(j));
  if (seen != expected) std::abort();
}

void check_payloads(blocklist const& list, std::vector<std::string> const& jids, std::string const& id) {
  for (auto const& j : jids)
    if (!posta::util::is_valid_utf8(j)) return;
  for (auto const& j : list)
    if (!posta::util::is_valid_utf8(j)) return;
  if (!posta::util::is_valid_utf8(id)) return;
  check_items(fuzz::read_xml(format_blocklist(list)), std::vector<std::string>(list.begin(), list.end()));
  for (auto action : {block_action::block, block_action::unblock}) {
    auto const push = fuzz::read_xml(format_block_push(id, "u@example.com/r", action, jids));
    check_items(push, jids);
    if ((*push)[1] != "@type=set" || (*push)[2] != "@id=" + fuzz::read_back(id)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto const f = fuzz::fields_of(std::string_view(reinterpret_cast<char const*>(data), size), 6);
  auto const initial = lines_of(f[0]);
  auto const change = lines_of(f[1]);
  blocklist list(initial.begin(), initial.end());
  if (is_blocked(list, f[2], f[3], f[4]) != model_blocked(list, f[2], f[3], f[4])) std::abort();

  block_request req{f[5].starts_with('u') ? block_action::unblock : block_action::block, change,
                    f[5].find('!') != std::string::npos};
  auto const verdict = check_block_request(req, 8);
  bool const bad = req.item_without_jid || (req.action == block_action::block && change.empty());
  if (bad != (verdict == block_request_error::bad_request)) std::abort();
  if (!bad && (change.size() > 8) != (verdict == block_request_error::too_many)) std::abort();

  auto blocked = list;
  apply_block(blocked, block_action::block, change);
  if (blocked.size() != size_after_block(list, change)) std::abort();
  for (auto const& j : change)
    if (!blocked.contains(j)) std::abort();
  auto unblocked = blocked;
  apply_block(unblocked, block_action::unblock, change);
  for (auto const& j : blocked)
    if (unblocked.contains(j) == (change.empty() || std::find(change.begin(), change.end(), j) != change.end()))
      std::abort();
  check_payloads(list, change, f[2]);
  return 0;
}
