// Garbage collection of blobs: rows whose refcount fell to 0, and files that no
// row names (written before a crash that lost their transaction).
#include "core/blob/blob_store.hpp"

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

}  // namespace

asio::awaitable<result<store::gc_report>> store::collect_garbage(db::connection& conn,
                                                                 std::chrono::seconds grace) const {
  gc_report report;
  // Orphan files are adopted as unreferenced rows that are already past the
  // grace period, so the locked deletion below is the only path that unlinks.
  int temp_removed = 0;
  auto root = root_;
  auto files = co_await net::run_blocking([&] { return old_files_blocking(root, grace, temp_removed); });
  for (auto const& [hash, path] : files) {
    POSTA_CO_TRY_ASSIGN(auto adopted,
                        co_await conn.q("INSERT INTO blobs(hash, size, refcount, updated_at) "
                                        "VALUES ($1, 0, 0, now() - make_interval(secs => $2 + 1)) "
                                        "ON CONFLICT (hash) DO NOTHING",
                                        hash, grace.count()));
    report.orphan_files_adopted += static_cast<int>(adopted.affected());
  }

  // Unreferenced rows: locked, files unlinked, rows deleted, in one transaction.
  // A writer adding a reference meanwhile waits for our row lock, then finds
  // the file gone and retries (see add_reference).
  POSTA_CO_TRY(co_await conn.execute("BEGIN"));
  auto deleted = co_await conn.q(
      "DELETE FROM blobs WHERE hash IN (SELECT hash FROM blobs WHERE refcount = 0 "
      "AND updated_at < now() - make_interval(secs => $1) ORDER BY updated_at LIMIT 10000 "
      "FOR UPDATE SKIP LOCKED) RETURNING hash",
      grace.count());
  if (!deleted) {
    co_await conn.execute("ROLLBACK");
    co_return deleted.error();
  }
  for (int i = 0; i < deleted->size(); ++i) ::unlink(path_of(deleted->text(i, 0)).c_str());
  POSTA_CO_TRY(co_await conn.execute("COMMIT"));
  report.blobs_deleted = deleted->size();
  report.temp_files_deleted = temp_removed;
  co_return report;
}

}  // namespace posta::blob
