#include "mail/queue/queue_admin.hpp"

#include "core/journal/journal.hpp"
#include "mail/queue/channel.hpp"

#include <algorithm>

namespace posta::mail::queue {
namespace {

// A message is its delivery id, or its row id for a row written without one
// (the expression of schema/014's index queue_message).
constexpr char const* message_of_row = "coalesce(q.delivery_id, q.id::text)";

std::string utc(std::string const& column) {
  return "coalesce(to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')";
}

// The columns read_recipient() reads, for rows `q` joined with their blob `b`.
std::string recipient_columns() {
  return std::string(message_of_row) + " AS message_id, q.sender, q.recipient, b.size, q.attempts, " +
         utc("q.next_attempt_at") + " AS next_attempt_at, q.last_code, coalesce(q.last_reply, '') AS last_reply, " +
         utc("q.last_attempt_at") + " AS last_attempt_at, " +
         "(q.leased_by IS NOT NULL AND q.lease_expires_at > now()) AS in_delivery, " + utc("q.created_at") +
         " AS queued_at, greatest(extract(epoch FROM now() - q.created_at), 0)::bigint AS age";
}

// Rows ordered by message then recipient become messages: consecutive rows
// of one message id are its recipients.
std::vector<queued_message_view> read_messages(db::rows const& rows) {
  std::vector<queued_message_view> out;
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.is_null(i, "message_id")) continue;  // the total's row of an empty page
    auto id = rows.str(i, "message_id");
    if (out.empty() || out.back().id != id) {
      queued_message_view m;
      m.id = std::move(id);
      m.sender = rows.str(i, "sender");
      m.size = rows.i64(i, "size");
      m.queued_at = rows.str(i, "queued_at");
      m.age_seconds = rows.i64(i, "age");
      out.push_back(std::move(m));
    }
    queued_recipient_view r;
    r.address = rows.str(i, "recipient");
    r.attempts = static_cast<int>(rows.i64(i, "attempts"));
    r.next_attempt_at = rows.str(i, "next_attempt_at");
    if (!rows.is_null(i, "last_code")) r.last_code = static_cast<int>(rows.i64(i, "last_code"));
    r.last_reply = rows.str(i, "last_reply");
    r.last_attempt_at = rows.str(i, "last_attempt_at");
    r.in_delivery = rows.boolean(i, "in_delivery");
    out.back().recipients.push_back(std::move(r));
  }
  return out;
}

void journal_action(std::string text, std::int64_t recipients, std::string const& client, std::string const& id = "") {
  boost::json::object fields{{"recipients", recipients}, {"client", client}};
  if (!id.empty()) fields["id"] = id;
  journal::record(journal::level::info, "queue", std::move(text), std::move(fields));
}

// Every node's runner: forget backoffs, look for due rows.
std::string notify_flush() {
  return std::string("pg_notify('") + notify_channel + "', '" + flush_payload + "')";
}

}  // namespace

int queued_message_view::attempts() const {
  int most = 0;
  for (auto const& r : recipients) most = std::max(most, r.attempts);
  return most;
}

std::string queued_message_view::next_attempt_at() const {
  std::string soonest;
  for (auto const& r : recipients)
    if (!r.in_delivery && (soonest.empty() || r.next_attempt_at < soonest)) soonest = r.next_attempt_at;
  return soonest;  // ISO 8601 UTC strings of one format order as times do
}

queued_recipient_view const* queued_message_view::last_attempted() const {
  queued_recipient_view const* latest = nullptr;
  for (auto const& r : recipients)
    if (!r.last_attempt_at.empty() && (!latest || r.last_attempt_at > latest->last_attempt_at)) latest = &r;
  return latest;
}

result<void> validate(queue_filter const& f) {
  if (f.page < 1) return make_error(errc::invalid_argument, "page must be 1 or more");
  if (f.page_size < 1 || f.page_size > 1000) return make_error(errc::invalid_argument, "page_size must be 1 to 1000");
  return {};
}

asio::awaitable<result<queue_listing>> list_queue(db::pool& pool, queue_filter filter) {
  POSTA_CO_TRY(validate(filter));
  // One statement, so the total and the page agree; the left join keeps the
  // total's row when the page is empty.
  std::string sql =
      std::string("WITH m AS (SELECT ") + message_of_row + " AS mid, min(q.id) AS first FROM queue q "
      "  WHERE $1 = '' OR strpos(lower(q.sender), lower($1)) > 0 OR strpos(lower(q.recipient), lower($1)) > 0 "
      "  GROUP BY 1), "
      "page AS (SELECT mid, first FROM m ORDER BY first LIMIT $2 OFFSET $3) "
      "SELECT t.total, r.* FROM (SELECT count(*) AS total FROM m) t LEFT JOIN ("
      "  SELECT p.first, q.id AS row_id, " + recipient_columns() +
      "  FROM page p JOIN queue q ON " + message_of_row + " = p.mid JOIN blobs b ON b.hash = q.blob_hash) r ON true "
      "ORDER BY r.first, r.row_id";
  auto const offset = static_cast<std::int64_t>(filter.page - 1) * filter.page_size;
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q(std::move(sql), filter.text,
                                                  static_cast<std::int64_t>(filter.page_size), offset));
  queue_listing out;
  if (!rows.empty()) out.total = rows.i64(0, "total");
  out.messages = read_messages(rows);
  co_return out;
}

asio::awaitable<result<std::optional<queued_message_detail>>> show_queued(db::pool& pool, std::string id) {
  std::string sql = "SELECT " + recipient_columns() + " FROM queue q JOIN blobs b ON b.hash = q.blob_hash WHERE " +
                    message_of_row + " = $1 ORDER BY q.id";
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q(std::move(sql), id));
  auto messages = read_messages(rows);
  if (messages.empty()) co_return std::optional<queued_message_detail>{};
  queued_message_detail out{std::move(messages.front()), {}};
  POSTA_CO_TRY_ASSIGN(auto tries, co_await pool.q("SELECT " + utc("attempted_at") +
                                                       " AS at, recipient, host, code, reply, outcome "
                                                       "FROM queue_attempts WHERE message_id = $1 ORDER BY id",
                                                   id));
  for (int i = 0; i < tries.size(); ++i)
    out.attempts.push_back({tries.str(i, "at"), tries.str(i, "recipient"), tries.str(i, "host"),
                            static_cast<int>(tries.i64(i, "code")), tries.str(i, "reply"), tries.str(i, "outcome")});
  co_return std::optional<queued_message_detail>(std::move(out));
}

asio::awaitable<result<std::int64_t>> flush_queue(db::pool& pool, std::string client) {
  // Rows a runner holds are left to it; lapsed leases count as waiting.
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("WITH due AS (UPDATE queue SET next_attempt_at = now() "
                                                  "  WHERE next_attempt_at > now() "
                                                  "  AND (leased_by IS NULL OR lease_expires_at < now()) RETURNING 1) "
                                                  "SELECT count(*), " + notify_flush() + " FROM due"));
  auto n = rows.i64(0, 0);
  journal_action("queue flushed: deferred recipients are tried now", n, client);
  co_return n;
}

asio::awaitable<result<std::int64_t>> resend_queued(db::pool& pool, std::string id, std::string client) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q(std::string("WITH due AS (UPDATE queue q SET next_attempt_at = now() "
                                                              "  WHERE ") + message_of_row + " = $1 RETURNING 1) "
                                                  "SELECT count(*), " + notify_flush() + " FROM due",
                                                  id));
  auto n = rows.i64(0, 0);
  if (n > 0) journal_action("queued message resent", n, client, id);
  co_return n;
}

asio::awaitable<result<std::int64_t>> delete_queued(db::pool& pool, std::string id, std::string client) {
  // The attempt row says where the message went when `posta queue show` or
  // the journal is asked later.
  POSTA_CO_TRY_ASSIGN(auto rows,
                      co_await pool.q(std::string("WITH gone AS (DELETE FROM queue q WHERE ") + message_of_row +
                                          " = $1 RETURNING q.id, q.recipient), "
                                          "recorded AS (INSERT INTO queue_attempts(queue_id, message_id, recipient, "
                                          "  code, reply, outcome) SELECT id, $1, recipient, 0, "
                                          "  'deleted by an administrator', 'deleted' FROM gone) "
                                          "SELECT count(*) FROM gone",
                                      id));
  auto n = rows.i64(0, 0);
  if (n > 0) journal_action("queued message deleted", n, client, id);
  co_return n;
}

asio::awaitable<result<std::int64_t>> clear_queue(db::pool& pool, std::string client) {
  // SECURITY: in batches, so a queue of millions stays within the statement
  // bound; what was deleted before a failure stays deleted (and journaled).
  constexpr std::int64_t batch = 5000;
  std::int64_t total = 0;
  for (;;) {
    auto rows = co_await pool.q(std::string("WITH picked AS (SELECT id FROM queue LIMIT $1), "
                                            "gone AS (DELETE FROM queue q USING picked WHERE q.id = picked.id "
                                            "  RETURNING q.id, ") + message_of_row + " AS mid, q.recipient), "
                                "recorded AS (INSERT INTO queue_attempts(queue_id, message_id, recipient, code, reply, "
                                "  outcome) SELECT id, mid, recipient, 0, 'deleted by an administrator', 'deleted' "
                                "  FROM gone) "
                                "SELECT count(*) FROM gone",
                                batch);
    if (!rows) {
      if (total > 0) journal_action("queue cleared in part", total, client);
      co_return rows.error();
    }
    auto n = rows->i64(0, 0);
    total += n;
    if (n < batch) break;
  }
  journal_action("queue cleared", total, client);
  co_return total;
}

}  // namespace posta::mail::queue
