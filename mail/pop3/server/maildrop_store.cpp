// The POP3 maildrop over the mailbox store (mail/store): INBOX listed from
// one snapshot (UIDs and sizes only, oldest first, bounded), messages read
// in ranges through mailbox_store::read, and the QUIT expunge through
// mailbox_store::expunge_uids, which records the UIDs with their MODSEQ for
// QRESYNC, bumps HIGHESTMODSEQ and sends NOTIFY posta_mailbox in its
// transaction, so IMAP sessions see it at once.
#include "mail/pop3/server/maildrop_store.hpp"

#include "mail/store/mailbox_store.hpp"

namespace posta::mail::pop3::server {
namespace {

class mailstore_maildrop final : public maildrop_store {
 public:
  explicit mailstore_maildrop(mail::store::mailbox_store& mailboxes) : mailboxes_(mailboxes) {}

  asio::awaitable<result<inbox_snapshot>> open(std::int64_t account_id, std::size_t max_messages) override {
    inbox_snapshot out;
    out.account_id = account_id;
    POSTA_CO_TRY_ASSIGN(auto inbox, co_await mailboxes_.find(out.account_id, "INBOX"));
    out.mailbox_id = inbox.id;
    out.uidvalidity = inbox.uidvalidity;
    // One statement: every listed message from the same snapshot.
    auto const where = ref(out);
    POSTA_CO_TRY_ASSIGN(auto listed, co_await mailboxes_.sizes(where, max_messages));
    out.total = listed.total;
    out.messages.reserve(listed.messages.size());
    for (auto const& m : listed.messages) out.messages.push_back({m.uid, m.size});
    co_return out;
  }

  asio::awaitable<result<std::optional<message_location>>> locate(inbox_snapshot const& box,
                                                                  std::uint32_t uid) override {
    mail::store::uid_set one;
    one.push_back({uid, uid});
    auto const where = ref(box);
    POSTA_CO_TRY_ASSIGN(auto metas, co_await mailboxes_.fetch(where, std::move(one), false));
    if (metas.empty()) co_return std::optional<message_location>{};
    auto& m = metas.front();
    co_return std::optional<message_location>(message_location{std::move(m.header_prefix), std::move(m.blob_hash), m.size});
  }

  asio::awaitable<result<std::string>> read(message_location const& message, std::int64_t offset,
                                            std::int64_t length) override {
    mail::store::message_meta meta;
    meta.size = message.size;
    meta.header_prefix = message.header_prefix;
    meta.blob_hash = message.blob_hash;
    auto bytes = co_await mailboxes_.read(meta, offset, length);
    co_return bytes;
  }

  asio::awaitable<result<std::size_t>> expunge(inbox_snapshot const& box, std::vector<std::uint32_t> uids) override {
    mail::store::uid_set set;
    set.reserve(uids.size());
    for (auto uid : uids) set.push_back({uid, uid});
    auto const where = ref(box);
    POSTA_CO_TRY_ASSIGN(auto gone, co_await mailboxes_.expunge_uids(where, std::move(set)));
    co_return gone.uids.size();
  }

 private:
  static mail::store::mailbox_ref ref(inbox_snapshot const& box) { return {box.account_id, box.mailbox_id}; }

  mail::store::mailbox_store& mailboxes_;
};

}  // namespace

std::unique_ptr<maildrop_store> make_maildrop_store(mail::store::mailbox_store& mailboxes) {
  return std::make_unique<mailstore_maildrop>(mailboxes);
}

}  // namespace posta::mail::pop3::server
