// Mailboxes of an account: LIST data, CREATE, DELETE, RENAME, SUBSCRIBE
// (RFC 3501 6.3, RFC 9051 6.3, RFC 6154 special-use).
#include "core/db/arrays.hpp"
#include "core/util/ascii.hpp"
#include "mail/store/body_cache.hpp"
#include "mail/store/detail.hpp"
#include "mail/store/mailbox_store.hpp"
#include "mail/store/snapshot_cache.hpp"

#include <array>

namespace posta::mail::store {
namespace {

constexpr std::array<std::string_view, 7> special_uses = {"\\All",  "\\Archive", "\\Drafts", "\\Flagged",
                                                          "\\Junk", "\\Sent",    "\\Trash"};

result<std::optional<std::string>> check_special_use(std::optional<std::string> const& use) {
  if (!use) return std::optional<std::string>{};
  for (auto u : special_uses)
    if (util::ascii_iequals(u, *use)) return std::optional<std::string>(std::string(u));
  // RFC 6154 5.3: an unknown use is refused with [USEATTR].
  return make_error(errc::invalid_argument, "unknown special-use " + *use);
}

constexpr char const* info_columns =
    "b.id, b.name, b.special_use, EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = b.account_id "
    "AND s.name = b.name), b.noselect, b.uidvalidity ";

mailbox_info info_from(db::rows const& r, int i) {
  return {r.i64(i, 0), r.str(i, 1), r.opt(i, 2), r.boolean(i, 3), r.boolean(i, 4), r.i64(i, 5), 0, 0};
}

}  // namespace

// The mailbox row of `name` locked, when it exists.
asio::awaitable<result<std::optional<mailbox_info>>> detail::lock_by_name(db::connection& c, std::int64_t account,
                                                                  std::string const& name) {
  std::string sql = std::string("SELECT ") + info_columns +
                    "FROM mailboxes b WHERE b.account_id = $1 AND b.name = $2 FOR UPDATE";
  POSTA_CO_TRY_ASSIGN(auto rows, co_await c.q(std::move(sql), account, name));
  if (rows.empty()) co_return std::optional<mailbox_info>{};
  co_return std::optional<mailbox_info>(info_from(rows, 0));
}

// Missing superiors of `name` as ordinary mailboxes (RFC 3501 6.3.3 SHOULD).
asio::awaitable<result<void>> detail::create_superiors(db::connection& c, std::int64_t account,
                                                       std::string const& name) {
  auto superiors = superiors_of(name);
  if (superiors.empty()) co_return result<void>{};
  POSTA_CO_TRY(co_await c.q("INSERT INTO mailboxes(account_id, name) SELECT $1, n FROM unnest($2::text[]) "
                            "WITH ORDINALITY AS v(n, i) ORDER BY i ON CONFLICT (account_id, name) DO NOTHING",
                            account, db::text_array(superiors)));
  co_return result<void>{};
}

namespace {

asio::awaitable<result<void>> check_mailbox_count(db::connection& c, std::int64_t account, std::size_t max) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await c.q("SELECT count(*) FROM mailboxes WHERE account_id = $1", account));
  // SECURITY: a bound on rows (and LIST replies) per account.
  if (static_cast<std::size_t>(rows.i64(0, 0)) >= max) co_return make_error(store_errc::limit, "too many mailboxes");
  co_return result<void>{};
}

// Deletes every message of mailbox `id` (its row locked, then the blob
// rows) and records their expunge.
asio::awaitable<result<void>> drop_messages(db::connection& c, std::int64_t id) {
  POSTA_CO_TRY_ASSIGN(auto box, co_await c.q("SELECT highestmodseq FROM mailboxes WHERE id = $1 FOR UPDATE", id));
  POSTA_CO_TRY_ASSIGN(auto hashes, co_await c.q("SELECT DISTINCT blob_hash FROM messages WHERE mailbox_id = $1", id));
  std::set<std::string> blobs;
  for (int i = 0; i < hashes.size(); ++i) blobs.insert(hashes.str(i, 0));
  POSTA_CO_TRY(co_await detail::lock_blobs(c, blobs));
  POSTA_CO_TRY_ASSIGN(auto gone, co_await c.q("DELETE FROM messages WHERE mailbox_id = $1 RETURNING uid", id));
  if (gone.empty()) co_return result<void>{};
  std::vector<uid_t> uids;
  for (int i = 0; i < gone.size(); ++i) uids.push_back(static_cast<uid_t>(gone.i64(i, 0)));
  std::sort(uids.begin(), uids.end());
  co_return co_await detail::record_expunge(c, id, box.i64(0, 0) + 1, uids);
}

}  // namespace

mailbox_store::mailbox_store(db::pool& pool, blob::store const& blobs, store_limits limits)
    : pool_(pool),
      blobs_(blobs),
      limits_(limits),
      cache_(std::make_unique<body_cache>(default_cache_bytes)),
      snapshots_(std::make_unique<snapshot_cache>(limits.kept_snapshot_messages, limits.kept_snapshot_min_messages)) {}

mailbox_store::~mailbox_store() = default;

void mailbox_store::set_cache_bytes(std::size_t bytes) { cache_->set_max_bytes(bytes); }

asio::awaitable<result<std::vector<mailbox_info>>> mailbox_store::list(std::int64_t account_id, bool with_counts) {
  std::string sql = std::string("SELECT ") + info_columns + (with_counts ? ", n.c, n.s " : "") + "FROM mailboxes b " +
                    (with_counts ? "LEFT JOIN LATERAL (SELECT count(*) AS c, coalesce(sum(size), 0) AS s FROM messages m "
                                   "WHERE m.mailbox_id = b.id) n ON true "
                                 : "") +
                    "WHERE b.account_id = $1 ORDER BY b.name";
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q(std::move(sql), account_id));
  std::vector<mailbox_info> out;
  for (int i = 0; i < rows.size(); ++i) {
    out.push_back(info_from(rows, i));
    if (with_counts) {
      out.back().messages = rows.i64(i, 6);
      out.back().bytes = rows.i64(i, 7);
    }
  }
  co_return out;
}

asio::awaitable<result<std::vector<std::string>>> mailbox_store::subscriptions(std::int64_t account_id) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("SELECT name FROM subscriptions WHERE account_id = $1 ORDER BY name",
                                                  account_id));
  std::vector<std::string> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(rows.str(i, 0));
  co_return out;
}

asio::awaitable<result<mailbox_info>> mailbox_store::find(std::int64_t account_id, std::string name) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_name(name, limits_.names));
  std::string sql = std::string("SELECT ") + info_columns + "FROM mailboxes b WHERE b.account_id = $1 AND b.name = $2";
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q(std::move(sql), account_id, normal));
  if (rows.empty()) co_return make_error(store_errc::nonexistent, normal);
  co_return info_from(rows, 0);
}

asio::awaitable<result<mailbox_info>> mailbox_store::create(std::int64_t account_id, std::string name,
                                                            std::optional<std::string> special_use) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_name(name, limits_.names));
  POSTA_CO_TRY_ASSIGN(auto use, check_special_use(special_use));
  auto const max = limits_.max_mailboxes;
  co_return co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<mailbox_info>> {
    POSTA_CO_TRY_ASSIGN(auto existing, co_await detail::lock_by_name(c, account_id, normal));
    if (existing && !existing->noselect) co_return make_error(store_errc::already_exists, normal);
    POSTA_CO_TRY(co_await check_mailbox_count(c, account_id, max));
    POSTA_CO_TRY(co_await detail::create_superiors(c, account_id, normal));
    if (existing) {
      // A name kept for its children becomes a mailbox again: a new one,
      // so a new UIDVALIDITY (RFC 3501 2.3.1.1).
      POSTA_CO_TRY(co_await c.q("UPDATE mailboxes SET noselect = false, special_use = $2, "
                                "uidvalidity = nextval('mailbox_uidvalidity'), keywords = '{}' WHERE id = $1",
                                existing->id, use));
    } else {
      POSTA_CO_TRY(co_await c.q("INSERT INTO mailboxes(account_id, name, special_use) VALUES ($1, $2, $3)", account_id,
                                normal, use));
    }
    POSTA_CO_TRY_ASSIGN(auto created, co_await detail::lock_by_name(c, account_id, normal));
    co_return std::move(*created);
  });
}

asio::awaitable<result<void>> mailbox_store::remove(std::int64_t account_id, std::string name) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_name(name, limits_.names));
  if (is_inbox(normal)) co_return make_error(store_errc::cannot, "INBOX cannot be deleted");
  co_return co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<void>> {
    POSTA_CO_TRY_ASSIGN(auto found, co_await c.q("SELECT id, noselect, EXISTS (SELECT 1 FROM mailboxes k WHERE "
                                                 "k.account_id = b.account_id AND left(k.name, length(b.name) + 1) = "
                                                 "b.name || '/') FROM mailboxes b WHERE account_id = $1 AND name = $2",
                                                 account_id, normal));
    if (found.empty()) co_return make_error(store_errc::nonexistent, normal);
    auto id = found.i64(0, 0);
    bool noselect = found.boolean(0, 1), children = found.boolean(0, 2);
    if (noselect && children)
      co_return make_error(store_errc::cannot, normal + " has children and is not selectable");
    // DURABILITY: the messages, their expunge record and the mailbox go in
    // one transaction; a crash leaves the mailbox whole or gone.
    POSTA_CO_TRY(co_await drop_messages(c, id));
    if (children) {
      POSTA_CO_TRY(co_await c.q("UPDATE mailboxes SET noselect = true, special_use = NULL WHERE id = $1", id));
    } else {
      POSTA_CO_TRY(co_await c.q("DELETE FROM mailboxes WHERE id = $1", id));
    }
    std::set<std::int64_t> ids{id};
    co_return co_await detail::notify(c, ids);
  });
}

asio::awaitable<result<void>> mailbox_store::subscribe(std::int64_t account_id, std::string name) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_name(name, limits_.names));
  // SECURITY: subscriptions per account are bounded like mailboxes.
  POSTA_CO_TRY_ASSIGN(auto added, co_await pool_.q("INSERT INTO subscriptions(account_id, name) SELECT $1, $2 "
                                                   "WHERE (SELECT count(*) FROM subscriptions WHERE account_id = $1) < $3 "
                                                   "ON CONFLICT DO NOTHING RETURNING 1",
                                                   account_id, normal, static_cast<std::int64_t>(limits_.max_mailboxes)));
  if (added.empty()) {
    POSTA_CO_TRY_ASSIGN(auto has, co_await pool_.q("SELECT 1 FROM subscriptions WHERE account_id = $1 AND name = $2",
                                                   account_id, normal));
    if (has.empty()) co_return make_error(store_errc::limit, "too many subscriptions");
  }
  co_return result<void>{};
}

asio::awaitable<result<void>> mailbox_store::unsubscribe(std::int64_t account_id, std::string name) {
  POSTA_CO_TRY_ASSIGN(auto normal, normalise_name(name, limits_.names));
  POSTA_CO_TRY(co_await pool_.q("DELETE FROM subscriptions WHERE account_id = $1 AND name = $2", account_id, normal));
  co_return result<void>{};
}

}  // namespace posta::mail::store
