// Content-addressed message bodies, named by SHA-256 and written once however
// many mailboxes hold the message. A body up to `blobs.inline_max_kb` lives in
// PostgreSQL (`blobs.body`), written by the delivering transaction, so one WAL
// flush makes a whole batch durable; a larger one is a file <root>/ab/cdef…
// (temp file, fsync, rename, directory fsync). Readers use read(), which
// returns a body or a byte range wherever it lives.
#pragma once

#include "core/db/connection.hpp"

#include <atomic>
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
  // The bytes of a body that is to live in PostgreSQL: pin() writes them in
  // the delivering transaction. Null for a body in the file store.
  std::shared_ptr<std::string const> inline_body = {};

  bool is_inline() const noexcept { return inline_body != nullptr; }
};

// A blob and the number of rows that the pinning transaction makes refer to it.
struct blob_use {
  blob_ref ref;
  std::int64_t references = 0;
};

// Receives one body while hashing it. It stays in memory up to the store's
// inline limit; past it, it spills to a temporary file that further appends
// extend (page cache only; finish_blocking() does the fsyncs).
class writer {
 public:
  writer(writer&&) noexcept;
  writer& operator=(writer&&) noexcept;
  ~writer();  // an unfinished writer removes its temporary file

  result<void> append(std::string_view data);
  std::int64_t size() const noexcept;
  bool is_inline() const noexcept;  // still in memory: will live in PostgreSQL
  bool stays_inline_with(std::size_t more) const noexcept;  // after appending `more` bytes
  std::string const& memory() const noexcept;  // the bytes so far, while is_inline()

  // DURABILITY: for a file body, the file and its directory entry are on disk
  // when this returns; a crash before the referencing transaction commits
  // leaves an orphan file, which garbage collection removes after the grace
  // period. An inline body is durable only once pin()'s transaction commits.
  // Runs on the thread pool (fsync) unless is_inline().
  result<blob_ref> finish_blocking();

 private:
  friend class store;
  struct state;
  explicit writer(std::unique_ptr<state> s);
  result<void> spill();
  std::unique_ptr<state> state_;
};

// A read-only mapping of a blob file; unmapped when destroyed.
class mapped_file {
 public:
  mapped_file() = default;
  mapped_file(mapped_file&& o) noexcept;
  mapped_file& operator=(mapped_file&& o) noexcept;
  ~mapped_file();
  std::string_view bytes() const noexcept { return {static_cast<char const*>(data_), size_}; }

 private:
  friend class store;
  mapped_file(void* data, std::size_t size) : data_(data), size_(size) {}
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

class store {
 public:
  explicit store(std::filesystem::path root);

  // Creates the folder layout, every fan-out folder included, durably: a
  // blob renamed into a folder whose own entry is not on disk would be lost
  // with it.
  result<void> open_blocking();

  // Bodies up to this size are kept in PostgreSQL (setting blobs.inline_max_kb).
  void set_inline_max_bytes(std::int64_t bytes) noexcept { inline_max_.store(bytes); }
  std::int64_t inline_max_bytes() const noexcept { return inline_max_.load(); }

  writer begin() const;
  // A writer keeping at most `inline_max_bytes` in memory (0: always a file,
  // for a caller whose memory is spent; the body may move inline later).
  writer begin(std::int64_t inline_max_bytes) const;
  result<blob_ref> put_blocking(std::string_view data) const;  // begin + append + finish
  std::filesystem::path path_of(std::string_view hash) const;

  // `length` bytes (the rest when negative) from `offset` of a blob, wherever
  // it lives. Callers of large bodies read them in ranges.
  asio::awaitable<result<std::string>> read(db::connection& conn, std::string hash, std::int64_t offset = 0,
                                            std::int64_t length = -1) const;
  // The same from the file store only (no database row is consulted).
  result<std::string> read_file_blocking(std::string_view hash, std::int64_t offset = 0,
                                         std::int64_t length = -1) const;
  // A file body mapped read-only, for a parser that needs it whole: its
  // pages are the page cache's (read on demand, dropped under pressure),
  // not the process's heap, so a 50 MB message costs no 50 MB allocation.
  // Safe because a blob file is never changed once renamed into place, only
  // unlinked (which leaves a mapping intact).
  result<mapped_file> map_file_blocking(std::string_view hash) const;

  // Makes sure the `blobs` rows exist, inside the caller's transaction, before
  // rows that refer to them are inserted, and adds the references those rows
  // will hold (inserts of messages and queue rows do not count them: the
  // caller says how many it adds; deletes are counted by the schema). Inline
  // bodies are written here. The row lock taken here orders us after a
  // garbage collector deleting the same blob, so a file is checked after it:
  // a file blob deleted in between is an error (retry), never a reference to
  // a missing file. All of `uses` in one statement (a hash may repeat: its
  // references add up).
  asio::awaitable<result<void>> pin(db::connection& conn, std::vector<blob_use> const& uses) const;

  struct gc_report {
    int blobs_deleted = 0;          // rows (and their files) removed
    int orphan_files_adopted = 0;   // files no row named (deleted on this or a later pass)
    int temp_files_deleted = 0;     // abandoned temporary files
    int redundant_files_deleted = 0;  // files of blobs whose body is in the database
  };
  // Deletes unreferenced blobs and orphan files older than `grace`.
  asio::awaitable<result<gc_report>> collect_garbage(db::connection& conn, std::chrono::seconds grace) const;

  // Moves up to `limit` file bodies no larger than the inline limit into the
  // database (online: readers find them in either place). Returns how many
  // moved; 0 when none is left.
  asio::awaitable<result<int>> move_small_files_inline(db::connection& conn, int limit = 200) const;

  std::filesystem::path const& root() const noexcept { return root_; }

 private:
  std::filesystem::path root_;
  std::atomic<std::int64_t> inline_max_{256 * 1024};
};

// SHA-256 of `data` as lowercase hex (the name of a blob).
std::string sha256_hex(std::string_view data);

}  // namespace posta::blob
