// XEP-0191 blocklists: matching, applying a change, and the payloads.
#include "jabber/proto/blocking.hpp"

#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/xml_escape.hpp"

namespace posta::jabber::proto {

bool is_blocked(blocklist const& list, std::string_view local, std::string_view domain, std::string_view resource) {
  if (list.empty() || domain.empty()) return false;
  std::string bare;
  if (!local.empty()) {
    bare.append(local).append("@");
  }
  bare.append(domain);
  if (list.contains(bare)) return true;
  if (!resource.empty() && list.contains(bare + "/" + std::string(resource))) return true;
  if (local.empty()) return false;  // `bare` was the domain already
  if (list.contains(domain)) return true;
  return !resource.empty() && list.contains(std::string(domain) + "/" + std::string(resource));
}

block_request_error check_block_request(block_request const& req, std::size_t max_items) {
  if (req.item_without_jid) return block_request_error::bad_request;
  if (req.action == block_action::block && req.jids.empty()) return block_request_error::bad_request;
  if (req.jids.size() > max_items) return block_request_error::too_many;
  return block_request_error::none;
}

void apply_block(blocklist& list, block_action action, std::vector<std::string> const& jids) {
  if (action == block_action::block) {
    list.insert(jids.begin(), jids.end());
    return;
  }
  if (jids.empty()) {
    list.clear();
    return;
  }
  for (auto const& j : jids) list.erase(j);
}

std::size_t size_after_block(blocklist const& list, std::vector<std::string> const& jids) {
  std::size_t n = list.size();
  blocklist seen;
  for (auto const& j : jids)
    if (!list.contains(j) && seen.insert(j).second) ++n;
  return n;
}

namespace {

void append_items(std::string& out, auto const& jids) {
  for (auto const& j : jids) {
    out += "<item jid='";
    append_escaped(out, j);
    out += "'/>";
  }
}

}  // namespace

std::string format_blocklist(blocklist const& list) {
  std::string out = "<blocklist xmlns='";
  out += ns::blocking;
  if (list.empty()) return out + "'/>";
  out += "'>";
  append_items(out, list);
  return out + "</blocklist>";
}

std::string format_block_push(std::string_view id, std::string_view to, block_action action,
                              std::vector<std::string> const& jids) {
  std::string_view const name = action == block_action::block ? "block" : "unblock";
  std::string out = "<iq type='set' id='";
  append_escaped(out, id);
  out += "' to='";
  append_escaped(out, to);
  out += "'><";
  out += name;
  out += " xmlns='";
  out += ns::blocking;
  if (jids.empty()) {
    out += "'/></iq>";
    return out;
  }
  out += "'>";
  append_items(out, jids);
  out += "</";
  out += name;
  out += "></iq>";
  return out;
}

}  // namespace posta::jabber::proto
