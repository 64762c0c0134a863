// What the administrator sees of this node's bound c2s sessions (issue 11
// "Administration"): each resource with its client IP, TLS, start time and
// client software (XEP-0092, else the resource name), and the handle that
// ends it. Also the bound of resources per account (RFC 6120 7.6.2.1).
// Thread-safe: sessions on many strands register and leave, the admin API
// lists and kicks from its own. Node-local, like the router: a cluster asks
// every node and merges (jabber/server/admin_routes.cpp).
#pragma once

#include "jabber/server/outbox.hpp"

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace posta::jabber::server {

struct session_view {
  std::string jid;  // full JID
  std::string account;
  std::string resource;
  std::string client_ip;
  bool tls = false;
  std::string since;   // XEP-0082 DateTime, UTC
  std::string client;  // "name version" from XEP-0092, else the resource
};

class session_table {
 public:
  // Registers a session about to bind `view.account`/`view.resource`.
  // False (nothing registered) when the account already has `max` other
  // resources bound (0: unlimited); the same resource does not count, the
  // newer session replaces it (RFC 6120 7.7.2.2).
  bool add(session_view view, std::weak_ptr<outbox> box, std::size_t max);
  // Only the registration of `box`: a replaced session leaves the newer one.
  void remove(std::string const& jid, outbox const* box);
  void set_client(std::string const& jid, outbox const* box, std::string client);

  // By JID; only `account`'s when given.
  std::vector<session_view> list(std::optional<std::string> const& account = std::nullopt) const;
  // Ends the session of a full JID, or every session of a bare JID, with
  // stream error `c`. How many were told.
  std::size_t kick(std::string const& jid, proto::stream_condition c, std::string const& why) const;
  // The accounts with a session here.
  std::vector<std::string> accounts() const;

 private:
  struct entry {
    session_view view;
    std::weak_ptr<outbox> box;
  };
  mutable std::mutex mutex_;
  std::map<std::string, entry> by_jid_;  // full JID -> entry
};

}  // namespace posta::jabber::server
