// LIST and LSUB (RFC 3501 6.3.8/6.3.9) with LIST-EXTENDED (RFC 5258:
// SUBSCRIBED, RECURSIVEMATCH and SPECIAL-USE selection, several patterns),
// CHILDREN (RFC 3348), SPECIAL-USE (RFC 6154) and LIST-STATUS (RFC 5819).
#include "mail/imap/proto/list_match.hpp"
#include "mail/imap/proto/response.hpp"
#include "mail/imap/server/session.hpp"
#include "mail/store/mailbox_store.hpp"

#include <algorithm>
#include <map>

namespace posta::mail::imap::server {
namespace {

struct entry {
  bool exists = false;
  bool noselect = false;
  bool subscribed = false;
  bool has_children = false;
  bool subscribed_child = false;  // RECURSIVEMATCH: a subscribed name below
  std::int64_t id = 0;
  std::optional<std::string> special_use;
};

std::map<std::string, entry> collect(std::vector<store::mailbox_info> const& boxes,
                                     std::vector<std::string> const& subscriptions) {
  std::map<std::string, entry> all;
  for (auto const& b : boxes) {
    auto& e = all[b.name];
    e.exists = true;
    e.noselect = b.noselect;
    e.subscribed = b.subscribed;
    e.id = b.id;
    e.special_use = b.special_use;
  }
  for (auto const& s : subscriptions) all[s].subscribed = true;
  for (auto const& [name, e] : all) {
    for (auto slash = name.rfind('/'); slash != std::string::npos; slash = name.rfind('/', slash - 1)) {
      auto it = all.find(name.substr(0, slash));
      if (it != all.end()) {
        if (e.exists) it->second.has_children = true;
        if (e.subscribed) it->second.subscribed_child = true;
      }
      if (slash == 0) break;
    }
  }
  return all;
}

std::string attributes(entry const& e, proto::list_cmd const& c) {
  std::vector<std::string> a;
  if (!e.exists) a.push_back("\\NonExistent");
  if (e.noselect) a.push_back("\\Noselect");
  if (e.exists) a.push_back(e.has_children ? "\\HasChildren" : "\\HasNoChildren");
  if (e.subscribed && (c.select_subscribed || c.return_subscribed)) a.push_back("\\Subscribed");
  if (e.special_use) a.push_back(*e.special_use);
  std::string out;
  for (auto const& x : a) out += (out.empty() ? "" : " ") + x;
  return out;
}

bool selected_by(entry const& e, proto::list_cmd const& c) {
  if (c.select_subscribed && !e.subscribed && !(c.select_recursive_match && e.subscribed_child)) return false;
  if (c.select_special_use && !e.special_use) return false;
  if (!c.select_subscribed && !e.exists) return false;
  return true;
}

}  // namespace

std::string session::mailbox_name(std::string const& utf8) const {
  std::string out;
  proto::append_mailbox(out, utf8, parse_options_.utf8_accept);
  return out;
}

void session::send_oldname(std::string const& attributes, std::string const& canonical, std::string const& supplied,
                           bool always) {
  if (!rev2_) return;
  // INBOX in any case is INBOX: no other name for the client to forget.
  bool const renamed = supplied != canonical && !(store::is_inbox(canonical) && supplied.size() == canonical.size());
  if (!renamed && !always) return;
  auto line = "LIST (" + attributes + ") \"/\" " + mailbox_name(canonical);
  if (renamed) line += " (\"OLDNAME\" (" + mailbox_name(supplied) + "))";
  send(proto::untagged(line));
}

asio::awaitable<std::string> session::list_attributes_of(std::string const& name) {
  auto boxes = co_await ctx_.mailboxes->list(account_id_);
  if (!boxes) co_return std::string();  // trouble asking: the LIST goes without attributes
  auto const all = collect(*boxes, {});
  auto it = all.find(name);
  if (it == all.end()) co_return std::string();
  co_return attributes(it->second, proto::list_cmd{});
}

asio::awaitable<bool> session::on(std::string const& tag, proto::list_cmd& c) {
  char const* verb = c.lsub ? "LSUB" : "LIST";
  // RFC 3501 6.3.8: an empty pattern asks for the hierarchy separator.
  if (!c.lsub && c.patterns.size() == 1 && c.patterns[0].empty()) {
    send(proto::untagged("LIST (\\Noselect) \"/\" \"\""));
    ok(tag, "LIST completed");
    co_return true;
  }
  auto boxes = co_await ctx_.mailboxes->list(account_id_);
  if (!boxes) {
    store_failed(tag, boxes.error(), verb);
    co_return true;
  }
  auto subs = co_await ctx_.mailboxes->subscriptions(account_id_);
  if (!subs) {
    store_failed(tag, subs.error(), verb);
    co_return true;
  }
  if (c.lsub) c.select_subscribed = true;
  auto const all = collect(*boxes, *subs);
  std::vector<std::string> patterns;
  for (auto const& p : c.patterns) patterns.push_back(proto::list_pattern(c.reference, p, '/'));
  for (auto const& [name, e] : all) {
    bool match = std::any_of(patterns.begin(), patterns.end(),
                             [&](auto const& p) { return proto::list_matches(p, name, '/'); });
    if (!match || !selected_by(e, c)) continue;
    auto attrs = c.lsub ? std::string(e.exists && !e.noselect ? "" : "\\Noselect") : attributes(e, c);
    send(proto::untagged(std::string(verb) + " (" + attrs + ") \"/\" " + mailbox_name(name)));
    if (c.return_status && e.exists && !e.noselect) {
      auto st = co_await ctx_.mailboxes->status({account_id_, e.id});
      if (st) send(proto::untagged("STATUS " + mailbox_name(name) + " (" + status_items(*st, *c.return_status) + ")"));
    }
  }
  ok(tag, std::string(verb) + " completed");
  co_return true;
}

}  // namespace posta::mail::imap::server
