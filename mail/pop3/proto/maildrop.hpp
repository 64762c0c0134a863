// The maildrop a POP3 session works on (RFC 1939 5-7): a snapshot of INBOX
// taken at login, numbered 1..n for the whole session, with the deletion
// marks of DELE (undone by RSET) that QUIT carries out. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace posta::mail::pop3::proto {

struct maildrop_entry {
  std::uint32_t uid = 0;   // the message's IMAP UID
  std::int64_t size = 0;   // RFC822.SIZE: what RETR sends before byte-stuffing
};

class maildrop {
 public:
  maildrop() = default;
  // `entries` in ascending UID order (message 1 is the oldest).
  maildrop(std::int64_t uidvalidity, std::vector<maildrop_entry> entries);

  std::size_t size() const noexcept { return entries_.size(); }  // all, the marked ones too
  // Message number `n` exists and is not marked deleted.
  bool is_listed(std::uint32_t n) const noexcept;
  bool is_deleted(std::uint32_t n) const noexcept;  // n must exist
  maildrop_entry const& at(std::uint32_t n) const;  // 1-based; n must exist

  // RFC 1939 7 UIDL: unique, at most 70 characters of 0x21..0x7E, and the
  // same in every session as long as the message and the mailbox's
  // UIDVALIDITY are: "<uidvalidity>.<uid>".
  std::string unique_id(std::uint32_t n) const;

  std::size_t listed_count() const noexcept { return entries_.size() - deleted_count_; }
  std::int64_t listed_octets() const noexcept { return total_octets_ - deleted_octets_; }

  void mark_deleted(std::uint32_t n);  // n must be listed
  void reset();                        // RSET: no marks
  std::vector<std::uint32_t> deleted_uids() const;  // ascending

 private:
  std::int64_t uidvalidity_ = 0;
  std::vector<maildrop_entry> entries_;
  std::vector<bool> deleted_;
  std::size_t deleted_count_ = 0;
  std::int64_t total_octets_ = 0;
  std::int64_t deleted_octets_ = 0;
};

}  // namespace posta::mail::pop3::proto
