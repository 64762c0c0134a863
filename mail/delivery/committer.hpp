// Durable delivery with grouped commits: sessions hand over an accepted
// message (blob already fsynced) and await the outcome; a few workers take
// whatever is waiting and deliver it in one transaction, so many sessions
// share one commit (one WAL flush) instead of paying one each.
#pragma once

#include "core/blob/blob_store.hpp"
#include "core/db/pool.hpp"

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
  std::string client_ip;
};

struct report {
  std::vector<std::string> delivered;   // local account addresses that got a copy
  std::vector<std::string> queued;      // remote addresses written to the queue
  std::vector<std::string> over_quota;  // local accounts refused at commit time
};

class committer {
 public:
  committer(db::pool& pool, blob::store const& blobs, std::size_t max_batch = 64);
  ~committer();

  // Two workers: one commits while the other gathers the next batch; more
  // would only split the waiting sessions into smaller commits.
  void start(asio::any_io_executor executor, std::size_t workers = 2);
  void stop();

  // DURABILITY: on success the message is committed for every recipient in
  // `report` (and in no mailbox otherwise); only then may the session say 250.
  asio::awaitable<result<report>> deliver(request req);

 private:
  struct job;
  struct queue;
  asio::awaitable<void> worker();
  asio::awaitable<result<std::vector<report>>> commit(std::vector<job*> const& batch);
  asio::awaitable<result<std::vector<report>>> commit_guarded(std::vector<job*> const& batch);
  static request const& job_request(job const* j);
  asio::awaitable<result<void>> store_blobs(db::connection& c, std::vector<job*> const& batch) const;

  db::pool& pool_;
  blob::store const& blobs_;
  std::size_t max_batch_;
  std::unique_ptr<queue> queue_;
};

}  // namespace posta::mail::delivery
