// XEP-0191 blocking command, the pure part: the blocklist, JID matching
// (XEP-0191 section 6 refers to XEP-0016 section 2.1), a block or unblock
// applied to a list, and the <blocklist/>, push and error payloads as bytes.
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace posta::jabber::proto {

// The blocked JIDs of one account, each as parse_jid normalised it: a full
// JID, a bare JID, a domain or domain/resource (XEP-0191 1.3 allows any).
using blocklist = std::set<std::string, std::less<>>;

// XEP-0016 2.1: the JID local@domain/resource matches an item equal to it,
// to local@domain, to domain/resource or to domain. An empty part is absent.
bool is_blocked(blocklist const& list, std::string_view local, std::string_view domain, std::string_view resource);

enum class block_action { block, unblock };

// What a <block/> or <unblock/> asks once its items were read: the JIDs as
// sent (parse_jid still to be applied) and whether an item had no 'jid'.
struct block_request {
  block_action action = block_action::block;
  std::vector<std::string> jids;
  bool item_without_jid = false;
};

enum class block_request_error {
  none,
  bad_request,  // a <block/> without items (3.3), or an item without 'jid'
  too_many,     // SECURITY: more items than a list may hold
};
block_request_error check_block_request(block_request const& req, std::size_t max_items);

// XEP-0191 3.3-3.5: `jids` added or removed; an unblock without JIDs empties
// the list (3.5, unblock all).
void apply_block(blocklist& list, block_action action, std::vector<std::string> const& jids);
// How many entries `list` would have after blocking `jids`.
std::size_t size_after_block(blocklist const& list, std::vector<std::string> const& jids);

// <blocklist xmlns='urn:xmpp:blocking'><item jid=''/>…</blocklist> (3.2)
std::string format_blocklist(blocklist const& list);
// The push to an interested resource (3.3, 3.4, 3.5):
// <iq type='set' id='' to=''><block|unblock xmlns='urn:xmpp:blocking'><item/>…</…></iq>
std::string format_block_push(std::string_view id, std::string_view to, block_action action,
                              std::vector<std::string> const& jids);

}  // namespace posta::jabber::proto
