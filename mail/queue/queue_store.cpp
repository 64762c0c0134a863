// The runner's SQL over `queue` and `queue_attempts` (schema/013).
#include "mail/queue/queue_store.hpp"

#include "core/db/arrays.hpp"

namespace posta::mail::queue {
namespace {

std::int64_t seconds_of(std::chrono::seconds s) { return static_cast<std::int64_t>(s.count()); }

}  // namespace

std::string_view outcome_name(outcome_kind k) {
  switch (k) {
    case outcome_kind::delivered: return "delivered";
    case outcome_kind::deferred: return "deferred";
    case outcome_kind::bounced: return "bounced";
    case outcome_kind::expired: return "expired";
  }
  return "deferred";
}

asio::awaitable<result<std::vector<queued_recipient>>> queue_store::claim(std::size_t limit,
                                                                          std::vector<std::string> skipped,
                                                                          std::chrono::seconds lease) {
  // SKIP LOCKED: rows another runner is claiming in this instant are passed
  // over, not waited for; the lease then keeps them apart after the commit.
  std::string sql =
      "WITH picked AS (SELECT id FROM queue WHERE next_attempt_at <= now() "
      "    AND (leased_by IS NULL OR lease_expires_at < now()) "
      "    AND NOT (coalesce(domain, '') = ANY($3::text[])) "
      "  ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED), "
      "claimed AS (UPDATE queue q SET leased_by = $1, lease_expires_at = now() + $4::int * interval '1 second' "
      "  FROM picked WHERE q.id = picked.id "
      "  RETURNING q.id, q.blob_hash, q.sender, q.recipient, coalesce(q.domain, '') AS domain, q.envid, q.ret, "
      "    q.notify, q.orcpt, q.delivery_id, q.attempts, q.delay_notice_sent, q.smtputf8, q.body_type, q.may_sign, "
      "    greatest(extract(epoch FROM now() - q.created_at), 0)::bigint AS age) "
      "SELECT c.*, b.size FROM claimed c JOIN blobs b ON b.hash = c.blob_hash ORDER BY c.id";
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q(std::move(sql), node_, static_cast<std::int64_t>(limit),
                                                   db::text_array(skipped), seconds_of(lease)));
  std::vector<queued_recipient> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    queued_recipient r;
    r.id = rows.i64(i, "id");
    r.blob_hash = rows.str(i, "blob_hash");
    r.size = rows.i64(i, "size");
    r.sender = rows.str(i, "sender");
    r.recipient = rows.str(i, "recipient");
    r.domain = rows.str(i, "domain");
    r.envid = rows.opt(i, rows.column("envid"));
    r.ret = rows.opt(i, rows.column("ret"));
    r.notify = rows.opt(i, rows.column("notify"));
    r.orcpt = rows.opt(i, rows.column("orcpt"));
    r.delivery_id = rows.opt(i, rows.column("delivery_id"));
    r.attempts = static_cast<int>(rows.i64(i, "attempts"));
    r.delay_notice_sent = rows.boolean(i, "delay_notice_sent");
    r.smtputf8 = rows.boolean(i, "smtputf8");
    r.body_type = rows.opt(i, rows.column("body_type"));
    r.may_sign = rows.boolean(i, "may_sign");
    r.age = std::chrono::seconds(rows.i64(i, "age"));
    out.push_back(std::move(r));
  }
  co_return out;
}

asio::awaitable<result<std::int64_t>> queue_store::reclaim_earlier_leases() {
  // left() rather than LIKE: a node name may hold '_' or '%'.
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q("UPDATE queue SET leased_by = NULL, lease_expires_at = NULL "
                                                   "WHERE left(leased_by, length($1) + 1) = $1 || '/' AND leased_by <> $2",
                                                   node_name_, node_));
  co_return rows.affected();
}

asio::awaitable<result<void>> queue_store::extend(std::vector<std::int64_t> ids, std::chrono::seconds lease) {
  if (ids.empty()) co_return result<void>{};
  POSTA_CO_TRY(co_await pool_.q("UPDATE queue SET lease_expires_at = now() + $3::int * interval '1 second' "
                                "WHERE leased_by = $1 AND id = ANY($2::bigint[])",
                                node_, db::int_array(ids), seconds_of(lease)));
  co_return result<void>{};
}

asio::awaitable<result<void>> queue_store::settle(std::vector<outcome> const& outcomes) {
  if (outcomes.empty()) co_return result<void>{};
  std::vector<std::int64_t> ids, codes, waits;
  std::vector<std::string> kinds, replies, hosts, noticed;
  for (auto const& o : outcomes) {
    ids.push_back(o.id);
    kinds.emplace_back(outcome_name(o.kind));
    codes.push_back(o.code);
    replies.push_back(o.reply);
    hosts.push_back(o.host);
    waits.push_back(seconds_of(o.retry_in));
    noticed.emplace_back(o.delay_notice_sent ? "true" : "false");
  }
  // One statement: data-modifying CTEs see the same snapshot, so the
  // attempts are recorded from the rows as they were before the delete.
  std::string sql =
      "WITH o AS (SELECT * FROM unnest($2::bigint[], $3::text[], $4::int[], $5::text[], $6::text[], $7::bigint[], "
      "    $8::boolean[]) AS o(id, outcome, code, reply, host, wait, noticed)), "
      "mine AS (SELECT q.id, coalesce(q.delivery_id, q.id::text) AS message_id, q.recipient, o.outcome, o.code, o.reply, o.host, o.wait, o.noticed "
      "    FROM queue q JOIN o ON q.id = o.id WHERE q.leased_by = $1), "
      "recorded AS (INSERT INTO queue_attempts(queue_id, message_id, recipient, host, code, reply, outcome) "
      "    SELECT id, message_id, recipient, host, code, reply, outcome FROM mine), "
      "gone AS (DELETE FROM queue q USING mine WHERE q.id = mine.id AND mine.outcome <> 'deferred'), "
      "waiting AS (UPDATE queue q SET attempts = q.attempts + 1, last_attempt_at = now(), last_code = mine.code, "
      "    last_reply = mine.reply, next_attempt_at = now() + mine.wait * interval '1 second', "
      "    delay_notice_sent = q.delay_notice_sent OR mine.noticed, leased_by = NULL, lease_expires_at = NULL "
      "    FROM mine WHERE q.id = mine.id AND mine.outcome = 'deferred') "
      "SELECT 1";
  POSTA_CO_TRY(co_await pool_.q(std::move(sql), node_, db::int_array(ids), db::text_array(kinds),
                                db::int_array(codes), db::text_array(replies), db::text_array(hosts),
                                db::int_array(waits), db::text_array(noticed)));
  co_return result<void>{};
}

asio::awaitable<result<void>> queue_store::release(std::vector<std::int64_t> ids) {
  if (ids.empty()) co_return result<void>{};
  POSTA_CO_TRY(co_await pool_.q("UPDATE queue SET leased_by = NULL, lease_expires_at = NULL "
                                "WHERE leased_by = $1 AND id = ANY($2::bigint[])",
                                node_, db::int_array(ids)));
  co_return result<void>{};
}

asio::awaitable<result<std::optional<std::chrono::seconds>>> queue_store::next_due_in(std::vector<std::string> skipped) {
  POSTA_CO_TRY_ASSIGN(auto rows,
                      co_await pool_.q("SELECT CASE WHEN due IS NULL THEN NULL "
                                       "  ELSE greatest(ceil(extract(epoch FROM due - now())), 0)::bigint END "
                                       "FROM (SELECT min(next_attempt_at) AS due FROM queue "
                                       "  WHERE (leased_by IS NULL OR lease_expires_at < now()) "
                                       "  AND NOT (coalesce(domain, '') = ANY($1::text[]))) m",
                                       db::text_array(skipped)));
  if (rows.empty() || rows.is_null(0, 0)) co_return std::optional<std::chrono::seconds>{};
  co_return std::optional<std::chrono::seconds>(std::chrono::seconds(rows.i64(0, 0)));
}

}  // namespace posta::mail::queue
