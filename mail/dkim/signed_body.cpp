// The message as sent once signed: the DKIM-Signature field, then the stored
// message read again from its start (RFC 6376 5.6: the field goes first).
#include "mail/dkim/signer.hpp"

#include <algorithm>

namespace posta::mail::dkim {
namespace {

class with_prefix final : public smtp::client::body_source {
 public:
  with_prefix(std::string prefix, std::unique_ptr<body_source> message)
      : prefix_(std::move(prefix)), message_(std::move(message)) {}

  std::int64_t size() const override { return prefix_size() + message_->size(); }

  asio::awaitable<result<std::string>> read(std::int64_t offset, std::int64_t length) override {
    std::string out;
    if (offset < prefix_size()) {
      out = prefix_.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(std::max<std::int64_t>(length, 0)));
      offset += static_cast<std::int64_t>(out.size());
      length -= static_cast<std::int64_t>(out.size());
    }
    if (length <= 0 || offset >= size()) co_return out;
    auto const from = offset - prefix_size();
    POSTA_CO_TRY_ASSIGN(auto rest, co_await message_->read(from, length));
    out += rest;
    co_return out;
  }

 private:
  std::int64_t prefix_size() const { return static_cast<std::int64_t>(prefix_.size()); }

  std::string prefix_;
  std::unique_ptr<body_source> message_;
};

}  // namespace

std::unique_ptr<smtp::client::body_source> with_field(std::string field,
                                                      std::unique_ptr<smtp::client::body_source> message) {
  return std::make_unique<with_prefix>(std::move(field), std::move(message));
}

}  // namespace posta::mail::dkim
