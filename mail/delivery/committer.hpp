// Durable delivery with grouped commits: sessions hand over an accepted
// message (blob already fsynced) and await the outcome; a few workers take
// whatever is waiting and deliver it in one transaction, so many sessions
// share one commit (one WAL flush) instead of paying one each.
#pragma once

#include "core/blob/blob_store.hpp"
#include "core/db/pool.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace posta::mail::delivery {

struct recipient {
  std::string address;
  std::optional<std::string> notify;  // RFC 3461: "NEVER" or "SUCCESS,FAILURE,DELAY"
  std::optional<std::string> orcpt;   // "rfc822;addr"
};

struct request {
  blob::blob_ref blob;
  std::string structure_json;  // mail::mime structure of the blob
  std::string sender;          // "" for the null reverse-path
  std::vector<recipient> recipients;
  std::optional<std::string> envid;
  std::optional<std::string> ret;  // "FULL" | "HDRS"
  // For queued recipients: the message needs SMTPUTF8 (UTF-8 envelope or
  // header), and the BODY= of MAIL ("8BITMIME", "BINARYMIME").
  bool smtputf8 = false;
  std::optional<std::string> body_type;
  std::string client_ip;
  // Failure notices (over quota at commit, a recipient gone since RCPT) go
  // only to senders that authenticated, with the original's header section:
  // SECURITY: anyone else could make us reflect mail to a forged sender.
  bool sender_authenticated = false;
  std::string original_headers;  // set when sender_authenticated
  // Authenticated or from smtp.trusted_networks: the queued copies may be
  // DKIM-signed (schema/015); mail from anyone else is forwarded unsigned.
  bool may_sign = false;
  std::string reporting_mta;     // our name in notices
  // Idempotency key of this delivery (schema/004); deliver() makes one when empty.
  std::string delivery_id;
};

struct report {
  std::vector<std::string> delivered;   // local account addresses that got a copy
  std::vector<std::string> queued;      // remote addresses written to the queue
  std::vector<std::string> over_quota;  // local accounts refused at commit time
  std::vector<std::string> gone;        // recipients deleted or disabled since RCPT
  bool notice_sent = false;             // a failure notice was committed with it

  bool reached_nobody_it_should() const {
    return delivered.empty() && queued.empty() && !(over_quota.empty() && gone.empty());
  }
};

class committer {
 public:
  committer(db::pool& pool, blob::store const& blobs, std::size_t max_batch = 64);
  ~committer();

  // Two workers: one commits while the other gathers the next batch; more
  // would only split the waiting sessions into smaller commits.
  void start(asio::any_io_executor executor, std::size_t workers = 2);
  void stop();

  // Mail.quota_grace_percent: a mailbox under its quota takes one more
  // message as long as it ends within quota + this share (Dovecot's
  // quota_grace), so the message that crosses the line is not bounced.
  void set_quota_grace_percent(std::int64_t percent) noexcept { quota_grace_percent_.store(percent); }

  // DURABILITY: on success the message is committed for every recipient in
  // `report` (and in no mailbox otherwise); only then may the session say 250.
  // SECURITY: the wait is bounded (twice the pool's transaction bound): a job
  // not started within one bound is answered `unavailable`, a started batch
  // ends within another, so the session can always say 451 in time.
  // `invalid_argument` means the request itself cannot be stored (a decision);
  // every other error is transient.
  asio::awaitable<result<report>> deliver(request req);

  // Called (on a worker, after the commit) when a batch wrote queue rows:
  // the queue runner of this node starts on them at once. Set before start().
  void on_queued(std::function<void()> callback) { on_queued_ = std::move(callback); }

 private:
  struct job;
  struct queue;
  using job_ptr = std::shared_ptr<job>;
  asio::awaitable<void> worker();
  asio::awaitable<void> settle(std::vector<job*> batch, bool retried);
  asio::awaitable<result<std::vector<report>>> commit(std::vector<job*> const& batch);
  asio::awaitable<result<std::map<std::string, report>>> commit_in(db::connection& c, std::vector<job*> const& batch);
  asio::awaitable<result<std::vector<report>>> commit_guarded(std::vector<job*> const& batch);
  static request const& job_request(job const* j);
  static std::vector<std::string> addresses_of(std::vector<job*> const& batch);
  static bool job_was_tried(job const* j);

  db::pool& pool_;
  blob::store const& blobs_;
  std::size_t max_batch_;
  std::atomic<std::int64_t> quota_grace_percent_{10};
  std::unique_ptr<queue> queue_;
  std::function<void()> on_queued_;
};

}  // namespace posta::mail::delivery
