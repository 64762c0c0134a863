// One sync pass of a directory source (issue 12 "Sync"): read the users the
// directory has (paged search, on the blocking pool), plan against the
// accounts already linked (directory/proto/sync_plan), and apply the plan in
// bounded transactions — or only report it (`posta directory sync --dry-run`).
#pragma once

#include "directory/proto/group_plan.hpp"
#include "directory/proto/sync_plan.hpp"
#include "directory/store/source_store.hpp"

#include <boost/json/object.hpp>

#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace posta::directory::sync {

struct fetched;  // fetch.hpp

struct sync_options {
  bool dry_run = false;
  bool force = false;  // past the mass-disable safety stop
};

struct sync_report {
  std::string source;
  bool dry_run = false;
  std::size_t entries = 0;   // user entries the directory returned
  std::string uri;           // the directory server that answered
  bool incremental = false;  // changes since the stored cookies (RFC 4533, DirSync, USN), not everything
  std::string cookie;        // to store when applied (fetch.hpp encode_cookies); "" without content sync
  proto::sync_plan plan;
  std::vector<std::string> deleted;                      // past delete_after_days
  proto::group_plan groups;                              // distribution lists from directory groups
  std::vector<proto::directory_group> directory_groups;  // all of them after this pass, for planning the lists
  bool groups_changed = false;
  bool applied() const { return !dry_run && !plan.stopped; }
};

boost::json::object to_json(sync_report const& r);

class engine {
 public:
  explicit engine(store::source_store& sources) : sources_(sources) {}

  // errc::unavailable when the directory cannot be reached (the accounts
  // stay as they are), errc::conflict when a pass of this source is running.
  asio::awaitable<result<sync_report>> sync(std::string name, sync_options options);

  store::source_store& sources() const { return sources_; }

 private:
  asio::awaitable<result<sync_report>> run(store::source_row const& source, sync_options options);
  asio::awaitable<result<void>> load_planning(store::source_row const& source, proto::plan_input& in,
                                              std::set<std::string>& taken);
  asio::awaitable<result<void>> apply(store::source_row const& source, sync_report& report);
  asio::awaitable<result<sync_report>> plan_and_apply(store::source_row const& source, sync_options options,
                                                      fetched& got);
  asio::awaitable<result<sync_report>> quiet_pass(store::source_row const& source, sync_options options,
                                                  fetched const& got);
  asio::awaitable<result<void>> plan_groups(store::source_row const& source, sync_report& report);
  asio::awaitable<result<void>> apply_groups(store::source_row const& source, sync_report& report);

  store::source_store& sources_;
  std::mutex mutex_;
  std::set<std::int64_t> running_;  // sources with a pass in progress on this node
};

}  // namespace posta::directory::sync
