// The node-local router: the bound c2s sessions of this node by bare JID
// and resource (RFC 6120 section 7), with the availability and priority
// each announced in its presence (RFC 6121 sections 4.2, 4.7.2.3), and the
// choice of resources a message to a bare JID goes to (RFC 6121 8.5.2,
// simplified: every available resource with a non-negative priority).
// Thread-safe: sessions on many strands bind, route and leave.
#pragma once

#include "jabber/server/blocklist_cache.hpp"
#include "jabber/server/outbox.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace posta::jabber::server {

class router {
 public:
  // Registers `box` as bare/resource and returns the session that had that
  // resource before, which must end (a conflict: the newer session wins).
  std::shared_ptr<outbox> bind(std::string const& bare, std::string const& resource, std::shared_ptr<outbox> box);
  // Only `box` itself is removed: a session replaced by a newer one leaves
  // the newer one in place.
  void unbind(std::string const& bare, std::string const& resource, outbox const* box);
  // `stanza`: the resource's last available presence, for probes (RFC 6121 4.3.2).
  void set_presence(std::string const& bare, std::string const& resource, outbox const* box, bool available,
                    int priority, std::string stanza = {});

  // RFC 6121 2.1.6: a resource that asked for the roster is sent its pushes.
  void set_roster_requested(std::string const& bare, std::string const& resource, outbox const* box);

  // XEP-0198 5: a resumed stream serves the same resource, with the same
  // presence and flags, through its own `box`. False when `old` no longer
  // holds the resource (a newer session bound it).
  bool replace_box(std::string const& bare, std::string const& resource, outbox const* old,
                   std::shared_ptr<outbox> box);
  // XEP-0280 4: the resource asked for carbons (or stopped).
  void set_carbons(std::string const& bare, std::string const& resource, outbox const* box, bool enabled);
  // The carbons-enabled resources of `bare`, by resource name.
  std::vector<std::pair<std::string, std::shared_ptr<outbox>>> carbons_enabled(std::string const& bare) const;

  std::shared_ptr<outbox> find(std::string const& bare, std::string const& resource) const;
  // Available resources with priority >= 0.
  std::vector<std::shared_ptr<outbox>> for_bare_jid(std::string const& bare) const;
  // The resources of `bare` that asked for the roster, by resource name.
  std::vector<std::pair<std::string, std::shared_ptr<outbox>>> roster_interested(std::string const& bare) const;
  // Every available resource (any priority: presence goes to all, 4.2.2).
  std::vector<std::shared_ptr<outbox>> available(std::string const& bare) const;
  // The last available presence of each available resource of `bare`.
  std::vector<std::string> presences(std::string const& bare) const;
  bool has_resource(std::string const& bare, std::string const& resource) const;
  std::size_t size() const;
  // Every available resource by name (presence from each, XEP-0191 3.3).
  std::vector<std::pair<std::string, std::shared_ptr<outbox>>> available_resources(std::string const& bare) const;

  // The accounts' XEP-0191 blocklists, checked on every route.
  blocklist_cache& blocklists() { return blocklists_; }

 private:
  struct entry {
    std::shared_ptr<outbox> box;
    bool available = false;  // sent available presence (RFC 6121 4.2)
    int priority = 0;
    bool roster_requested = false;
    bool carbons = false;  // XEP-0280
    std::string presence;
  };
  // With mutex_ held. The entry of `resource` only while `box` holds it.
  entry* slot_of(std::string const& bare, std::string const& resource, outbox const* box);
  std::map<std::string, entry> const& resources_of(std::string const& bare) const;
  // The resources of `bare` whose `flag` is set, by resource name.
  std::vector<std::pair<std::string, std::shared_ptr<outbox>>> flagged(std::string const& bare,
                                                                       bool entry::*flag) const;

  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, entry>, std::less<>> accounts_;  // bare -> resource -> entry
  blocklist_cache blocklists_;
};

}  // namespace posta::jabber::server
