// One delivering transaction for a batch of accepted messages: blob rows,
// structures, recipient expansion, UID/MODSEQ assignment under the INBOX row
// locks (taken in id order, so concurrent batches cannot deadlock), message
// rows, queue rows, the failure notices for recipients no mailbox took, and
// the NOTIFY that wakes IMAP sessions — all or nothing.
#include "core/db/arrays.hpp"
#include "mail/delivery/bounce.hpp"
#include "mail/delivery/committer.hpp"
#include "mail/delivery/idempotency.hpp"
#include "mail/delivery/recipients.hpp"
#include "mail/queue/channel.hpp"
#include "mail/store/pin_structures.hpp"

#include <map>
#include <set>

namespace posta::mail::delivery {
namespace {

struct inbox {
  std::int64_t id = 0;
  std::int64_t uidnext = 0;
  std::int64_t modseq = 0;
  std::int64_t quota = 0;
  std::int64_t used = 0;
  std::int64_t quota_messages = 0;  // RFC 9208 MESSAGE (schema/008), 0 = none
  std::int64_t used_messages = 0;
};

struct rows_to_insert {
  std::vector<std::int64_t> mailbox, uid, modseq, size;
  std::vector<std::string> prefix, hash, delivery;
  std::vector<std::string> q_delivery, q_hash, q_sender, q_rcpt, q_envid, q_ret, q_notify, q_orcpt, q_ip, q_utf8, q_body, q_sign;

  std::int64_t count() const { return static_cast<std::int64_t>(mailbox.size() + q_rcpt.size()); }
};

std::string header_prefix(std::string const& sender, std::string const& delivered_to) {
  return "Return-Path: <" + sender + ">\r\nDelivered-To: " + delivered_to + "\r\n";
}

asio::awaitable<result<std::map<std::int64_t, inbox>>> lock_inboxes(db::connection& c, std::set<std::int64_t> const& ids) {
  std::map<std::int64_t, inbox> out;
  if (ids.empty()) co_return out;
  POSTA_CO_TRY_ASSIGN(auto rows, co_await c.q("SELECT m.account_id, m.id, m.uidnext, m.highestmodseq, a.quota_bytes, a.used_bytes, "
                                              "a.quota_messages, a.used_messages "
                                              "FROM mailboxes m JOIN accounts a ON a.id = m.account_id "
                                              "WHERE m.account_id = ANY($1::bigint[]) AND m.name = 'INBOX' "
                                              "ORDER BY m.id FOR UPDATE OF m",
                                              db::int_array({ids.begin(), ids.end()})));
  for (int i = 0; i < rows.size(); ++i)
    out[rows.i64(i, 0)] = inbox{rows.i64(i, 1), rows.i64(i, 2), rows.i64(i, 3), rows.i64(i, 4), rows.i64(i, 5),
                                rows.i64(i, 6), rows.i64(i, 7)};
  co_return out;
}

// A full mailbox refuses; one under its quota takes the message that
// crosses the line if it ends within the grace. The same rule for the
// message count (mail/store applies both to APPEND and COPY).
bool within(std::int64_t limit, std::int64_t used, std::int64_t adding, std::int64_t grace_percent) {
  if (limit <= 0) return true;
  return used < limit && used + adding <= limit + limit * grace_percent / 100;
}

bool fits(inbox const& box, std::int64_t size, std::int64_t grace_percent) {
  return within(box.quota, box.used, size, grace_percent) &&
         within(box.quota_messages, box.used_messages, 1, grace_percent);
}

void place_local(request const& req, expansion const& exp, std::map<std::int64_t, inbox>& boxes, rows_to_insert& rows,
                 report& rep, std::int64_t grace_percent) {
  for (auto const& [account, address] : exp.accounts) {
    auto it = boxes.find(account);
    if (it == boxes.end()) continue;  // account deleted meanwhile
    auto& box = it->second;
    auto prefix = header_prefix(req.sender, address);
    auto size = static_cast<std::int64_t>(prefix.size()) + req.blob.size;
    if (!fits(box, size, grace_percent)) {
      rep.over_quota.push_back(address);
      continue;
    }
    box.used += size;
    ++box.used_messages;
    rows.mailbox.push_back(box.id);
    rows.uid.push_back(box.uidnext++);
    rows.modseq.push_back(++box.modseq);
    rows.size.push_back(size);
    rows.prefix.push_back(std::move(prefix));
    rows.hash.push_back(req.blob.hash);
    rows.delivery.push_back(req.delivery_id);
    rep.delivered.push_back(address);
  }
}

void place_remote(request const& req, expansion const& exp, rows_to_insert& rows, report& rep) {
  for (auto const& address : exp.remote) {
    recipient const* direct = nullptr;
    for (auto const& r : req.recipients)
      if (r.address == address) direct = &r;
    rows.q_delivery.push_back(req.delivery_id);
    rows.q_hash.push_back(req.blob.hash);
    rows.q_sender.push_back(req.sender);
    rows.q_rcpt.push_back(address);
    rows.q_envid.push_back(req.envid.value_or(""));
    rows.q_ret.push_back(req.ret.value_or(""));
    rows.q_notify.push_back(direct && direct->notify ? *direct->notify : "");
    rows.q_orcpt.push_back(direct && direct->orcpt ? *direct->orcpt : "");
    rows.q_ip.push_back(req.client_ip);
    rows.q_utf8.push_back(req.smtputf8 ? "t" : "f");
    rows.q_body.push_back(req.body_type.value_or(""));
    rows.q_sign.push_back(req.may_sign ? "t" : "f");
    rep.queued.push_back(address);
  }
}

std::vector<db::statement> statements_for(rows_to_insert const& rows, std::map<std::int64_t, inbox> const& boxes) {
  std::vector<db::statement> out;
  if (!rows.mailbox.empty()) {
    out.push_back({"INSERT INTO messages(mailbox_id, uid, modseq, header_prefix, blob_hash, size, delivery_id) "
                   "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], "
                   "$7::text[])",
                   db::make_params(db::int_array(rows.mailbox), db::int_array(rows.uid), db::int_array(rows.modseq),
                                   db::text_array(rows.prefix), db::text_array(rows.hash), db::int_array(rows.size),
                                   db::text_array(rows.delivery))});
    std::vector<std::int64_t> ids, uidnext, modseq;
    for (auto const& [account, box] : boxes) {
      ids.push_back(box.id);
      uidnext.push_back(box.uidnext);
      modseq.push_back(box.modseq);
    }
    out.push_back({"UPDATE mailboxes m SET uidnext = v.uidnext, highestmodseq = v.modseq "
                   "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v(id, uidnext, modseq) "
                   "WHERE m.id = v.id AND (m.uidnext <> v.uidnext OR m.highestmodseq <> v.modseq)",
                   db::make_params(db::int_array(ids), db::int_array(uidnext), db::int_array(modseq))});
    // Wakes IMAP IDLE sessions on every node (payload: mailbox id).
    out.push_back({"SELECT pg_notify('posta_mailbox', x::text) FROM (SELECT DISTINCT unnest($1::bigint[]) AS x) d",
                   db::make_params(db::int_array(rows.mailbox))});
  }
  if (!rows.q_rcpt.empty()) {
    out.push_back({"INSERT INTO queue(blob_hash, sender, recipient, envid, ret, notify, orcpt, client_ip, delivery_id, "
                   "smtputf8, body_type, may_sign) "
                   "SELECT h, s, r, nullif(e, ''), nullif(rt, ''), nullif(n, ''), nullif(o, ''), ip, d, u, nullif(bt, ''), k FROM "
                   "unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], "
                   "$9::text[], $10::boolean[], $11::text[], $12::boolean[]) AS v(h, s, r, e, rt, n, o, ip, d, u, bt, k)",
                   db::make_params(db::text_array(rows.q_hash), db::text_array(rows.q_sender), db::text_array(rows.q_rcpt),
                                   db::text_array(rows.q_envid), db::text_array(rows.q_ret), db::text_array(rows.q_notify),
                                   db::text_array(rows.q_orcpt), db::text_array(rows.q_ip),
                                   db::text_array(rows.q_delivery), db::text_array(rows.q_utf8),
                                   db::text_array(rows.q_body), db::text_array(rows.q_sign))});
    out.push_back({std::string("SELECT pg_notify('") + queue::notify_channel + "', '')", {}});
  }
  return out;
}

}  // namespace

namespace {

// The bodies a batch stores, each with the rows that refer to it, and their
// parsed structures.
struct blob_uses {
  std::vector<blob::blob_use> uses;
  std::vector<std::string> structures;

  void add(request const& req, std::int64_t references) {
    if (references == 0) return;  // reached nobody: nothing to keep
    uses.push_back({req.blob, references});
    structures.push_back(req.structure_json);
  }
};

}  // namespace

namespace {

std::vector<failed_recipient> failures_of(report const& rep, expansion const& exp) {
  std::vector<failed_recipient> out;
  for (auto const& address : rep.over_quota) out.push_back({address, "5.2.2", "552 5.2.2 Mailbox full"});
  for (auto const& g : exp.gone)
    out.push_back({g.address, g.status,
                   g.status == "5.2.1" ? "550 5.2.1 Mailbox disabled" : "550 5.1.1 No such user"});
  return out;
}


// The failure notice of one delivered job, placed in its sender's mailbox (or
// queue), when one is due; a job that reached nobody is refused at the end of
// DATA instead.
std::optional<request> place_notice(request const& original, expansion const& exp, expansion const& sender,
                                    std::map<std::int64_t, inbox>& boxes, rows_to_insert& rows, report& rep,
                                    std::int64_t grace) {
  if (rep.reached_nobody_it_should()) return std::nullopt;
  auto notice = failure_notice(original, failures_of(rep, exp));
  if (!notice) return std::nullopt;
  notice->delivery_id = original.delivery_id + ".notice";
  report placed;
  place_local(*notice, sender, boxes, rows, placed, grace);
  place_remote(*notice, sender, rows, placed);
  rep.notice_sent = !placed.delivered.empty() || !placed.queued.empty();
  return notice;
}

}  // namespace

// Every address the batch will look up first: its recipients, and the
// senders that may get a notice.
std::vector<std::string> committer::addresses_of(std::vector<job*> const& batch) {
  std::set<std::string> unique;
  for (auto* j : batch) {
    auto const& req = job_request(j);
    for (auto const& r : req.recipients) unique.insert(r.address);
    if (req.sender_authenticated && !req.sender.empty()) unique.insert(req.sender);
  }
  return {unique.begin(), unique.end()};
}

asio::awaitable<result<std::vector<report>>> committer::commit(std::vector<job*> const& all) {
  co_return co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<std::vector<report>>> {
    // DURABILITY: a job tried before may have committed (a COMMIT lost with
    // its connection): its stored report is the answer, not a second copy.
    std::vector<std::string> retried;
    for (auto* j : all)
      if (job_was_tried(j)) retried.push_back(job_request(j).delivery_id);
    POSTA_CO_TRY_ASSIGN(auto earlier, co_await committed_earlier(c, retried));
    std::vector<job*> batch;
    for (auto* j : all)
      if (!earlier.contains(job_request(j).delivery_id)) batch.push_back(j);
    POSTA_CO_TRY_ASSIGN(auto fresh, co_await commit_in(c, batch));
    std::vector<report> reports;
    for (auto* j : all) {
      auto const& id = job_request(j).delivery_id;
      reports.push_back(earlier.contains(id) ? earlier[id] : std::move(fresh[id]));
    }
    co_return reports;
  });
}

// The delivering statements of `batch` inside the open transaction `c`.
asio::awaitable<result<std::map<std::string, report>>> committer::commit_in(db::connection& c,
                                                                           std::vector<job*> const& batch) {
  std::map<std::string, report> out;
  if (batch.empty()) co_return out;
  auto grace = quota_grace_percent_.load();
  POSTA_CO_TRY_ASSIGN(auto known, co_await resolver::prefetch(c, addresses_of(batch)));
  std::vector<expansion> expansions, senders(batch.size());
  std::set<std::int64_t> accounts;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto const& req = job_request(batch[i]);
    std::vector<std::string> addresses;
    for (auto const& r : req.recipients) addresses.push_back(r.address);
    POSTA_CO_TRY_ASSIGN(auto exp, co_await resolver::expand(c, addresses, &known));
    for (auto const& [id, address] : exp.accounts) accounts.insert(id);
    expansions.push_back(std::move(exp));
    // The sender's INBOX is locked with the others, in case a notice is due.
    if (!req.sender_authenticated || req.sender.empty()) continue;
    std::vector<std::string> sender(1, req.sender);
    POSTA_CO_TRY_ASSIGN(senders[i], co_await resolver::expand(c, sender, &known));
    for (auto const& [id, address] : senders[i].accounts) accounts.insert(id);
  }
  POSTA_CO_TRY_ASSIGN(auto boxes, co_await lock_inboxes(c, accounts));
  rows_to_insert rows;
  blob_uses blobs;
  std::vector<report> reports(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto before = rows.count();
    place_local(job_request(batch[i]), expansions[i], boxes, rows, reports[i], grace);
    place_remote(job_request(batch[i]), expansions[i], rows, reports[i]);
    blobs.add(job_request(batch[i]), rows.count() - before);
    for (auto const& g : expansions[i].gone) reports[i].gone.push_back(g.address);
  }
  // DURABILITY: failure notices commit with the messages they report on.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto before = rows.count();
    auto notice = place_notice(job_request(batch[i]), expansions[i], senders[i], boxes, rows, reports[i], grace);
    if (notice) blobs.add(*notice, rows.count() - before);
  }
  // Lock order: INBOX rows (id order, above), then blob rows (hash order).
  POSTA_CO_TRY(co_await store::pin_with_structures(c, blobs_, blobs.uses, blobs.structures));
  auto statements = statements_for(rows, boxes);
  std::vector<std::string> ids;
  for (auto* j : batch) ids.push_back(job_request(j).delivery_id);
  statements.push_back(record_deliveries(ids, reports));
  POSTA_CO_TRY(co_await c.pipeline(std::move(statements)));
  for (std::size_t i = 0; i < batch.size(); ++i) out.emplace(ids[i], std::move(reports[i]));
  co_return out;
}

}  // namespace posta::mail::delivery
