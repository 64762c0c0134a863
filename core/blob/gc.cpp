// Garbage collection of blobs: rows whose refcount fell to 0, files that no
// row names (written before a crash that lost their transaction), files whose
// body now lives in the database; and the online move of small file bodies
// into the database.
#include "core/blob/blob_store.hpp"

#include "core/db/arrays.hpp"
#include "core/net/blocking.hpp"

#include <unistd.h>

#include <set>

namespace posta::blob {
namespace fs = std::filesystem;

namespace {

bool older_than(fs::path const& p, std::chrono::seconds grace) {
  std::error_code ec;
  auto mtime = fs::last_write_time(p, ec);
  return !ec && mtime < fs::file_time_type::clock::now() - grace;
}

// Old files in the store, as (hash, path); temp files past the grace are removed.
std::vector<std::pair<std::string, fs::path>> old_files_blocking(fs::path const& root, std::chrono::seconds grace,
                                                                 int& removed) {
  std::vector<std::pair<std::string, fs::path>> out;
  std::error_code ec;
  for (auto const& dir : fs::directory_iterator(root, ec)) {
    auto name = dir.path().filename().string();
    bool is_tmp = name == "tmp";
    if (!dir.is_directory() || (!is_tmp && name.size() != 2)) continue;
    for (auto const& f : fs::directory_iterator(dir.path(), ec)) {
      if (!older_than(f.path(), grace)) continue;
      if (is_tmp) {
        removed += ::unlink(f.path().c_str()) == 0;
      } else {
        out.emplace_back(name + f.path().filename().string(), f.path());
      }
    }
  }
  return out;
}

int unlink_all_blocking(std::vector<fs::path> const& paths) {
  int removed = 0;
  for (auto const& p : paths) removed += ::unlink(p.c_str()) == 0;
  return removed;
}

// The content of a file blob, checked against its name before it moves.
result<std::string> verified_file_blocking(store const& s, std::string const& hash, std::int64_t size) {
  auto body = POSTA_TRY(s.read_file_blocking(hash));
  if (static_cast<std::int64_t>(body.size()) != size || sha256_hex(body) != hash)
    return make_error(errc::io_error, "blob file " + hash + " does not match its name");
  return body;
}

}  // namespace

asio::awaitable<result<store::gc_report>> store::collect_garbage(db::connection& conn,
                                                                 std::chrono::seconds grace) const {
  gc_report report;
  // Orphan files are adopted as unreferenced rows that are already past the
  // grace period, so the locked deletion below is the only path that unlinks
  // a blob's only copy.
  int temp_removed = 0;
  auto root = root_;
  auto files = co_await net::run_disk([&] { return old_files_blocking(root, grace, temp_removed); });
  std::vector<std::string> hashes;
  for (auto const& f : files) hashes.push_back(f.first);
  if (!hashes.empty()) {
    POSTA_CO_TRY_ASSIGN(auto adopted,
                        co_await conn.q("INSERT INTO blobs(hash, size, refcount, updated_at) "
                                        "SELECT h, 0, 0, now() - make_interval(secs => $2 + 1) FROM unnest($1::text[]) h "
                                        "ON CONFLICT (hash) DO NOTHING",
                                        db::text_array(hashes), grace.count()));
    report.orphan_files_adopted = static_cast<int>(adopted.affected());
    // A file whose row holds the body is a leftover copy (moved inline, or
    // written again as an inline body): nothing reads it any more.
    POSTA_CO_TRY_ASSIGN(auto redundant, co_await conn.q("SELECT hash FROM blobs WHERE hash = ANY($1::text[]) "
                                                        "AND body IS NOT NULL",
                                                        db::text_array(hashes)));
    std::vector<fs::path> leftovers;
    for (int i = 0; i < redundant.size(); ++i) leftovers.push_back(path_of(redundant.text(i, 0)));
    report.redundant_files_deleted = co_await net::run_disk([&] { return unlink_all_blocking(leftovers); });
  }

  // Unreferenced rows: locked, files unlinked, rows deleted, in one transaction.
  // A writer adding a reference meanwhile waits for our row lock, then finds
  // the row gone (an inline body is simply inserted again; a file blob's
  // missing file makes pin() fail, and the delivery is retried).
  POSTA_CO_TRY(co_await conn.execute("BEGIN"));
  auto deleted = co_await conn.q(
      "DELETE FROM blobs WHERE hash IN (SELECT hash FROM blobs WHERE refcount = 0 "
      "AND updated_at < now() - make_interval(secs => $1) ORDER BY updated_at LIMIT 10000 "
      "FOR UPDATE SKIP LOCKED) RETURNING hash, body IS NULL",
      grace.count());
  if (!deleted) {
    co_await conn.execute("ROLLBACK");
    co_return deleted.error();
  }
  std::vector<fs::path> unlink;
  for (int i = 0; i < deleted->size(); ++i)
    if (deleted->boolean(i, 1)) unlink.push_back(path_of(deleted->text(i, 0)));
  co_await net::run_disk([&] { return unlink_all_blocking(unlink); });
  POSTA_CO_TRY(co_await conn.execute("COMMIT"));
  report.blobs_deleted = deleted->size();
  report.temp_files_deleted = temp_removed;
  co_return report;
}

asio::awaitable<result<int>> store::move_small_files_inline(db::connection& conn, int limit) const {
  POSTA_CO_TRY_ASSIGN(auto small, co_await conn.q("SELECT hash, size FROM blobs WHERE body IS NULL AND size <= $1 "
                                                  "AND refcount > 0 ORDER BY hash LIMIT $2",
                                                  inline_max_bytes(), limit));
  int moved = 0;
  std::vector<fs::path> done;
  for (int i = 0; i < small.size(); ++i) {
    auto hash = small.str(i, 0);
    auto size = small.i64(i, 1);
    auto body = co_await net::run_disk([&] { return verified_file_blocking(*this, hash, size); });
    if (!body) continue;  // missing or damaged: left to readers and GC, which report it
    // Committed (autocommit) before the file is unlinked: a reader always
    // finds the body in one place or the other.
    db::bytes content{std::move(*body)};
    POSTA_CO_TRY_ASSIGN(auto updated, co_await conn.q("UPDATE blobs SET body = $2::bytea "
                                                      "WHERE hash = $1 AND body IS NULL",
                                                      hash, std::move(content)));
    if (updated.affected() == 0) continue;
    done.push_back(path_of(hash));
    ++moved;
  }
  co_await net::run_disk([&] { return unlink_all_blocking(done); });
  co_return moved;
}

}  // namespace posta::blob
