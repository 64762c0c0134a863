// The mail queue as administrators manage it (`posta queue`, /api/v1/queue):
// messages waiting for remote recipients, each named by the id its client
// was told in "queued as …" (schema/014), with their recipients' attempts;
// and the actions on them: flush (every deferred recipient due now), resend
// one, delete one, clear all. Every action is journaled, and a flush or
// resend wakes the runners of every node (channel.hpp).
//
// A recipient a runner is delivering at this instant is shown as such; a
// delete removes it all the same, and the runner's outcome then finds no row
// to settle (queue_store::settle), so the delivery in flight may still
// complete, as with Postfix's postsuper -d.
#pragma once

#include "core/db/pool.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace posta::mail::queue {

struct queued_recipient_view {
  std::string address;
  int attempts = 0;                    // failed attempts so far
  std::string next_attempt_at;         // UTC, "2026-12-03T06:00:00Z"
  std::optional<int> last_code;        // of the last attempt
  std::string last_reply;              // its whole text
  std::string last_attempt_at;         // "" before the first
  bool in_delivery = false;            // a runner holds it now
};

struct queued_message_view {
  std::string id;
  std::string sender;  // "" for the null reverse-path
  std::int64_t size = 0;
  std::string queued_at;
  std::int64_t age_seconds = 0;
  std::vector<queued_recipient_view> recipients;

  // Over the recipients: the most failed attempts, the soonest next attempt,
  // and the reply of the latest attempt.
  int attempts() const;
  std::string next_attempt_at() const;
  queued_recipient_view const* last_attempted() const;
};

struct attempt_view {
  std::string at;
  std::string recipient;
  std::string host;
  int code = 0;
  std::string reply;
  std::string outcome;  // delivered, deferred, bounced, expired, deleted
};

struct queue_listing {
  std::int64_t total = 0;  // messages matching, over all pages
  std::vector<queued_message_view> messages;
};

struct queue_filter {
  std::string text;  // "" or a substring of the sender or of a recipient, any case
  int page = 1;
  int page_size = 100;
};

// Refuses a page below 1 or a page size outside 1..1000.
result<void> validate(queue_filter const& f);

// Oldest first, as mailq lists.
asio::awaitable<result<queue_listing>> list_queue(db::pool& pool, queue_filter filter);

// One message and every attempt recorded for it (newest last); nullopt when
// no recipient of it is queued any more.
struct queued_message_detail {
  queued_message_view message;
  std::vector<attempt_view> attempts;
};
asio::awaitable<result<std::optional<queued_message_detail>>> show_queued(db::pool& pool, std::string id);

// Each returns how many recipients it affected (0: no such message);
// `client` (the API client's address) is written in the journal.
asio::awaitable<result<std::int64_t>> flush_queue(db::pool& pool, std::string client);
asio::awaitable<result<std::int64_t>> resend_queued(db::pool& pool, std::string id, std::string client);
asio::awaitable<result<std::int64_t>> delete_queued(db::pool& pool, std::string id, std::string client);
asio::awaitable<result<std::int64_t>> clear_queue(db::pool& pool, std::string client);

}  // namespace posta::mail::queue
