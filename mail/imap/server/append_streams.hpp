// The large messages of one APPEND command (RFC 3501 6.3.11; RFC 3502
// MULTIAPPEND sends several), streamed into blob writers as their literals
// arrive: hashed on the way, written to a file once above the inline limit,
// never held whole. Discarded writers remove their temporary files, so a
// client that drops mid-APPEND leaves nothing behind.
#pragma once

#include "core/blob/blob_store.hpp"
#include "core/util/async.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::imap::server {

class append_streams {
 public:
  append_streams() = default;
  append_streams(append_streams const&) = delete;
  append_streams& operator=(append_streams const&) = delete;
  ~append_streams();  // discards what is left

  // A new streamed literal: its bytes go to a writer of `blobs` keeping at
  // most its inline limit in memory, or nothing when `to_file`.
  void begin(blob::store const& blobs, bool to_file, bool literal8);
  // The next bytes of the current literal; `last` when they end it.
  asio::awaitable<void> write(std::string_view bytes, bool last);
  // The writer of the command's streamed literal `index`, all its bytes in,
  // for store::ingest; nullptr after a write failure, or when a literal
  // that is not literal8 carried a NUL (*nul_in_text is then set).
  blob::writer* writer(std::size_t index, bool* nul_in_text);
  // Bytes held in memory: buffers and bodies that will live in the database.
  std::uint64_t memory() const noexcept;
  bool empty() const noexcept { return streams_.empty(); }
  // Drops every writer (their temporary files are removed on the disk pool).
  void discard();

 private:
  struct stream {
    std::unique_ptr<blob::writer> writer;
    bool literal8 = false;
    bool has_nul = false;
    bool failed = false;
  };
  asio::awaitable<void> flush(stream& s);

  std::vector<stream> streams_;
  std::string buffer_;  // bytes of the current literal not yet given to its writer
};

}  // namespace posta::mail::imap::server
