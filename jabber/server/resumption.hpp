// XEP-0198 section 5 on this node: the streams that may be resumed, by
// their SM-ID, each with its account and the strand of the session that
// holds its state, and the bound on how many may wait for a resumption.
// Thread-safe: sessions on many strands register, look up and leave.
#pragma once

#include "core/util/async.hpp"
#include "jabber/proto/stream_management.hpp"
#include "jabber/server/stanza_queue.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace posta::jabber::server {

class outbox;

// What a new stream asks of the session it resumes.
struct handover_request {
  std::string account;              // the new stream authenticated as this account
  proto::sm_count h = 0;            // the client's <resume h='...'/>
  std::shared_ptr<outbox> new_box;  // on the new session's strand; takes the route
};

// What the old session gives up, on its own strand.
struct handover_result {
  enum class outcome { resumed, not_found, too_high } result = outcome::not_found;
  proto::sm_count sent = 0;     // too_high: what the old stream had sent
  proto::sm_count handled = 0;  // the client's stanzas the old stream handled
  stanza_queue stanzas;         // to send again (unacknowledged), then what waited
  std::string resource;
  std::string full_jid;
  bool available = false;
  std::set<std::string> directed;  // RFC 6121 4.6
  std::string presence_token;      // of the resource's row in xmpp_online_resources
  std::chrono::seconds timeout{};
};

using handover_fn = std::function<handover_result(handover_request)>;

class resumption_table {
 public:
  struct entry {
    std::string account;
    asio::any_io_executor strand;     // the old session's
    std::weak_ptr<handover_fn> take;  // called on `strand` only
  };

  // A stream with resumption enabled (or a resumed one, replacing its old entry).
  void add(std::string const& id, entry e);
  // Only while `owner` holds the id: a resumed session's entry stays.
  void remove(std::string const& id, handover_fn const* owner);
  std::optional<entry> find(std::string const& id) const;

  // SECURITY: at most `max` sessions per node wait for a resumption
  // (xmpp.max_resumable_sessions); past it a dropped session just ends.
  bool try_park(std::size_t max);
  void unpark();

  // On the new session's strand: runs `e.take` on the old session's strand.
  static asio::awaitable<handover_result> hand_over(entry e, handover_request r);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, entry> entries_;
  std::size_t parked_ = 0;
};

}  // namespace posta::jabber::server
