// Identity in PostgreSQL: domains, accounts (one account = one mailbox = one
// Jabber ID), aliases and groups. Every name is normalised before it is
// stored; duplicates and dangling references are refused with a clear message.
#pragma once

#include "core/db/pool.hpp"
#include "core/identity/dkim.hpp"

#include <optional>
#include <string>
#include <vector>

namespace posta::identity {

struct domain_info {
  std::string name;
  std::string description;
  std::optional<std::string> catch_all;  // receives mail for unknown local recipients
  std::string source;
  std::int64_t accounts = 0;
  std::string created_at;
  std::optional<dkim_public_key> dkim;  // the active DKIM key, if the domain has one
  bool shared_roster = false;           // xmpp.shared_roster: its accounts are in each other's rosters (schema/019)
};

// One mailbox of an account as `posta account show` lists it.
struct mailbox_summary {
  std::string name;
  std::optional<std::string> special_use;
  std::int64_t messages = 0;
  std::int64_t bytes = 0;
};

struct account_info {
  std::int64_t id = 0;
  std::string address;
  std::string domain;
  std::string display_name;
  bool enabled = true;
  std::int64_t quota_bytes = 0;  // 0 = unlimited
  std::int64_t used_bytes = 0;
  std::string source;            // "local" | "directory"
  std::string created_at;
  std::int64_t quota_messages = 0;  // RFC 9208 MESSAGE limit; 0 = unlimited
  std::int64_t used_messages = 0;
  std::optional<std::vector<mailbox_summary>> mailboxes;  // set by get_account only
  // get_account only, for accounts from a directory (schema/022): what it
  // holds of the entry, as JSON text: {"source", "dn", "login", "missing_since"}
  // and the stored attributes (title, phone, …).
  std::optional<std::string> directory_json;
  std::optional<std::string> directory_attributes_json;
};

struct alias_info {
  std::string address;
  std::string domain;
  std::vector<std::string> targets;
};

struct group_info {
  std::string address;
  std::string domain;
  std::string name;
  std::vector<std::string> members;
};

struct new_account {
  std::string address;
  std::string password;
  std::string display_name;
  std::int64_t quota_bytes = 0;
  std::int64_t quota_messages = 0;
  bool enabled = true;
};

struct account_update {
  std::optional<std::string> password;
  std::optional<std::string> display_name;
  std::optional<std::int64_t> quota_bytes;
  std::optional<bool> enabled;
  std::optional<std::int64_t> quota_messages;
};

// What authentication needs about an account.
struct credentials {
  std::int64_t account_id = 0;
  std::string address;
  bool enabled = false;
  std::string source;
  std::optional<std::string> password_hash;  // argon2id PHC
  std::string scram_json;                    // {"sha1": {...}, "sha256": {...}}
};

class store {
 public:
  explicit store(db::pool& pool) : pool_(pool) {}

  db::pool& pool() const { return pool_; }  // for services beside identity (login throttle)

  // With `dkim`, the domain gets its first DKIM key in the same transaction.
  asio::awaitable<result<domain_info>> create_domain(std::string name, std::string description,
                                                    dkim_keys const* dkim = nullptr);
  asio::awaitable<result<std::vector<domain_info>>> list_domains();
  asio::awaitable<result<domain_info>> get_domain(std::string name);
  asio::awaitable<result<void>> delete_domain(std::string name);
  // catch_all: "" turns it off; otherwise an existing address of this domain.
  asio::awaitable<result<domain_info>> update_domain(std::string name, std::optional<std::string> description,
                                                     std::optional<std::string> catch_all,
                                                     std::optional<bool> shared_roster = std::nullopt);

  asio::awaitable<result<account_info>> create_account(new_account spec);
  asio::awaitable<result<std::vector<account_info>>> list_accounts(std::optional<std::string> domain);
  asio::awaitable<result<account_info>> get_account(std::string address);
  asio::awaitable<result<account_info>> update_account(std::string address, account_update update);
  asio::awaitable<result<void>> delete_account(std::string address);

  asio::awaitable<result<alias_info>> create_alias(std::string address, std::vector<std::string> targets);
  asio::awaitable<result<std::vector<alias_info>>> list_aliases(std::optional<std::string> domain);
  asio::awaitable<result<alias_info>> get_alias(std::string address);
  asio::awaitable<result<void>> delete_alias(std::string address);

  asio::awaitable<result<group_info>> create_group(std::string address, std::string name);
  asio::awaitable<result<std::vector<group_info>>> list_groups(std::optional<std::string> domain);
  asio::awaitable<result<group_info>> get_group(std::string address);
  asio::awaitable<result<void>> delete_group(std::string address);
  asio::awaitable<result<group_info>> add_group_member(std::string group, std::string member);
  asio::awaitable<result<group_info>> remove_group_member(std::string group, std::string member);

  asio::awaitable<result<std::optional<credentials>>> find_credentials(std::string address);

 private:
  db::pool& pool_;
};

// The stored secrets for a new password: argon2id hash plus SCRAM keys.
// CPU-heavy (argon2, PBKDF2): runs on the blocking thread pool.
struct password_secrets {
  std::string password_hash;
  std::string scram_json;
};
asio::awaitable<result<password_secrets>> derive_password_secrets(std::string password);

}  // namespace posta::identity
