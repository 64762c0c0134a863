// core/blob against a real PostgreSQL and disk: content addressing, one copy
// per content, bodies in the database up to the inline limit and in files
// past it, pinning, reading ranges wherever a body lives, reference counts,
// garbage collection of unreferenced blobs, orphan, redundant and abandoned
// temp files, and the online move of small files into the database.
#include "db_fixture.hpp"

#include "core/blob/blob_store.hpp"

#include <fstream>

namespace posta::itest {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr char const* hello_sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

class blobs : public db_test {
 protected:
  void SetUp() override {
    db_test::SetUp();
    store_ = std::make_unique<blob::store>(scratch_dir() / ("blobs-" + db_name_));
    ASSERT_TRUE(is_ok(store_->open_blocking()));
    store_->set_inline_max_bytes(0);  // the file store, unless a test says otherwise
  }

  // Files in the store outside tmp/, as "ab/cdef…" paths.
  std::vector<std::string> stored_files() const {
    std::vector<std::string> out;
    for (auto const& e : fs::recursive_directory_iterator(store_->root()))
      if (e.is_regular_file() && e.path().parent_path().filename() != "tmp")
        out.push_back(fs::relative(e.path(), store_->root()).string());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::size_t temp_files() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(store_->root() / "tmp"), {}));
  }

  result<blob::store::gc_report> gc(std::chrono::seconds grace) {
    return run([&]() -> asio::awaitable<result<blob::store::gc_report>> {
      POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_->acquire());
      co_return co_await store_->collect_garbage(*conn, grace);
    }());
  }

  result<void> pin(blob::blob_ref const& ref, std::int64_t references = 0) {
    std::vector<blob::blob_use> uses{{ref, references}};
    return run(pool_->transaction([&](db::connection& c) { return store_->pin(c, uses); }));
  }

  result<std::string> read(std::string const& hash, std::int64_t offset = 0, std::int64_t length = -1) {
    return run([&]() -> asio::awaitable<result<std::string>> {
      POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_->acquire());
      co_return co_await store_->read(*conn, hash, offset, length);
    }());
  }

  result<int> move_inline() {
    return run([&]() -> asio::awaitable<result<int>> {
      POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_->acquire());
      co_return co_await store_->move_small_files_inline(*conn);
    }());
  }

  bool has_inline_body(std::string const& hash) {
    return sql("SELECT body IS NOT NULL FROM blobs WHERE hash = $1", db::make_params(hash)).boolean(0, 0);
  }

  static void age(fs::path const& p, std::chrono::hours by) {
    fs::last_write_time(p, fs::file_time_type::clock::now() - by);
  }

  std::unique_ptr<blob::store> store_;
};

TEST_F(blobs, PutStoresUnderTheSha256AndReadsBack) {
  auto ref = store_->put_blocking("hello");
  ASSERT_TRUE(is_ok(ref));
  EXPECT_EQ(ref->hash, hello_sha256);
  EXPECT_EQ(ref->size, 5);
  EXPECT_EQ(store_->path_of(ref->hash), store_->root() / "2c" / std::string(hello_sha256).substr(2));
  EXPECT_TRUE(fs::exists(store_->path_of(ref->hash)));
  auto back = store_->read_file_blocking(ref->hash);
  ASSERT_TRUE(is_ok(back));
  EXPECT_EQ(*back, "hello");
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(blobs, SameContentIsStoredOnce) {
  std::string body(200000, 'm');
  auto a = store_->put_blocking(body);
  auto b = store_->put_blocking(body);
  auto c = store_->put_blocking(body + "!");
  ASSERT_TRUE(is_ok(a));
  ASSERT_TRUE(is_ok(b));
  ASSERT_TRUE(is_ok(c));
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_NE(a->hash, c->hash);
  EXPECT_EQ(stored_files().size(), 2u);
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(blobs, StreamingWriterMatchesPut) {
  auto w = store_->begin();
  std::string whole;
  for (int i = 0; i < 100; ++i) {
    std::string chunk = "line " + std::to_string(i) + "\r\n";
    whole += chunk;
    ASSERT_TRUE(is_ok(w.append(chunk)));
  }
  EXPECT_EQ(w.size(), static_cast<std::int64_t>(whole.size()));
  EXPECT_EQ(temp_files(), 1u);
  auto ref = w.finish_blocking();
  ASSERT_TRUE(is_ok(ref));
  EXPECT_EQ(temp_files(), 0u);
  auto again = store_->put_blocking(whole);
  ASSERT_TRUE(is_ok(again));
  EXPECT_EQ(ref->hash, again->hash);
  EXPECT_EQ(*store_->read_file_blocking(ref->hash), whole);
}

TEST_F(blobs, AbandonedWriterLeavesNoTempFile) {
  {
    auto w = store_->begin();
    ASSERT_TRUE(is_ok(w.append("half a message")));
    EXPECT_EQ(temp_files(), 1u);
  }
  EXPECT_EQ(temp_files(), 0u);
  EXPECT_TRUE(stored_files().empty());
}

TEST_F(blobs, ReadRefusesUnknownAndMalformedHashes) {
  EXPECT_TRUE(fails_with(store_->read_file_blocking(std::string(64, 'a')), errc::not_found));
  EXPECT_TRUE(fails_with(store_->read_file_blocking("../../../../etc/passwd"), errc::invalid_argument));
  EXPECT_TRUE(fails_with(store_->read_file_blocking(std::string(64, 'A')), errc::invalid_argument));
  EXPECT_TRUE(fails_with(store_->read_file_blocking(""), errc::invalid_argument));
}

TEST_F(blobs, PinCreatesOneUnreferencedRow) {
  auto ref = store_->put_blocking("pinned");
  ASSERT_TRUE(is_ok(ref));
  ASSERT_TRUE(is_ok(pin(*ref)));
  ASSERT_TRUE(is_ok(pin(*ref)));
  auto rows = sql("SELECT size, refcount FROM blobs WHERE hash = $1", db::make_params(ref->hash));
  ASSERT_EQ(rows.size(), 1);
  EXPECT_EQ(rows.i64(0, 0), 6);
  EXPECT_EQ(rows.i64(0, 1), 0);
}

TEST_F(blobs, PinAddsTheReferencesItIsGiven) {
  store_->set_inline_max_bytes(1024);
  auto ref = store_->put_blocking("shared by three, then one more");
  ASSERT_TRUE(is_ok(ref));
  std::vector<blob::blob_use> uses{{*ref, 2}, {*ref, 1}};  // one hash twice in one statement
  ASSERT_TRUE(is_ok(run(pool_->transaction([&](db::connection& c) { return store_->pin(c, uses); }))));
  auto refcount = [&] { return sql("SELECT refcount FROM blobs WHERE hash = $1", db::make_params(ref->hash)).i64(0, 0); };
  EXPECT_EQ(refcount(), 3);
  ASSERT_TRUE(is_ok(pin(*ref, 1)));
  EXPECT_EQ(refcount(), 4);
  EXPECT_EQ(*read(ref->hash), "shared by three, then one more");
}

TEST_F(blobs, PinOfAMissingFileFailsAndRollsBack) {
  blob::blob_ref ghost{std::string(64, 'e'), 10};
  EXPECT_TRUE(fails_with(pin(ghost), errc::unavailable));
  EXPECT_TRUE(sql("SELECT 1 FROM blobs WHERE hash = $1", db::make_params(ghost.hash)).empty());
}

TEST_F(blobs, ReferencesAreCountedByTheSchemaTriggers) {
  if (!sql("SELECT to_regproc('blob_ref') IS NOT NULL").boolean(0, 0))
    GTEST_SKIP() << "no blob_ref() trigger function in this schema";
  sql("CREATE TABLE refs(id serial PRIMARY KEY, blob_hash text NOT NULL REFERENCES blobs(hash))");
  sql("CREATE TRIGGER refs_blob_ref AFTER INSERT OR DELETE ON refs FOR EACH ROW EXECUTE FUNCTION blob_ref()");
  auto ref = store_->put_blocking("counted");
  ASSERT_TRUE(is_ok(ref));
  ASSERT_TRUE(is_ok(pin(*ref)));
  auto count = [&] { return sql("SELECT refcount FROM blobs WHERE hash = $1", db::make_params(ref->hash)).i64(0, 0); };
  sql("INSERT INTO refs(blob_hash) VALUES ($1), ($1)", db::make_params(ref->hash));
  EXPECT_EQ(count(), 2);
  sql("DELETE FROM refs WHERE id = (SELECT min(id) FROM refs)");
  EXPECT_EQ(count(), 1);
  sql("DELETE FROM refs");
  EXPECT_EQ(count(), 0);
}

TEST_F(blobs, GarbageCollectionKeepsWhatIsReferencedOrYoung) {
  auto referenced = store_->put_blocking("referenced");
  auto unreferenced_old = store_->put_blocking("unreferenced old");
  auto unreferenced_young = store_->put_blocking("unreferenced young");
  auto orphan_old = store_->put_blocking("orphan old");
  auto orphan_young = store_->put_blocking("orphan young");
  for (auto* r : {&referenced, &unreferenced_old, &unreferenced_young, &orphan_old, &orphan_young})
    ASSERT_TRUE(is_ok(*r));
  for (auto* r : {&referenced, &unreferenced_old, &unreferenced_young}) ASSERT_TRUE(is_ok(pin(**r)));
  sql("UPDATE blobs SET refcount = 1 WHERE hash = $1", db::make_params(referenced->hash));
  sql("UPDATE blobs SET updated_at = now() - interval '2 hours' WHERE hash IN ($1, $2)",
      db::make_params(referenced->hash, unreferenced_old->hash));
  for (auto* r : {&referenced, &unreferenced_old, &orphan_old}) age(store_->path_of((*r)->hash), 2h);
  fs::path temp_old = store_->root() / "tmp" / "abandoned-old";
  fs::path temp_young = store_->root() / "tmp" / "in-progress";
  std::ofstream(temp_old) << "x";
  std::ofstream(temp_young) << "y";
  age(temp_old, 2h);

  auto report = gc(3600s);
  ASSERT_TRUE(is_ok(report));
  EXPECT_EQ(report->blobs_deleted, 2);  // the old unreferenced row and the adopted old orphan
  EXPECT_EQ(report->orphan_files_adopted, 1);
  EXPECT_EQ(report->temp_files_deleted, 1);

  auto exists = [&](blob::blob_ref const& r) { return fs::exists(store_->path_of(r.hash)); };
  EXPECT_TRUE(exists(*referenced));
  EXPECT_FALSE(exists(*unreferenced_old));
  EXPECT_TRUE(exists(*unreferenced_young));
  EXPECT_FALSE(exists(*orphan_old));
  EXPECT_TRUE(exists(*orphan_young));
  EXPECT_FALSE(fs::exists(temp_old));
  EXPECT_TRUE(fs::exists(temp_young));
  auto rows = sql("SELECT hash FROM blobs ORDER BY hash");
  std::vector<std::string> hashes;
  for (int i = 0; i < rows.size(); ++i) hashes.push_back(rows.str(i, 0));
  std::vector<std::string> expected{referenced->hash, unreferenced_young->hash};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(hashes, expected);

  // A second pass finds nothing more to do.
  auto second = gc(3600s);
  ASSERT_TRUE(is_ok(second));
  EXPECT_EQ(second->blobs_deleted, 0);
  EXPECT_EQ(second->orphan_files_adopted, 0);
  EXPECT_EQ(second->temp_files_deleted, 0);
  EXPECT_EQ(*store_->read_file_blocking(referenced->hash), "referenced");
}

TEST_F(blobs, ContentWrittenAgainAfterCollectionIsStoredAgain) {
  auto ref = store_->put_blocking("comes back");
  ASSERT_TRUE(is_ok(ref));
  ASSERT_TRUE(is_ok(pin(*ref)));
  sql("UPDATE blobs SET updated_at = now() - interval '2 hours'");
  auto report = gc(3600s);
  ASSERT_TRUE(is_ok(report));
  EXPECT_EQ(report->blobs_deleted, 1);
  EXPECT_FALSE(fs::exists(store_->path_of(ref->hash)));
  auto again = store_->put_blocking("comes back");
  ASSERT_TRUE(is_ok(again));
  ASSERT_TRUE(is_ok(pin(*again)));
  EXPECT_EQ(*store_->read_file_blocking(again->hash), "comes back");
}

TEST_F(blobs, OpenCreatesEveryFanOutFolder) {
  int folders = 0;
  for (auto const& e : fs::directory_iterator(store_->root())) folders += e.is_directory() && e.path().filename() != "tmp";
  EXPECT_EQ(folders, 256);
}

TEST_F(blobs, ReadFindsFileBodiesAndRanges) {
  auto ref = store_->put_blocking("0123456789");
  ASSERT_TRUE(is_ok(ref));
  ASSERT_FALSE(ref->is_inline());
  ASSERT_TRUE(is_ok(pin(*ref)));
  EXPECT_EQ(*read(ref->hash), "0123456789");
  EXPECT_EQ(*read(ref->hash, 3, 4), "3456");
  EXPECT_EQ(*read(ref->hash, 8), "89");
  EXPECT_EQ(*read(ref->hash, 20, 5), "");
  EXPECT_TRUE(fails_with(read(std::string(64, 'b')), errc::not_found));
}

// Bodies up to the inline limit: no file at all, the bytes in the row.
TEST_F(blobs, SmallBodiesLiveInTheDatabase) {
  store_->set_inline_max_bytes(64);
  std::string binary("a\0b\r\n\xff\x80 end", 11);
  auto ref = store_->put_blocking(binary);
  ASSERT_TRUE(is_ok(ref));
  EXPECT_TRUE(ref->is_inline());
  EXPECT_TRUE(stored_files().empty());
  EXPECT_EQ(temp_files(), 0u);
  ASSERT_TRUE(is_ok(pin(*ref)));
  EXPECT_TRUE(has_inline_body(ref->hash));
  EXPECT_EQ(*read(ref->hash), binary);
  EXPECT_EQ(*read(ref->hash, 2, 3), binary.substr(2, 3));
  EXPECT_EQ(*read(ref->hash, 10), binary.substr(10));
}

TEST_F(blobs, AWriterSpillsToAFileAtTheLimit) {
  store_->set_inline_max_bytes(10);
  auto w = store_->begin();
  ASSERT_TRUE(is_ok(w.append("0123456789")));
  EXPECT_TRUE(w.is_inline());
  EXPECT_EQ(temp_files(), 0u);
  ASSERT_TRUE(is_ok(w.append("!")));
  EXPECT_FALSE(w.is_inline());
  EXPECT_EQ(temp_files(), 1u);
  auto ref = w.finish_blocking();
  ASSERT_TRUE(is_ok(ref));
  EXPECT_FALSE(ref->is_inline());
  EXPECT_EQ(*store_->read_file_blocking(ref->hash), "0123456789!");
  ASSERT_TRUE(is_ok(pin(*ref)));
  EXPECT_FALSE(has_inline_body(ref->hash));
  EXPECT_EQ(*read(ref->hash), "0123456789!");
}

TEST_F(blobs, CollectedInlineBodiesAreGoneAndComeBack) {
  store_->set_inline_max_bytes(1024);
  auto ref = store_->put_blocking("inline, then collected");
  ASSERT_TRUE(is_ok(ref));
  ASSERT_TRUE(is_ok(pin(*ref)));
  sql("UPDATE blobs SET updated_at = now() - interval '2 hours'");
  auto report = gc(3600s);
  ASSERT_TRUE(is_ok(report));
  EXPECT_EQ(report->blobs_deleted, 1);
  EXPECT_TRUE(fails_with(read(ref->hash), errc::not_found));
  ASSERT_TRUE(is_ok(pin(*ref)));
  EXPECT_EQ(*read(ref->hash), "inline, then collected");
}

// Files written before bodies lived in the database move in online; readers
// find them before and after, GC removes nothing that is still needed.
TEST_F(blobs, SmallFilesMoveIntoTheDatabase) {
  auto small = store_->put_blocking("a small old body");
  auto large = store_->put_blocking(std::string(5000, 'L'));
  ASSERT_TRUE(is_ok(small));
  ASSERT_TRUE(is_ok(large));
  ASSERT_TRUE(is_ok(pin(*small)));
  ASSERT_TRUE(is_ok(pin(*large)));
  sql("UPDATE blobs SET refcount = 1");
  store_->set_inline_max_bytes(1024);
  auto moved = move_inline();
  ASSERT_TRUE(is_ok(moved));
  EXPECT_EQ(*moved, 1);
  EXPECT_TRUE(has_inline_body(small->hash));
  EXPECT_FALSE(has_inline_body(large->hash));
  EXPECT_FALSE(fs::exists(store_->path_of(small->hash)));
  EXPECT_TRUE(fs::exists(store_->path_of(large->hash)));
  EXPECT_EQ(*read(small->hash), "a small old body");
  EXPECT_EQ(*read(large->hash, 4990), std::string(10, 'L'));
  EXPECT_EQ(*move_inline(), 0);
}

TEST_F(blobs, ADamagedFileIsNotMovedIn) {
  auto ref = store_->put_blocking("will be damaged");
  ASSERT_TRUE(is_ok(ref));
  ASSERT_TRUE(is_ok(pin(*ref)));
  sql("UPDATE blobs SET refcount = 1");
  std::ofstream(store_->path_of(ref->hash), std::ios::trunc) << "will be DAMAGED";
  store_->set_inline_max_bytes(1024);
  EXPECT_EQ(*move_inline(), 0);
  EXPECT_FALSE(has_inline_body(ref->hash));
}

// The same content delivered as a file and later as an inline body: the row
// takes the body, and GC removes the then redundant file.
TEST_F(blobs, AFileMadeRedundantByAnInlineCopyIsCollected) {
  auto as_file = store_->put_blocking("twice");
  ASSERT_TRUE(is_ok(as_file));
  ASSERT_TRUE(is_ok(pin(*as_file)));
  sql("UPDATE blobs SET refcount = 1");
  store_->set_inline_max_bytes(1024);
  auto as_inline = store_->put_blocking("twice");
  ASSERT_TRUE(is_ok(as_inline));
  ASSERT_TRUE(as_inline->is_inline());
  ASSERT_TRUE(is_ok(pin(*as_inline)));
  EXPECT_TRUE(has_inline_body(as_file->hash));
  age(store_->path_of(as_file->hash), 2h);
  auto report = gc(3600s);
  ASSERT_TRUE(is_ok(report));
  EXPECT_EQ(report->redundant_files_deleted, 1);
  EXPECT_EQ(report->blobs_deleted, 0);
  EXPECT_FALSE(fs::exists(store_->path_of(as_file->hash)));
  EXPECT_EQ(*read(as_file->hash), "twice");
}

}  // namespace
}  // namespace posta::itest
