// The indexer's queue work. One batch: read up to batch_rows queue rows in
// id order, fetch the messages the 'add' rows name, build their documents
// (CPU pool), apply and commit them per account (Xapian, blocking pool),
// then delete the rows. A message gone by then is removed instead of added.
#include "mail/index/indexer.hpp"

#include "core/db/arrays.hpp"
#include "core/journal/journal.hpp"
#include "core/net/blocking.hpp"
#include "mail/index/document_builder.hpp"
#include "mail/store/body_cache.hpp"
#include "mail/store/mailbox_store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>

namespace posta::mail::index {
namespace {

// SECURITY: rows per batch, and decoded text kept in memory per batch: a
// batch stops taking messages past the budget (at least one is taken), so
// a run of huge messages cannot take unbounded memory.
constexpr int batch_rows = 200;
constexpr std::size_t batch_text_bytes = 64 * 1024 * 1024;
// SECURITY: rows an IMAP SEARCH or API search catches up on before it
// answers; past it IMAP scans (the index lacks candidates) and the API
// answers from what is indexed, while the background loop goes on.
constexpr int catch_up_batches = 10;
constexpr auto poll_interval = std::chrono::seconds(1);
constexpr auto retry_interval = std::chrono::seconds(5);

struct queue_row {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::int64_t mailbox_id = 0;
  std::uint32_t uid = 0;
  std::string op;
};

using doc_key = std::pair<std::int64_t, std::uint32_t>;  // mailbox, uid

std::optional<search::engine::imap_field> imap_field_of(search::text_query const& q) {
  using search::text_field;
  using f = search::engine::imap_field;
  switch (q.field) {
    case text_field::text:
      return f::text;
    case text_field::body:
      return f::body;
    case text_field::subject:
      return f::subject;
    case text_field::from:
      return f::from;
    case text_field::to:
      return f::to;
    case text_field::cc:
      return f::cc;
    case text_field::bcc:
      return f::bcc;
    case text_field::header:
      break;
  }
  // HEADER name: the indexed fields by name; any other field is scanned.
  std::string name;
  for (char c : q.header_name) name += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (name.empty()) return f::header;
  if (name == "subject") return f::subject;
  if (name == "from") return f::from;
  if (name == "to") return f::to;
  if (name == "cc") return f::cc;
  if (name == "bcc") return f::bcc;
  return std::nullopt;
}

}  // namespace

indexer::indexer(asio::any_io_executor ex, db::pool& pool, store::mailbox_store& mailboxes,
                 search::engine::mail_indexes& indexes)
    : strand_(asio::make_strand(ex)),
      pool_(pool),
      mailboxes_(mailboxes),
      indexes_(indexes),
      wake_timer_(strand_),
      gate_timer_(strand_, asio::steady_timer::time_point::max()) {}

// One drain at a time. The gate timer never expires: waiters wait on it and
// unlock() cancels them all (cancel keeps the expiry, so waiting again works).
asio::awaitable<void> indexer::lock() {
  while (busy_) co_await gate_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  busy_ = true;
}

void indexer::unlock() {
  busy_ = false;
  gate_timer_.cancel();
}

asio::awaitable<result<bool>> indexer::drain_batch(scope s) {
  std::string sql = "SELECT id, account_id, coalesce(mailbox_id, 0), coalesce(uid, 0), op FROM search_queue ";
  db::params args;
  if (s.mailbox_id) {
    // A reset or drop of the account orders against this mailbox's rows.
    sql += "WHERE mailbox_id = $1 OR (account_id = $2 AND mailbox_id IS NULL) ";
    args = db::make_params(*s.mailbox_id, *s.account_id);
  } else if (s.account_id) {
    sql += "WHERE account_id = $1 ";
    args = db::make_params(*s.account_id);
  }
  sql += "ORDER BY id LIMIT " + std::to_string(batch_rows);
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.query(std::move(sql), std::move(args)));
  if (rows.empty()) co_return false;
  std::vector<queue_row> queue;
  std::map<std::pair<std::int64_t, std::int64_t>, store::uid_set> wanted;  // (account, mailbox) -> uids
  for (int i = 0; i < rows.size(); ++i) {
    queue_row r{rows.i64(i, 0), rows.i64(i, 1), rows.i64(i, 2), static_cast<std::uint32_t>(rows.i64(i, 3)),
                rows.str(i, 4)};
    if (r.op == "add") wanted[{r.account_id, r.mailbox_id}].push_back({r.uid, r.uid});
    queue.push_back(std::move(r));
  }
  // Metadata and structures first (small), bodies one by one below.
  std::map<doc_key, store::message_meta> metas;
  for (auto& [box, uids] : wanted) {
    POSTA_CO_TRY_ASSIGN(auto found, co_await mailboxes_.fetch({box.first, box.second}, std::move(uids), true));
    for (auto& m : found) metas.emplace(doc_key{box.second, m.uid}, std::move(m));
  }
  std::map<std::int64_t, std::vector<search::mail_change>> pending;  // by account
  auto flush = [this, &pending](std::int64_t account) -> asio::awaitable<result<void>> {
    auto& changes = pending[account];
    if (changes.empty()) co_return result<void>{};
    POSTA_CO_TRY(co_await net::run_blocking([&] { return indexes_.apply_blocking(account, changes); }));
    changes.clear();
    co_return result<void>{};
  };
  std::vector<std::int64_t> done;
  std::size_t text_bytes = 0;
  for (auto const& r : queue) {
    if (text_bytes >= batch_text_bytes) break;  // the rest waits for the next batch
    if (r.op == "reset" || r.op == "drop") {
      POSTA_CO_TRY(co_await flush(r.account_id));
      auto const account = r.account_id;
      bool const drop = r.op == "drop";
      POSTA_CO_TRY(co_await net::run_blocking(
          [&] { return drop ? indexes_.drop_blocking(account) : indexes_.reset_blocking(account); }));
      done.push_back(r.id);
      continue;
    }
    search::mail_change c;
    c.mailbox_id = r.mailbox_id;
    c.uid = r.uid;
    c.k = search::mail_change::kind::remove;
    auto it = r.op == "add" ? metas.find({r.mailbox_id, r.uid}) : metas.end();
    if (it != metas.end() && it->second.parsed) {
      auto const& meta = it->second;
      // The structure's offsets are the blob's: skip this copy's prefix.
      auto body = co_await mailboxes_.read(meta, static_cast<std::int64_t>(meta.header_prefix.size()), -1);
      if (body) {
        message_source src{r.mailbox_id, r.uid, meta.internal_date, *body, &meta.parsed->structure()};
        c.doc = co_await net::run_cpu([&] { return build_document(src); });
        c.k = search::mail_change::kind::add;
        text_bytes += c.doc.body.size() + c.doc.headers.size();
      } else {
        journal::record(journal::level::warning, "indexer", "message not indexed: its body cannot be read",
                        {{"mailbox_id", r.mailbox_id}, {"uid", r.uid}, {"error", body.error().message()}});
      }
    }
    pending[r.account_id].push_back(std::move(c));
    done.push_back(r.id);
  }
  for (auto& [account, changes] : pending) POSTA_CO_TRY(co_await flush(account));
  // DURABILITY: the index is committed; only now do the rows go. A crash in
  // between does them again, which changes nothing (replace by unique term).
  POSTA_CO_TRY(co_await pool_.q("DELETE FROM search_queue WHERE id = ANY($1::bigint[])", db::int_array(done)));
  co_return true;
}

asio::awaitable<result<void>> indexer::catch_up(scope s) {
  co_await lock();
  struct unlocker {
    indexer* self;
    ~unlocker() { self->unlock(); }
  } guard{this};
  for (int i = 0; i < catch_up_batches; ++i) {
    POSTA_CO_TRY_ASSIGN(bool more, co_await drain_batch(s));
    if (!more) break;
  }
  co_return result<void>{};
}

asio::awaitable<void> indexer::run() {
  loop_alive_ = true;
  while (running_) {
    auto r = co_await catch_up({});
    std::chrono::steady_clock::duration pause = poll_interval;
    if (!r) {
      if (!failing_)
        journal::record(journal::level::error, "indexer", "indexing failed, retrying",
                        {{"error", r.error().message()}});
      failing_ = true;
      pause = retry_interval;
    } else {
      if (failing_) journal::record(journal::level::info, "indexer", "indexing works again");
      failing_ = false;
      auto left = co_await pool_.q("SELECT EXISTS (SELECT 1 FROM search_queue)");
      if (left && !left->empty() && left->boolean(0, 0)) continue;
    }
    wake_timer_.expires_after(pause);
    co_await wake_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  loop_alive_ = false;
}

asio::awaitable<result<std::string>> indexer::start() {
  co_await asio::post(strand_, asio::use_awaitable);
  if (!running_) {
    running_ = true;
    asio::co_spawn(strand_, run(), [this](std::exception_ptr e) {
      loop_alive_ = false;
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (std::exception const& ex) {
        journal::record(journal::level::error, "indexer", std::string("indexer stopped: ") + ex.what());
      }
    });
  }
  co_return std::string("indexing mail");
}

asio::awaitable<void> indexer::stop() {
  co_await asio::co_spawn(
      strand_,
      [this]() -> asio::awaitable<void> {
        running_ = false;
        wake_timer_.cancel();
        asio::steady_timer t(strand_);
        while (loop_alive_) {
          t.expires_after(std::chrono::milliseconds(10));
          co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        }
      },
      asio::use_awaitable);
}

void indexer::wake() {
  asio::post(strand_, [this] { wake_timer_.cancel(); });
}

asio::awaitable<result<std::optional<std::vector<std::uint32_t>>>> indexer::matching(search::text_query query) {
  using answer = std::optional<std::vector<std::uint32_t>>;
  auto field = imap_field_of(query);
  if (!running_ || !field) co_return answer{};
  scope s{query.account_id, query.mailbox_id};
  POSTA_CO_TRY(co_await asio::co_spawn(strand_, catch_up(s), asio::use_awaitable));
  auto const account = query.account_id, mailbox = query.mailbox_id;
  POSTA_CO_TRY_ASSIGN(auto indexed,
                      co_await net::run_blocking([&] { return indexes_.indexed_uids_blocking(account, mailbox); }));
  // Not all candidates indexed (a queue longer than one catch-up, a body
  // that could not be read): IMAP scans rather than answer partly.
  if (!std::includes(indexed.begin(), indexed.end(), query.uids.begin(), query.uids.end())) co_return answer{};
  search::engine::imap_words words{account, mailbox, *field, std::move(query.value), std::move(query.uids)};
  co_return co_await net::run_blocking([&] { return indexes_.match_imap_blocking(words); });
}

asio::awaitable<result<search::engine::hits>> indexer::search(search::engine::search_request request) {
  if (running_) {
    scope s{request.account_id, std::nullopt};
    POSTA_CO_TRY(co_await asio::co_spawn(strand_, catch_up(s), asio::use_awaitable));
  }
  co_return co_await net::run_blocking([&] { return indexes_.search_blocking(request); });
}

asio::awaitable<result<std::int64_t>> indexer::reindex(std::optional<std::int64_t> account_id) {
  POSTA_CO_TRY_ASSIGN(auto conn, co_await pool_.acquire());
  db::params args;
  args.push_back(account_id ? db::param(std::to_string(*account_id)) : db::param());
  POSTA_CO_TRY(co_await conn->execute("BEGIN"));
  // The reset first (a lower id), then every message: the indexer empties
  // the index, then adds them back; mail arriving meanwhile queues its own rows.
  auto reset = co_await conn->query(
      "INSERT INTO search_queue(account_id, op) SELECT id, 'reset' FROM accounts "
      "WHERE $1::bigint IS NULL OR id = $1",
      args);
  if (!reset) {
    co_await conn->execute("ROLLBACK");
    co_return reset.error();
  }
  auto added = co_await conn->query(
      "INSERT INTO search_queue(account_id, mailbox_id, uid, op) "
      "SELECT b.account_id, m.mailbox_id, m.uid, 'add' FROM messages m "
      "JOIN mailboxes b ON b.id = m.mailbox_id WHERE $1::bigint IS NULL OR b.account_id = $1 "
      "ORDER BY m.mailbox_id, m.uid",
      args);
  if (!added) {
    co_await conn->execute("ROLLBACK");
    co_return added.error();
  }
  POSTA_CO_TRY(co_await conn->execute("COMMIT"));
  wake();
  co_return added->affected();
}

}  // namespace posta::mail::index
