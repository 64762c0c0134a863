// One delivering transaction for a batch of accepted messages: blob rows,
// structures, recipient expansion, UID/MODSEQ assignment under the INBOX row
// locks (taken in id order, so concurrent batches cannot deadlock), message
// rows, queue rows and the NOTIFY that wakes IMAP sessions — all or nothing.
#include "core/db/arrays.hpp"
#include "mail/delivery/committer.hpp"
#include "mail/delivery/recipients.hpp"

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
};

struct rows_to_insert {
  std::vector<std::int64_t> mailbox, uid, modseq, size;
  std::vector<std::string> prefix, hash;
  std::vector<std::string> q_hash, q_sender, q_rcpt, q_envid, q_ret, q_notify, q_orcpt, q_ip;
};

std::string header_prefix(std::string const& sender, std::string const& delivered_to) {
  return "Return-Path: <" + sender + ">\r\nDelivered-To: " + delivered_to + "\r\n";
}

asio::awaitable<result<std::map<std::int64_t, inbox>>> lock_inboxes(db::connection& c, std::set<std::int64_t> const& ids) {
  std::map<std::int64_t, inbox> out;
  if (ids.empty()) co_return out;
  POSTA_CO_TRY_ASSIGN(auto rows, co_await c.q("SELECT m.account_id, m.id, m.uidnext, m.highestmodseq, a.quota_bytes, a.used_bytes "
                                              "FROM mailboxes m JOIN accounts a ON a.id = m.account_id "
                                              "WHERE m.account_id = ANY($1::bigint[]) AND m.name = 'INBOX' "
                                              "ORDER BY m.id FOR UPDATE OF m",
                                              db::int_array({ids.begin(), ids.end()})));
  for (int i = 0; i < rows.size(); ++i)
    out[rows.i64(i, 0)] = inbox{rows.i64(i, 1), rows.i64(i, 2), rows.i64(i, 3), rows.i64(i, 4), rows.i64(i, 5)};
  co_return out;
}

void place_local(request const& req, expansion const& exp, std::map<std::int64_t, inbox>& boxes, rows_to_insert& rows,
                 report& rep) {
  for (auto const& [account, address] : exp.accounts) {
    auto it = boxes.find(account);
    if (it == boxes.end()) continue;  // account deleted meanwhile
    auto& box = it->second;
    auto prefix = header_prefix(req.sender, address);
    auto size = static_cast<std::int64_t>(prefix.size()) + req.blob.size;
    if (box.quota > 0 && box.used + size > box.quota) {
      rep.over_quota.push_back(address);
      continue;
    }
    box.used += size;
    rows.mailbox.push_back(box.id);
    rows.uid.push_back(box.uidnext++);
    rows.modseq.push_back(++box.modseq);
    rows.size.push_back(size);
    rows.prefix.push_back(std::move(prefix));
    rows.hash.push_back(req.blob.hash);
    rep.delivered.push_back(address);
  }
}

void place_remote(request const& req, expansion const& exp, rows_to_insert& rows, report& rep) {
  for (auto const& address : exp.remote) {
    recipient const* direct = nullptr;
    for (auto const& r : req.recipients)
      if (r.address == address) direct = &r;
    rows.q_hash.push_back(req.blob.hash);
    rows.q_sender.push_back(req.sender);
    rows.q_rcpt.push_back(address);
    rows.q_envid.push_back(req.envid.value_or(""));
    rows.q_ret.push_back(req.ret.value_or(""));
    rows.q_notify.push_back(direct && direct->notify ? *direct->notify : "");
    rows.q_orcpt.push_back(direct && direct->orcpt ? *direct->orcpt : "");
    rows.q_ip.push_back(req.client_ip);
    rep.queued.push_back(address);
  }
}

std::vector<db::statement> statements_for(rows_to_insert const& rows, std::map<std::int64_t, inbox> const& boxes) {
  std::vector<db::statement> out;
  if (!rows.mailbox.empty()) {
    out.push_back({"INSERT INTO messages(mailbox_id, uid, modseq, header_prefix, blob_hash, size) "
                   "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[])",
                   db::make_params(db::int_array(rows.mailbox), db::int_array(rows.uid), db::int_array(rows.modseq),
                                   db::text_array(rows.prefix), db::text_array(rows.hash), db::int_array(rows.size))});
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
    out.push_back({"SELECT pg_notify('posta_mailbox', x::text) FROM unnest($1::bigint[]) x",
                   db::make_params(db::int_array(rows.mailbox))});
  }
  if (!rows.q_rcpt.empty()) {
    out.push_back({"INSERT INTO queue(blob_hash, sender, recipient, envid, ret, notify, orcpt, client_ip) "
                   "SELECT h, s, r, nullif(e, ''), nullif(rt, ''), nullif(n, ''), nullif(o, ''), ip FROM "
                   "unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) "
                   "AS v(h, s, r, e, rt, n, o, ip)",
                   db::make_params(db::text_array(rows.q_hash), db::text_array(rows.q_sender), db::text_array(rows.q_rcpt),
                                   db::text_array(rows.q_envid), db::text_array(rows.q_ret), db::text_array(rows.q_notify),
                                   db::text_array(rows.q_orcpt), db::text_array(rows.q_ip))});
    out.push_back({"SELECT pg_notify('posta_queue', '')", {}});
  }
  return out;
}

}  // namespace

// The blob rows and parsed structures of the whole batch, one statement each.
asio::awaitable<result<void>> committer::store_blobs(db::connection& c, std::vector<job*> const& batch) const {
  std::vector<blob::blob_ref> refs;
  std::vector<std::string> hashes, structures;
  for (auto* j : batch) {
    auto const& req = job_request(j);
    refs.push_back(req.blob);
    hashes.push_back(req.blob.hash);
    structures.push_back(req.structure_json);
  }
  POSTA_CO_TRY(co_await blobs_.pin(c, refs));
  POSTA_CO_TRY(co_await c.q("INSERT INTO blob_structures(hash, structure) "
                            "SELECT h, s::jsonb FROM unnest($1::text[], $2::text[]) AS v(h, s) "
                            "ON CONFLICT (hash) DO NOTHING",
                            db::text_array(hashes), db::text_array(structures)));
  co_return result<void>{};
}

asio::awaitable<result<std::vector<report>>> committer::commit(std::vector<job*> const& batch) {
  co_return co_await pool_.transaction([&](db::connection& c) -> asio::awaitable<result<std::vector<report>>> {
    POSTA_CO_TRY(co_await store_blobs(c, batch));
    std::vector<expansion> expansions;
    std::set<std::int64_t> accounts;
    for (auto* j : batch) {
      auto const& req = job_request(j);
      std::vector<std::string> addresses;
      for (auto const& r : req.recipients) addresses.push_back(r.address);
      POSTA_CO_TRY_ASSIGN(auto exp, co_await resolver::expand(c, addresses));
      for (auto const& [id, address] : exp.accounts) accounts.insert(id);
      expansions.push_back(std::move(exp));
    }
    POSTA_CO_TRY_ASSIGN(auto boxes, co_await lock_inboxes(c, accounts));
    rows_to_insert rows;
    std::vector<report> reports(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      place_local(job_request(batch[i]), expansions[i], boxes, rows, reports[i]);
      place_remote(job_request(batch[i]), expansions[i], rows, reports[i]);
    }
    auto statements = statements_for(rows, boxes);
    if (!statements.empty()) POSTA_CO_TRY(co_await c.pipeline(std::move(statements)));
    co_return reports;
  });
}

}  // namespace posta::mail::delivery
