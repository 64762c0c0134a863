// The mailbox operations POP3 needs, and nothing else: the INBOX snapshot at
// login (taken under the maildrop lock, mail/pop3/store/maildrop_locks.hpp),
// a message's bytes in ranges, and the expunge at QUIT. A small interface, so
// that the session does not depend on how the mailbox store is built
// (maildrop_store.cpp is the one file that knows).
#pragma once

#include "core/util/async.hpp"
#include "core/util/result.hpp"
#include "mail/pop3/proto/maildrop.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace posta::mail::store { class mailbox_store; }

namespace posta::mail::pop3::server {

// The account's INBOX at one moment (one consistent database snapshot).
struct inbox_snapshot {
  std::int64_t account_id = 0;
  std::int64_t mailbox_id = 0;
  std::int64_t uidvalidity = 0;
  std::vector<proto::maildrop_entry> messages;  // ascending UID: the oldest ones, up to the bound
  std::int64_t total = 0;                       // messages in INBOX, those past the bound included
};

// Where one message's bytes are: header_prefix, then the blob.
struct message_location {
  std::string header_prefix;
  std::string blob_hash;
  std::int64_t size = 0;  // header_prefix + blob: RFC822.SIZE
};

class maildrop_store {
 public:
  virtual ~maildrop_store() = default;

  // INBOX of the account: its `max_messages` oldest messages, each with its
  // UID and size only (16 bytes a message in the session's maildrop).
  virtual asio::awaitable<result<inbox_snapshot>> open(std::int64_t account_id, std::size_t max_messages) = 0;
  // nullopt when the message is no longer there (expunged by another session).
  virtual asio::awaitable<result<std::optional<message_location>>> locate(inbox_snapshot const& box,
                                                                          std::uint32_t uid) = 0;
  // `length` bytes from `offset` of the message as served (prefix, then
  // blob); only that range is read from the blob.
  virtual asio::awaitable<result<std::string>> read(message_location const& message, std::int64_t offset,
                                                    std::int64_t length) = 0;
  // Removes these messages in one transaction, recorded as an IMAP expunge
  // (UIDs with their MODSEQ for QRESYNC) and announced with NOTIFY posta_mailbox. DURABILITY: committed when it
  // returns success; on error nothing was removed.
  virtual asio::awaitable<result<std::size_t>> expunge(inbox_snapshot const& box, std::vector<std::uint32_t> uids) = 0;
};

// Over the mailbox store that IMAP sessions use too.
std::unique_ptr<maildrop_store> make_maildrop_store(mail::store::mailbox_store& mailboxes);

}  // namespace posta::mail::pop3::server
