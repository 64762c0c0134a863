// The POP3 maildrop over the mailbox tables (schema 002): INBOX listed in
// one statement (one snapshot), messages read through blob::store in ranges,
// the QUIT expunge in one transaction with HIGHESTMODSEQ bumped and NOTIFY
// posta_mailbox, as delivery does (mail/delivery/batch_commit.cpp).
// TODO(mailstore): once mail/store is on main, implement these through
// mail::store::mailbox_store (find/fetch/read/expunge_uids), which also
// records the expunged UIDs for QRESYNC.
#include "mail/pop3/server/maildrop_store.hpp"

#include "core/blob/blob_store.hpp"
#include "core/db/arrays.hpp"
#include "core/db/pool.hpp"

#include <algorithm>

namespace posta::mail::pop3::server {
namespace {

class pg_maildrop_store final : public maildrop_store {
 public:
  pg_maildrop_store(db::pool& pool, blob::store const& blobs) : pool_(pool), blobs_(blobs) {}

  asio::awaitable<result<inbox_snapshot>> open(std::string address) override {
    // One statement: the mailbox and its messages from the same snapshot.
    POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT b.account_id, b.id, b.uidvalidity, m.uid, m.size "
                                                    "FROM accounts a JOIN mailboxes b ON b.account_id = a.id "
                                                    "AND b.name = 'INBOX' LEFT JOIN messages m ON m.mailbox_id = b.id "
                                                    "WHERE a.address = $1 ORDER BY m.uid",
                                                    address));
    if (rows.empty()) co_return make_error(errc::not_found, "no INBOX for " + address);
    inbox_snapshot out;
    out.account_id = rows.i64(0, 0);
    out.mailbox_id = rows.i64(0, 1);
    out.uidvalidity = rows.i64(0, 2);
    out.messages.reserve(static_cast<std::size_t>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
      if (rows.is_null(i, 3)) continue;  // an empty INBOX
      out.messages.push_back({static_cast<std::uint32_t>(rows.i64(i, 3)), rows.i64(i, 4)});
    }
    co_return out;
  }

  asio::awaitable<result<std::optional<message_location>>> locate(inbox_snapshot const& box,
                                                                  std::uint32_t uid) override {
    POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT header_prefix, blob_hash, size FROM messages "
                                                    "WHERE mailbox_id = $1 AND uid = $2",
                                                    box.mailbox_id, static_cast<std::int64_t>(uid)));
    if (rows.empty()) co_return std::optional<message_location>{};
    co_return std::optional<message_location>(message_location{rows.str(0, 0), rows.str(0, 1), rows.i64(0, 2)});
  }

  asio::awaitable<result<std::string>> read(message_location const& message, std::int64_t offset,
                                            std::int64_t length) override {
    auto const prefix_size = static_cast<std::int64_t>(message.header_prefix.size());
    std::string out;
    if (offset < prefix_size) {
      auto n = std::min(length, prefix_size - offset);
      out = message.header_prefix.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(n));
      offset += n;
      length -= n;
    }
    if (length <= 0) co_return out;
    POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_.acquire());
    POSTA_CO_TRY_ASSIGN(auto bytes, co_await blobs_.read(*conn, message.blob_hash, offset - prefix_size, length));
    out += bytes;
    co_return out;
  }

  asio::awaitable<result<std::size_t>> expunge(inbox_snapshot const& box, std::vector<std::uint32_t> uids) override {
    std::string const wanted = db::int_array(std::vector<std::int64_t>(uids.begin(), uids.end()));
    std::string const channel_payload = std::to_string(box.mailbox_id);
    auto const mailbox = box.mailbox_id;
    auto body = [&](db::connection& c) -> asio::awaitable<result<std::size_t>> {
      // Message rows (and through their trigger the blob rows) before the
      // mailbox row, the order delivery locks them in.
      POSTA_CO_TRY_ASSIGN(auto gone, co_await c.q("DELETE FROM messages WHERE mailbox_id = $1 "
                                                  "AND uid = ANY($2::bigint[]) RETURNING uid",
                                                  mailbox, wanted));
      if (gone.empty()) co_return std::size_t{0};
      POSTA_CO_TRY(co_await c.q("UPDATE mailboxes SET highestmodseq = highestmodseq + 1 WHERE id = $1", mailbox));
      // Wakes IMAP sessions on every node (payload: mailbox id).
      POSTA_CO_TRY(co_await c.q("SELECT pg_notify('posta_mailbox', $1)", channel_payload));
      co_return static_cast<std::size_t>(gone.size());
    };
    auto out = co_await pool_.transaction(body);
    co_return out;
  }

 private:
  db::pool& pool_;
  blob::store const& blobs_;
};

}  // namespace

std::unique_ptr<maildrop_store> make_maildrop_store(db::pool& pool, blob::store const& blobs) {
  return std::make_unique<pg_maildrop_store>(pool, blobs);
}

}  // namespace posta::mail::pop3::server
