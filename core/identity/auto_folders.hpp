// The folders every new account gets besides INBOX (setting mail.auto_folders),
// each with its RFC 6154 special-use. Items are "Name" (special-use implied
// for the RFC 6154 names: Drafts, Sent, Trash, Junk, Archive, All, Flagged)
// or "Name \Use" (e.g. "Sent Items \Sent"). Pure.
#pragma once

#include "core/db/connection.hpp"
#include "core/util/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::identity {

struct auto_folder {
  std::string name;
  std::optional<std::string> special_use;  // "\Sent", …
};

// SECURITY: an item is a top-level mailbox name of at most this many bytes,
// valid UTF-8 without control characters or the hierarchy separator '/'.
inline constexpr std::size_t max_auto_folder_bytes = 255;

// One item of the setting; errc::invalid_argument says why it is refused.
result<auto_folder> parse_auto_folder(std::string_view item);
// The settings validator of mail.auto_folders (app/ registers it).
result<void> validate_auto_folder(std::string_view item);

// Creates the folders of mail.auto_folders, as stored now (or its default),
// for `account_id` inside the caller's transaction. Items that no longer
// parse or name INBOX are skipped; duplicates are created once.
asio::awaitable<result<void>> create_auto_folders(db::connection& c, std::int64_t account_id);
// The same for many new accounts in two statements (a directory sync's batch).
asio::awaitable<result<void>> create_auto_folders(db::connection& c, std::vector<std::int64_t> account_ids);

}  // namespace posta::identity
