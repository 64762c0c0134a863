// What a directory sync changes, decided without touching anything: the
// entries a pass returned against the accounts Posta already links to the
// source (by stable identity). Only attributes Posta keeps are compared, so a
// change the directory makes on its own (AD's lastLogonTimestamp on every
// bind) plans nothing. Conflicts with addresses Posta owns otherwise are
// reported, never overwritten.
#pragma once

#include "directory/proto/mapping.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace posta::directory::proto {

// An account linked to the source, as stored.
struct known_account {
  std::int64_t id = 0;
  std::string uuid;
  std::string address;
  std::string login;
  std::string dn;
  std::string display_name;
  bool enabled = true;
  bool missing = false;                                      // already recorded as gone from the directory
  std::vector<std::pair<std::string, std::string>> details;  // sorted by key
  std::vector<std::string> aliases;                          // sorted
  std::optional<std::string> photo_sha256;
};

struct plan_input {
  std::vector<directory_user> users;         // present or changed entries
  std::vector<std::string> deleted_uuids;    // entries the directory says are gone
  std::vector<std::string> unchanged_uuids;  // still there, unchanged (RFC 4533 present phase)
  bool complete = false;  // `users` and `unchanged_uuids` are everything: a known account in neither is gone
  // Every account linked to the source when `complete`; else at least those
  // the entries and deletions name (by uuid), with enabled_known counting
  // all of them for the safety bound.
  std::vector<known_account> known;
  std::optional<std::size_t> enabled_known;  // unset: count `known`
  std::vector<std::string> managed_domains;  // lowercase
  // Whether `address` belongs to anything but this source's accounts (a
  // local account, alias or group, another source's account).
  std::function<bool(std::string const&)> taken_elsewhere;
  // SECURITY: a pass that would disable more than this share of the enabled
  // accounts (and more than a handful), or that lists no user at all while
  // accounts are known, is stopped unless forced: a wrong base DN or an
  // empty answer must not lock a company out.
  int max_disable_percent = 25;
  bool force = false;
};

struct planned_update {
  known_account before;
  directory_user after;
  std::vector<std::string> changed;  // "address", "display_name", "enabled", "details", … for the report
};

struct planned_missing {
  known_account account;
};

struct plan_note {
  std::string dn;
  std::string address;
  std::string reason;
};

struct sync_plan {
  std::vector<std::string> domains_to_create;  // managed, not yet in Posta (filled by the caller's lookup)
  std::vector<directory_user> creates;
  std::vector<planned_update> updates;
  std::vector<planned_missing> missing;  // disable, and delete after the grace period
  std::vector<plan_note> conflicts;      // reported in the journal, nothing written
  std::vector<plan_note> skipped;        // not for Posta (no mail in a managed domain, …)
  bool stopped = false;                  // the safety bound fired: nothing is to be applied
  std::string stop_reason;

  std::size_t disables() const;  // updates that disable plus newly missing accounts
  bool empty() const { return creates.empty() && updates.empty() && missing.empty(); }
};

// The domain part of an address ("" without one).
std::string domain_part(std::string const& address);

sync_plan plan_sync(plan_input const& in);

// What a pass needs looked up before planning: the uuids its entries and
// deletions name, and the addresses its entries would give (mail, aliases).
std::vector<std::string> uuids_named(plan_input const& in);
std::vector<std::string> addresses_given(std::vector<directory_user> const& users);

}  // namespace posta::directory::proto
