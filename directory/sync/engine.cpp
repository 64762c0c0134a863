#include "directory/sync/engine.hpp"

#include "core/journal/journal.hpp"
#include "core/net/blocking.hpp"
#include "core/util/ascii.hpp"
#include "core/util/crypto_hash.hpp"
#include "directory/store/account_links.hpp"
#include "directory/store/group_links.hpp"
#include "directory/sync/fetch.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <tuple>

namespace posta::directory::sync {
namespace {

// Changes per transaction: bounded so that one transaction stays well within
// the pool's transaction bound however large the directory.
constexpr std::size_t batch_size = 100;

boost::json::array notes_json(std::vector<proto::plan_note> const& notes) {
  boost::json::array a;
  for (auto const& n : notes) a.push_back({{"dn", n.dn}, {"address", n.address}, {"reason", n.reason}});
  return a;
}

boost::json::array strings_json(std::vector<std::string> const& v) {
  boost::json::array a;
  for (auto const& s : v) a.emplace_back(s);
  return a;
}

void journal_pass(sync_report const& r) {
  auto const& p = r.plan;
  auto const level = p.stopped ? journal::level::warning : journal::level::info;
  auto const text = p.stopped ? "directory sync stopped: " + p.stop_reason
                              : std::string(r.dry_run ? "directory sync dry run" : "directory sync");
  journal::record(level, "directory", text,
                  {{"source", r.source},
                   {"uri", r.uri},
                   {"entries", r.entries},
                   {"created", p.creates.size()},
                   {"updated", p.updates.size()},
                   {"missing", p.missing.size()},
                   {"conflicts", p.conflicts.size()},
                   {"deleted", r.deleted.size()}});
  // Conflicts need an administrator: each one is named (a bounded number).
  std::size_t named = 0;
  for (auto const& c : p.conflicts) {
    if (++named > 50) break;
    journal::record(journal::level::warning, "directory", "directory entry conflicts with a local address",
                    {{"source", r.source}, {"dn", c.dn}, {"address", c.address}, {"reason", c.reason}});
  }
}

boost::json::object groups_json(proto::group_plan const& g) {
  boost::json::array created, updated, deleted;
  for (auto const& c : g.creates) created.push_back({{"address", c.group.mail}, {"members", c.member_dns.size()}});
  for (auto const& u : g.updates)
    updated.push_back({{"address", u.group.mail}, {"was", u.before->address}, {"changed", strings_json(u.changed)}});
  for (auto const& d : g.deletes) deleted.emplace_back(d.address);
  return {{"created", std::move(created)},
          {"updated", std::move(updated)},
          {"deleted", std::move(deleted)},
          {"conflicts", strings_json(g.conflicts)}};
}

}  // namespace

boost::json::object to_json(sync_report const& r) {
  auto const& p = r.plan;
  boost::json::array created, updated, missing;
  for (auto const& u : p.creates) created.emplace_back(u.mail);
  for (auto const& u : p.updates)
    updated.push_back({{"address", u.after.mail}, {"was", u.before.address}, {"changed", strings_json(u.changed)}});
  for (auto const& m : p.missing) missing.emplace_back(m.account.address);
  return {{"source", r.source},
          {"dry_run", r.dry_run},
          {"applied", r.applied()},
          {"stopped", p.stopped},
          {"stop_reason", p.stop_reason},
          {"uri", r.uri},
          {"entries", r.entries},
          {"incremental", r.incremental},
          {"domains_created", strings_json(p.domains_to_create)},
          {"created", std::move(created)},
          {"updated", std::move(updated)},
          {"missing", std::move(missing)},
          {"deleted", strings_json(r.deleted)},
          {"conflicts", notes_json(p.conflicts)},
          {"groups", groups_json(r.groups)},
          {"skipped", notes_json(p.skipped)}};
}

asio::awaitable<result<sync_report>> engine::sync(std::string name, sync_options options) {
  POSTA_CO_TRY_ASSIGN(auto source, co_await sources_.get(name));
  {
    std::lock_guard lock(mutex_);
    if (!running_.insert(source.id).second)
      co_return make_error(errc::conflict, "a sync of directory source " + name + " is running");
  }
  // The mark goes however the pass ends (an exception included).
  struct unmark {
    engine& e;
    std::int64_t id;
    ~unmark() {
      std::lock_guard lock(e.mutex_);
      e.running_.erase(id);
    }
  } guard{*this, source.id};
  co_return co_await run(source, options);
}

namespace {

// What every report of a pass starts with.
sync_report report_of(store::source_row const& source, sync_options options, fetched const& got) {
  sync_report r;
  r.source = source.name;
  r.dry_run = options.dry_run;
  r.entries = got.entries;
  r.uri = got.uri;
  r.incremental = got.incremental();
  r.cookie = got.next_cookies.empty() ? std::string() : encode_cookies(got.next_cookies);
  return r;
}

}  // namespace

asio::awaitable<result<sync_report>> engine::run(store::source_row const& source, sync_options options) {
  std::string password;
  if (source.has_password) {
    POSTA_CO_TRY_ASSIGN(auto sealed, co_await sources_.sealed_password(source.id));
    POSTA_CO_TRY_ASSIGN(password, sources_.bind_password(source.name, sealed));
  }
  if (!options.dry_run) POSTA_CO_TRY(co_await sources_.record_start(source.id));
  auto const now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto const& config = source.config;
  POSTA_CO_TRY_ASSIGN(auto stored_cookie, co_await sources_.cookie(source.id));
  auto const from = decode_cookies(stored_cookie);
  auto got = co_await net::run_blocking([&] { return fetch_users_blocking(config, password, from, now); });
  util::cleanse(password);
  if (!got) {
    auto const message = got.error().message();
    if (!options.dry_run) co_await sources_.record_end(source.id, "failed", message, "{}");
    journal::record(journal::level::error, "directory", "directory sync failed",
                    {{"source", source.name}, {"error", message}});
    co_return got.error();
  }
  if (got->nothing_changed()) co_return co_await quiet_pass(source, options, *got);
  co_return co_await plan_and_apply(source, options, *got);
}

// A complete pass compares against every linked account; an incremental
// one only against the accounts its entries and deletions name (the others
// are counted for the safety bound), so a pass with a few changes reads a
// few rows however large the directory. Addresses are looked up the same
// way: only those the pass's entries would give.
asio::awaitable<result<void>> engine::load_planning(store::source_row const& source, proto::plan_input& in,
                                                    std::set<std::string>& taken) {
  auto& pool = sources_.pool();
  if (in.complete) {
    POSTA_CO_TRY_ASSIGN(in.known, co_await store::load_known_accounts(pool, source.id));
  } else {
    auto named = proto::uuids_named(in);
    POSTA_CO_TRY_ASSIGN(in.known, co_await store::load_known_accounts(pool, source.id, std::move(named)));
    POSTA_CO_TRY_ASSIGN(in.enabled_known, co_await store::count_enabled_accounts(pool, source.id));
  }
  std::vector<std::string> entries;
  for (auto const& u : in.users) entries.push_back(u.uuid);
  auto given = proto::addresses_given(in.users);
  POSTA_CO_TRY_ASSIGN(taken,
                      co_await store::load_taken_addresses(pool, source.id, std::move(given), std::move(entries)));
  co_return result<void>{};
}

asio::awaitable<result<sync_report>> engine::plan_and_apply(store::source_row const& source, sync_options options,
                                                            fetched& got) {
  auto& pool = sources_.pool();
  auto const& config = source.config;
  proto::plan_input in;
  in.users = std::move(got.users);
  in.deleted_uuids = std::move(got.deleted_uuids);
  in.unchanged_uuids = std::move(got.unchanged_uuids);
  in.complete = got.complete;
  in.managed_domains = config.managed_domains;
  in.max_disable_percent = config.max_disable_percent;
  in.force = options.force;
  std::set<std::string> taken;
  POSTA_CO_TRY(co_await load_planning(source, in, taken));
  in.taken_elsewhere = [&taken](std::string const& a) { return taken.count(a) > 0; };

  auto report = report_of(source, options, got);
  POSTA_CO_TRY_ASSIGN(auto stored_groups, co_await store::load_directory_groups(pool, source.id));
  auto before = got.groups.empty() ? std::vector<proto::directory_group>() : stored_groups;
  report.directory_groups = merge_groups(std::move(stored_groups), got.groups);
  report.groups_changed = !got.groups.empty() && !same_groups(std::move(before), report.directory_groups);
  report.plan = proto::plan_sync(in);
  for (auto& s : got.skipped) report.plan.skipped.push_back(std::move(s));
  POSTA_CO_TRY_ASSIGN(report.plan.domains_to_create, co_await store::missing_domains(pool, config.managed_domains));
  if (report.applied()) {
    auto applied = co_await apply(source, report);
    if (!applied) {
      auto const message = applied.error().message();
      co_await sources_.record_end(source.id, "failed", message, "{}");
      co_return applied.error();
    }
  } else {
    POSTA_CO_TRY(co_await plan_groups(source, report));
  }
  journal_pass(report);
  if (!options.dry_run) {
    auto const status = report.plan.stopped ? "stopped" : "ok";
    boost::json::object summary{{"entries", report.entries},
                                {"created", report.plan.creates.size()},
                                {"updated", report.plan.updates.size()},
                                {"missing", report.plan.missing.size()},
                                {"conflicts", report.plan.conflicts.size()},
                                {"deleted", report.deleted.size()}};
    auto const counts = boost::json::serialize(summary);
    co_await sources_.record_end(source.id, status, report.plan.stop_reason, counts);
  }
  co_return report;
}

// An incremental pass the directory answered with no change: the cookie
// moves on, nothing is planned and the journal is spared (sources may be
// polled every second).
asio::awaitable<result<sync_report>> engine::quiet_pass(store::source_row const& source, sync_options options,
                                                        fetched const& got) {
  auto report = report_of(source, options, got);
  if (options.dry_run) co_return report;
  POSTA_CO_TRY(co_await sources_.pool().transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    co_return co_await store::save_cookie(c, source.id, report.cookie);
  }));
  POSTA_CO_TRY(co_await sources_.record_end(source.id, "ok", "", "{\"entries\": 0}"));
  co_return report;
}

namespace {

// A list's members are accounts found by DN: lists can change only when
// groups changed, accounts came or changed DN — or in a complete pass,
// which also repairs whatever an earlier failed pass left.
bool lists_may_change(sync_report const& r) {
  if (!r.incremental || r.groups_changed || !r.plan.creates.empty()) return true;
  return std::any_of(r.plan.updates.begin(), r.plan.updates.end(), [](proto::planned_update const& u) {
    return std::find(u.changed.begin(), u.changed.end(), "dn") != u.changed.end();
  });
}

}  // namespace

// DURABILITY: each batch is one transaction; a crash between batches leaves
// the earlier ones applied and the next pass plans the rest again, the
// lists included: the cookie moves on only with the last batch.
asio::awaitable<result<void>> engine::apply(store::source_row const& source, sync_report& report) {
  auto& pool = sources_.pool();
  auto const& plan = report.plan;
  auto const name = source.name;
  POSTA_CO_TRY(co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    for (auto const& d : plan.domains_to_create) POSTA_CO_TRY(co_await store::create_domain(c, d, name));
    co_return result<void>{};
  }));
  for (std::size_t i = 0; i < plan.creates.size(); i += batch_size) {
    POSTA_CO_TRY(co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
      auto const batch = std::span(plan.creates).subspan(i, std::min(batch_size, plan.creates.size() - i));
      co_return co_await store::create_accounts(c, source.id, batch);
    }));
  }
  for (std::size_t i = 0; i < plan.updates.size(); i += batch_size) {
    POSTA_CO_TRY(co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
      for (std::size_t j = i; j < std::min(i + batch_size, plan.updates.size()); ++j)
        POSTA_CO_TRY(co_await store::update_account(c, plan.updates[j]));
      co_return result<void>{};
    }));
  }
  if (lists_may_change(report)) {
    POSTA_CO_TRY(co_await plan_groups(source, report));
    POSTA_CO_TRY(co_await apply_groups(source, report));
  }
  POSTA_CO_TRY(co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    for (auto const& m : plan.missing) POSTA_CO_TRY(co_await store::mark_missing(c, m.account));
    POSTA_CO_TRY_ASSIGN(report.deleted, co_await store::delete_expired(c, source.id, source.config.delete_after_days));
    // DURABILITY: the cookie moves on only with the last batch: a crash
    // before it replays this pass's changes, which plan the same again.
    POSTA_CO_TRY(co_await store::save_cookie(c, source.id, report.cookie));
    if (report.groups_changed)
      POSTA_CO_TRY(co_await store::save_directory_groups(c, source.id, report.directory_groups));
    // Shared roster groups depend on what lists depend on.
    if (lists_may_change(report))
      POSTA_CO_TRY(co_await store::save_shared_groups(c, source.id, report.directory_groups,
                                                      source.config.xmpp_shared_group_max_members));
    co_return result<void>{};
  }));
  co_return result<void>{};
}

// After the accounts: a list's members are the source's accounts, those
// made by this pass included (a dry run counts the ones it would make).
asio::awaitable<result<void>> engine::plan_groups(store::source_row const& source, sync_report& report) {
  auto& pool = sources_.pool();
  proto::group_plan_input in;
  in.groups = report.directory_groups;
  in.managed_domains = source.config.managed_domains;
  POSTA_CO_TRY_ASSIGN(in.known, co_await store::load_known_groups(pool, source.id));
  POSTA_CO_TRY_ASSIGN(in.account_dns, co_await store::load_account_dns(pool, source.id));
  if (!report.applied())
    for (auto const& u : report.plan.creates) in.account_dns.push_back(util::ascii_lowercase(u.dn));
  std::vector<std::string> mails;
  for (auto const& g : in.groups)
    if (!g.mail.empty()) mails.push_back(g.mail);
  POSTA_CO_TRY_ASSIGN(auto taken, co_await store::load_addresses_besides_groups(pool, source.id, std::move(mails)));
  in.taken_elsewhere = [&taken](std::string const& a) { return taken.count(a) > 0; };
  report.groups = proto::plan_groups(in);
  co_return result<void>{};
}

asio::awaitable<result<void>> engine::apply_groups(store::source_row const& source, sync_report& report) {
  auto& pool = sources_.pool();
  auto& plan = report.groups;
  auto batches = [&](auto const& items, auto write) -> asio::awaitable<result<void>> {
    for (std::size_t i = 0; i < items.size(); i += batch_size) {
      POSTA_CO_TRY(co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
        for (std::size_t j = i; j < std::min(i + batch_size, items.size()); ++j)
          POSTA_CO_TRY(co_await write(c, items[j]));
        co_return result<void>{};
      }));
    }
    co_return result<void>{};
  };
  for (std::size_t i = 0; i < plan.creates.size(); i += batch_size) {
    POSTA_CO_TRY(co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
      auto const batch = std::span(plan.creates).subspan(i, std::min(batch_size, plan.creates.size() - i));
      co_return co_await store::create_groups(c, source.id, batch);
    }));
  }
  POSTA_CO_TRY(co_await batches(plan.updates, [&](db::connection& c, proto::planned_group const& g) {
    return store::update_group(c, source.id, g);
  }));
  std::vector<proto::known_group> kept;
  POSTA_CO_TRY(co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    for (auto const& g : plan.deletes) {
      POSTA_CO_TRY_ASSIGN(auto deleted, co_await store::delete_group(c, g));
      if (!deleted) kept.push_back(g);
    }
    co_return result<void>{};
  }));
  for (auto const& g : kept)
    plan.conflicts.push_back(g.address + ": gone from the directory, kept while an alias targets it");
  co_return result<void>{};
}

}  // namespace posta::directory::sync
