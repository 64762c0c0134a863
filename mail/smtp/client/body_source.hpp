// Where the client reads a message from: byte ranges of a stored body, so a
// large message is never held whole (the blob store reads inline bodies from
// PostgreSQL and file bodies from disk, core/blob/blob_store.hpp).
#pragma once

#include "core/util/async.hpp"
#include "core/util/result.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace posta::blob {
class store;
}
namespace posta::db {
class pool;
}

namespace posta::mail::smtp::client {

class body_source {
 public:
  virtual ~body_source() = default;
  virtual std::int64_t size() const = 0;
  // `length` bytes from `offset` (fewer only at the end of the body).
  virtual asio::awaitable<result<std::string>> read(std::int64_t offset, std::int64_t length) = 0;
};

// A body in the blob store, read a range at a time on a pooled connection.
std::unique_ptr<body_source> stored_body(blob::store const& store, db::pool& pool, std::string hash, std::int64_t size);

// A body in memory (tests, DSNs Posta writes itself).
std::unique_ptr<body_source> memory_body(std::string bytes);

}  // namespace posta::mail::smtp::client
