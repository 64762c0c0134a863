// The Xapian databases of the mailboxes: one per account under
// <data_dir>/index/<account id>/, written by one writer at a time (opened
// for a batch, committed, closed) and read through cached readers reopened
// before each query, so a reader sees every commit. Every call blocks (disk
// and Xapian): callers run them through net::run_blocking. Xapian errors
// become result errors here; nothing of Xapian leaks out of this folder.
#pragma once

#include "core/util/result.hpp"
#include "search/document.hpp"
#include "search/proto/query.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::search::engine {

enum class language { english, french, russian, none };
std::optional<language> parse_language(std::string_view name);

// An IMAP text key (RFC 3501 6.4.4) as word queries: its words must follow
// each other in the field, the last one also as a prefix.
enum class imap_field { text, body, header, subject, from, to, cc, bcc };

struct imap_words {
  std::int64_t account_id = 0;
  std::int64_t mailbox_id = 0;
  imap_field field = imap_field::text;
  std::string value;                // as the client sent it, UTF-8
  std::vector<std::uint32_t> uids;  // candidates, ascending
};

struct hit {
  std::int64_t mailbox_id = 0;
  std::uint32_t uid = 0;
  std::int64_t date = 0;
  std::string from;
  std::string subject;
  std::string snippet;  // matched words marked [like this]
};

struct hits {
  std::uint64_t total = 0;  // estimated matches (exact for small answers)
  std::vector<hit> items;   // newest first
};

struct search_request {
  std::int64_t account_id = 0;
  std::optional<std::int64_t> mailbox_id;
  proto::query_node query;
  std::size_t offset = 0;
  std::size_t limit = 50;
};

class mail_indexes {
 public:
  explicit mail_indexes(std::filesystem::path root);  // <data_dir>/index
  ~mail_indexes();
  mail_indexes(mail_indexes const&) = delete;
  mail_indexes& operator=(mail_indexes const&) = delete;

  // Stemming of documents indexed from now on and of queries (search.language).
  void set_language(language l) { language_ = l; }

  // Adds (replacing any earlier version) and removes documents, then commits.
  // DURABILITY: when this returns, the changes are on disk (Xapian's commit
  // fsyncs); a crash before it loses the whole batch, which the caller then
  // does again.
  result<void> apply_blocking(std::int64_t account_id, std::vector<mail_change> const& changes);
  // Removes every document (before a reindex), or the database itself (the
  // account is gone).
  result<void> reset_blocking(std::int64_t account_id);
  result<void> drop_blocking(std::int64_t account_id);

  // The UIDs of the mailbox that have a document, ascending.
  result<std::vector<std::uint32_t>> indexed_uids_blocking(std::int64_t account_id, std::int64_t mailbox_id);
  // The candidates that match, or nullopt when words cannot answer the key
  // (no words in it, a word longer than a term, too many words, a prefix
  // that expands too far, a HEADER field that is not indexed by name).
  result<std::optional<std::vector<std::uint32_t>>> match_imap_blocking(imap_words const& q);
  result<hits> search_blocking(search_request const& r);

 private:
  struct account_db;
  std::shared_ptr<account_db> db_of(std::int64_t account_id);
  std::filesystem::path path_of(std::int64_t account_id) const;

  std::filesystem::path root_;
  std::atomic<language> language_{language::english};
  std::mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<account_db>> dbs_;
};

}  // namespace posta::search::engine
