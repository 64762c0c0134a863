// Per-session state of XEP-0198 stream management (session_sm.cpp) and of
// XEP-0352 client state indication (session_csi.cpp).
#pragma once

#include "jabber/proto/stream_management.hpp"
#include "jabber/server/resumption.hpp"
#include "jabber/server/stanza_queue.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace posta::jabber::server {

struct sm_state {
  bool enabled = false;
  bool resumable = false;
  std::string id;  // the SM-ID of <enabled/>, for <resume previd/>
  std::chrono::seconds timeout{};
  proto::sm_count handled = 0;  // the client's stanzas handled (XEP-0198 4)
  proto::sm_count acked = 0;    // the last 'h' the client acknowledged
  stanza_queue unacked;         // written since `acked`, oldest first
  std::size_t unacked_bytes = 0;
  bool request_outstanding = false;  // an <r/> waits for its <a/>
  std::chrono::steady_clock::time_point last_request{};
  std::chrono::seconds request_interval{};  // xmpp.sm_ack_request_seconds
  bool counting = false;                    // the <enabled/> or <resumed/> is written: stanzas count
  // Resumption (section 5).
  bool parked = false;       // the connection dropped: waiting for a <resume/>
  bool handed_over = false;  // a new stream took the session
  std::optional<asio::steady_timer> park_timer;
  std::shared_ptr<handover_fn> take;  // what the resumption table points at
  std::vector<std::string> spill;     // stanzas that reached the outbox once it stopped queuing
};

struct csi_state {
  bool inactive = false;
  std::map<std::string, std::string> held;  // the latest presence by 'from'
  std::size_t held_bytes = 0;
};

}  // namespace posta::jabber::server
