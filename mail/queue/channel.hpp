// The PostgreSQL notification channel of the queue: every node's runner
// listens, so mail queued or flushed on one node is delivered by any.
#pragma once

namespace posta::mail::queue {

inline constexpr char const* notify_channel = "posta_queue";
// The payload of an administrator's flush or resend (queue_admin.hpp): the
// runners forget their backoffs too. Any other payload: rows were queued.
inline constexpr char const* flush_payload = "flush";

}  // namespace posta::mail::queue
