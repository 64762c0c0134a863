// What FETCH and SEARCH read again and again of a stored body, parsed once
// per process: its MIME structure, its header bytes and the header's
// search text. A body is content-addressed and never changes, so entries
// need no invalidation and are right on every node; the cache only bounds
// its memory (mail.message_cache_mb), least recently used first out.
#pragma once

#include "mail/mime/proto/message_structure.hpp"

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace posta::mail::mime {
struct search_text;
}

namespace posta::mail::store {

// One body's facts. The structure is fixed at creation; the header bytes
// and header search text are filled on first use (by whichever session
// reads them first: the same bytes whoever does).
class parsed_body {
 public:
  explicit parsed_body(mime::message_structure structure) : structure_(std::move(structure)) {}
  mime::message_structure const& structure() const noexcept { return structure_; }

  // The blob's header, [0, root.body_start), once someone read it.
  std::shared_ptr<std::string const> header() const;
  void set_header(std::string bytes) const;
  std::shared_ptr<mime::search_text const> header_text() const;
  void set_header_text(std::shared_ptr<mime::search_text const> text) const;

 private:
  mime::message_structure structure_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<std::string const> header_;
  mutable std::shared_ptr<mime::search_text const> header_text_;
};

// mail.message_cache_mb's default.
inline constexpr std::size_t default_cache_bytes = 64u << 20;

class body_cache {
 public:
  // Headers longer than this are never kept (a hostile header of megabytes
  // would push everyone else out); they are read from the store each time.
  static constexpr std::size_t max_cached_header = 64 * 1024;

  explicit body_cache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  std::shared_ptr<parsed_body const> find(std::string const& hash);
  // `stored_size` is the size of its stored form (the structure's JSON),
  // the measure of what the entry costs with its header.
  void insert(std::string const& hash, std::shared_ptr<parsed_body const> body, std::size_t stored_size);
  // SECURITY: the memory the cache may hold; shrinking evicts at once.
  void set_max_bytes(std::size_t max_bytes);
  std::size_t bytes() const;
  std::size_t entries() const;

 private:
  struct entry {
    std::string hash;
    std::shared_ptr<parsed_body const> body;
    std::size_t cost;
  };
  void evict_locked();

  mutable std::mutex mutex_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::list<entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<entry>::iterator> by_hash_;
};

}  // namespace posta::mail::store
