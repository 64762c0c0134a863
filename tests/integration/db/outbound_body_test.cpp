// The SMTP client's message source over the blob store: a body kept in
// PostgreSQL and one kept as a file both read back in ranges, whole.
#include "db_fixture.hpp"

#include "core/blob/blob_store.hpp"
#include "mail/smtp/client/body_source.hpp"

namespace posta::itest {
namespace {

class outbound_body : public db_test {
 protected:
  void SetUp() override {
    db_test::SetUp();
    store_ = std::make_unique<blob::store>(scratch_dir() / ("outbound-blobs-" + db_name_));
    ASSERT_TRUE(is_ok(store_->open_blocking()));
    store_->set_inline_max_bytes(4096);
  }

  blob::blob_ref stored(std::string const& bytes) {
    auto ref = store_->put_blocking(bytes);
    EXPECT_TRUE(is_ok(ref));
    std::vector<blob::blob_use> uses{{*ref, 1}};
    EXPECT_TRUE(is_ok(run(pool_->transaction([&](db::connection& c) { return store_->pin(c, uses); }))));
    return *ref;
  }

  // The whole body through the source, `piece` octets at a time.
  std::string read_all(mail::smtp::client::body_source& src, std::int64_t piece) {
    std::string out;
    while (static_cast<std::int64_t>(out.size()) < src.size()) {
      auto part = run(src.read(static_cast<std::int64_t>(out.size()), piece));
      EXPECT_TRUE(is_ok(part));
      if (!part || part->empty()) break;
      out += *part;
    }
    return out;
  }

  std::unique_ptr<blob::store> store_;
};

std::string pattern(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; s.size() < n; ++i) s += "line " + std::to_string(i) + "\r\n";
  s.resize(n);
  return s;
}

TEST_F(outbound_body, InlineAndFileBodiesReadInRanges) {
  auto small = pattern(3000);
  auto large = pattern(300'000);
  auto small_ref = stored(small);
  auto large_ref = stored(large);
  EXPECT_TRUE(small_ref.is_inline());
  EXPECT_FALSE(large_ref.is_inline());
  auto small_src = mail::smtp::client::stored_body(*store_, *pool_, small_ref.hash, small_ref.size);
  auto large_src = mail::smtp::client::stored_body(*store_, *pool_, large_ref.hash, large_ref.size);
  EXPECT_EQ(read_all(*small_src, 1000), small);
  EXPECT_EQ(read_all(*large_src, 65536), large);
  auto tail = run(large_src->read(large_src->size() - 10, 100));  // past the end: the rest only
  ASSERT_TRUE(is_ok(tail));
  EXPECT_EQ(*tail, large.substr(large.size() - 10));
}

}  // namespace
}  // namespace posta::itest
