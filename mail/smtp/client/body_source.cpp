// The body sources of the SMTP client.
#include "mail/smtp/client/body_source.hpp"

#include "core/blob/blob_store.hpp"
#include "core/db/pool.hpp"

#include <algorithm>

namespace posta::mail::smtp::client {
namespace {

class stored final : public body_source {
 public:
  stored(blob::store const& store, db::pool& pool, std::string hash, std::int64_t size)
      : store_(store), pool_(pool), hash_(std::move(hash)), size_(size) {}
  std::int64_t size() const override { return size_; }
  asio::awaitable<result<std::string>> read(std::int64_t offset, std::int64_t length) override {
    POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_.acquire());
    co_return co_await store_.read(*conn, hash_, offset, length);
  }

 private:
  blob::store const& store_;
  db::pool& pool_;
  std::string hash_;
  std::int64_t size_;
};

class in_memory final : public body_source {
 public:
  explicit in_memory(std::string bytes) : bytes_(std::move(bytes)) {}
  std::int64_t size() const override { return static_cast<std::int64_t>(bytes_.size()); }
  asio::awaitable<result<std::string>> read(std::int64_t offset, std::int64_t length) override {
    auto from = static_cast<std::size_t>(std::clamp<std::int64_t>(offset, 0, size()));
    co_return bytes_.substr(from, static_cast<std::size_t>(std::max<std::int64_t>(length, 0)));
  }

 private:
  std::string bytes_;
};

}  // namespace

std::unique_ptr<body_source> stored_body(blob::store const& store, db::pool& pool, std::string hash, std::int64_t size) {
  return std::make_unique<stored>(store, pool, std::move(hash), size);
}

std::unique_ptr<body_source> memory_body(std::string bytes) { return std::make_unique<in_memory>(std::move(bytes)); }

}  // namespace posta::mail::smtp::client
