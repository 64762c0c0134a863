// What the stored mail occupies: message bodies in the database and in
// files, the database as a whole, and the state of vacuuming of the tables
// that grow with mail (for `posta storage show` and GET /api/v1/storage).
#pragma once

#include "core/db/connection.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace posta::blob {

struct table_usage {
  std::string name;
  std::int64_t bytes = 0;  // heap, TOAST and indexes
  std::int64_t live_rows = 0;
  std::int64_t dead_rows = 0;  // reclaimable by VACUUM
  std::int64_t autovacuum_runs = 0;
  std::string last_autovacuum;  // ISO time, "" when never
};

struct usage {
  std::int64_t database_bytes = 0;
  std::int64_t bodies_in_database = 0;
  std::int64_t body_bytes_in_database = 0;
  std::int64_t bodies_in_files = 0;
  std::int64_t body_bytes_in_files = 0;
  std::int64_t unreferenced_bodies = 0;  // waiting for garbage collection
  std::vector<table_usage> tables;       // blobs, blob_structures, messages, mailboxes, queue, deliveries
};

asio::awaitable<result<usage>> storage_usage(db::connection& conn);

}  // namespace posta::blob
