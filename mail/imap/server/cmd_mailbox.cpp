// Mailbox management: CREATE (RFC 3501 6.3.3, RFC 6154 USE), DELETE,
// RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS (RFC 3501 6.3.10, RFC 7162
// HIGHESTMODSEQ, RFC 8438 SIZE, RFC 7889 APPENDLIMIT), and QUOTA (RFC 9208:
// one root "" per account, set by the administrator). For IMAP4rev2
// clients a name stored in another form than sent is told with OLDNAME
// (RFC 9051 6.3.4-6.3.6, 6.3.9.7).
#include "mail/imap/proto/response.hpp"
#include "mail/imap/server/session.hpp"
#include "mail/store/mailbox_store.hpp"

namespace posta::mail::imap::server {

asio::awaitable<bool> session::on(std::string const& tag, proto::create_cmd& c) {
  std::optional<std::string> use;
  if (c.special_use.size() > 1) {
    no(tag, "One special-use attribute per mailbox", "USEATTR");
    co_return true;
  }
  if (!c.special_use.empty()) use = c.special_use[0];
  auto r = co_await ctx_.mailboxes->create(account_id_, c.mailbox, use);
  if (!r && use && r.error().code == make_error_code(errc::invalid_argument)) no(tag, "Unknown special-use", "USEATTR");
  else if (!r) store_failed(tag, r.error(), "CREATE");
  else {
    send_oldname("", r->name, c.mailbox);
    ok(tag, "CREATE completed");
  }
  co_return true;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::mailbox_cmd& c) {
  result<void> r;
  bool own = false;  // DELETE of the selected mailbox
  char const* what = "DELETE";
  switch (c.verb) {
    case proto::mailbox_verb::delete_: {
      // By id: the selected mailbox may have been renamed elsewhere.
      if (selected_) {
        auto target = co_await ctx_.mailboxes->find(account_id_, c.mailbox);
        own = target && target->id == box_.mailbox_id;
      }
      r = co_await ctx_.mailboxes->remove(account_id_, c.mailbox);
      break;
    }
    case proto::mailbox_verb::subscribe:
      what = "SUBSCRIBE";
      r = co_await ctx_.mailboxes->subscribe(account_id_, c.mailbox);
      break;
    case proto::mailbox_verb::unsubscribe:
      what = "UNSUBSCRIBE";
      r = co_await ctx_.mailboxes->unsubscribe(account_id_, c.mailbox);
      break;
    case proto::mailbox_verb::getquotaroot: {
      auto id = co_await mailbox_id_of(tag, c.mailbox, false, "GETQUOTAROOT");
      if (!id) co_return true;
      send(proto::untagged("QUOTAROOT " + mailbox_name(c.mailbox) + " \"\""));
      proto::getquota_cmd root;
      bool go_on = co_await on(tag, root);
      co_return go_on;
    }
  }
  if (!r) {
    store_failed(tag, r.error(), what);
    co_return true;
  }
  if (c.verb == proto::mailbox_verb::delete_) {
    auto normal = store::normalise_name(c.mailbox, ctx_.mailboxes->limits().names);
    if (normal) send_oldname("\\NonExistent", *normal, c.mailbox);
    // Our own selected mailbox: the session leaves the selected state
    // rather than hear of it as "deleted elsewhere" (BYE).
    if (own) deselect();
  }
  ok(tag, std::string(what) + " completed");
  co_return true;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::rename_cmd& c) {
  auto r = co_await ctx_.mailboxes->rename(account_id_, c.from, c.to);
  if (!r) store_failed(tag, r.error(), "RENAME");
  else {
    send_oldname("", r->name, c.to);
    ok(tag, "RENAME completed");
  }
  co_return true;
}

std::string session::status_items(store::mailbox_status const& st, std::vector<proto::status_item> const& items) const {
  std::string out;
  auto add = [&](char const* name, std::int64_t v) {
    out += (out.empty() ? "" : " ") + std::string(name) + " " + std::to_string(v);
  };
  for (auto item : items) {
    switch (item) {
      case proto::status_item::messages: add("MESSAGES", st.messages); break;
      case proto::status_item::uidnext: add("UIDNEXT", st.uidnext); break;
      case proto::status_item::uidvalidity: add("UIDVALIDITY", st.uidvalidity); break;
      case proto::status_item::unseen: add("UNSEEN", st.unseen); break;
      case proto::status_item::deleted: add("DELETED", st.deleted); break;
      case proto::status_item::size: add("SIZE", st.size); break;
      case proto::status_item::recent: add("RECENT", st.recent); break;
      case proto::status_item::highestmodseq: add("HIGHESTMODSEQ", st.highestmodseq); break;
      case proto::status_item::appendlimit:
        add("APPENDLIMIT", static_cast<std::int64_t>(literal_limits_.max_message));
        break;
    }
  }
  return out;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::status_cmd& c) {
  auto id = co_await mailbox_id_of(tag, c.mailbox, false, "STATUS");
  if (!id) co_return true;
  auto st = co_await ctx_.mailboxes->status({account_id_, *id});
  if (!st) {
    store_failed(tag, st.error(), "STATUS");
    co_return true;
  }
  send(proto::untagged("STATUS " + mailbox_name(c.mailbox) + " (" + status_items(*st, c.items) + ")"));
  ok(tag, "STATUS completed");
  co_return true;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::getquota_cmd& c) {
  if (!c.root.empty()) {
    no(tag, "No such quota root", "NONEXISTENT");
    co_return true;
  }
  auto q = co_await ctx_.mailboxes->quota(account_id_);
  if (!q) {
    store_failed(tag, q.error(), "GETQUOTA");
    co_return true;
  }
  std::string res;
  if (q->storage_limit_kib)
    res += "STORAGE " + std::to_string(q->storage_used_kib) + " " + std::to_string(*q->storage_limit_kib);
  if (q->messages_limit)
    res += (res.empty() ? "" : " ") + std::string("MESSAGE ") + std::to_string(q->messages_used) + " " +
           std::to_string(*q->messages_limit);
  send(proto::untagged("QUOTA \"\" (" + res + ")"));
  ok(tag, "GETQUOTA completed");
  co_return true;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::setquota_cmd&) {
  // Quotas are the administrator's (posta account quota).
  no(tag, "Quotas are set by the administrator", "NOPERM");
  co_return true;
}

}  // namespace posta::mail::imap::server
