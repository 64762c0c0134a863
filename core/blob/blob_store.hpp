// Content-addressed message bodies: <root>/ab/cdef… named by SHA-256, written
// once however many mailboxes hold the message. Files are made durable here;
// the references live in the `blobs` table.
#pragma once

#include "core/db/connection.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace posta::blob {

struct blob_ref {
  std::string hash;  // lowercase hex SHA-256
  std::int64_t size = 0;
};

// Streams one blob to a temporary file while hashing it. Small writes go to the
// page cache; finish_blocking() does the fsyncs and must run on the thread pool.
class writer {
 public:
  writer(writer&&) noexcept;
  writer& operator=(writer&&) noexcept;
  ~writer();  // an unfinished writer removes its temporary file

  result<void> append(std::string_view data);
  std::int64_t size() const noexcept;

  // DURABILITY: on success the blob file and its directory entry are on disk.
  // A crash before the referencing transaction commits leaves an orphan file,
  // which garbage collection removes after the grace period.
  result<blob_ref> finish_blocking();

 private:
  friend class store;
  struct state;
  explicit writer(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

class store {
 public:
  explicit store(std::filesystem::path root);

  result<void> open_blocking();  // creates the folder layout
  result<writer> begin() const;
  result<blob_ref> put_blocking(std::string_view data) const;
  std::filesystem::path path_of(std::string_view hash) const;
  result<std::string> read_blocking(std::string_view hash) const;

  // Makes sure the `blobs` row exists, inside the caller's transaction, before
  // rows that refer to the blob are inserted (their triggers count the
  // references). The row lock taken here orders us after a garbage collector
  // deleting the same blob, so the file is checked after it: a blob deleted
  // in between is an error (retry), never a reference to a missing file.
  // All of `refs` in one statement (duplicates allowed).
  asio::awaitable<result<void>> pin(db::connection& conn, std::vector<blob_ref> const& refs) const;

  struct gc_report {
    int blobs_deleted = 0;          // files and rows removed
    int orphan_files_adopted = 0;   // files no row named (deleted on this or a later pass)
    int temp_files_deleted = 0;     // abandoned temporary files
  };
  // Deletes unreferenced blobs and orphan files older than `grace`.
  asio::awaitable<result<gc_report>> collect_garbage(db::connection& conn, std::chrono::seconds grace) const;

  std::filesystem::path const& root() const noexcept { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace posta::blob
