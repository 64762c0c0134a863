// SORT (RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO) with ESORT (RFC 5267)
// and THREAD=REFERENCES / THREAD=ORDEREDSUBJECT (RFC 5256 2): the SEARCH
// program picks the messages, the stored structures give the keys.
#include "mail/imap/proto/header_fields.hpp"
#include "mail/imap/proto/response.hpp"
#include "mail/imap/proto/sort.hpp"
#include "mail/imap/proto/thread.hpp"
#include "mail/imap/server/session.hpp"
#include "mail/mime/field_decoding.hpp"
#include "mail/store/mailbox_store.hpp"

#include <algorithm>

namespace posta::mail::imap::server {

namespace {

// RFC 5267 3.2: ESORT's MIN and MAX are the first and last in sort order,
// ALL the whole order.
std::string format_esort(std::string const& tag, bool uid, proto::result_options const& ret,
                         std::vector<std::uint32_t> const& ids) {
  std::string out = "* ESEARCH (TAG \"" + tag + "\")";
  if (uid) out += " UID";
  if (ret.min && !ids.empty()) out += " MIN " + std::to_string(ids.front());
  if (ret.max && !ids.empty()) out += " MAX " + std::to_string(ids.back());
  if (ret.count) out += " COUNT " + std::to_string(ids.size());
  if (ret.all && !ids.empty()) {
    out += " ALL ";
    for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  }
  return out + "\r\n";
}

}  // namespace

asio::awaitable<bool> session::on(std::string const& tag, proto::sort_cmd& c) {
  std::optional<std::string> charset(c.charset);
  if (!charset_ok(tag, charset)) co_return true;
  auto hits = co_await search_messages(tag, c.key, true);
  if (!hits) co_return true;
  std::vector<proto::sort_fields> fields;
  auto decode = [](std::string_view raw) { return mime::decode_header_text(raw); };
  for (auto const& h : *hits) {
    if (!h.ms) continue;
    auto id = c.uid ? selected_->uid_at(h.pos) : h.pos + 1;
    fields.push_back(proto::make_sort_fields(*h.ms, id, h.meta.internal_date, decode));
    fields.back().size = static_cast<std::uint64_t>(h.meta.size);
  }
  auto ids = proto::sort_messages(std::move(fields), c.criteria);
  auto ret = c.ret;
  if (ret.present && !ret.min && !ret.max && !ret.all && !ret.count) ret.all = true;
  if (ret.present) {
    send(format_esort(tag, c.uid, ret, ids));
  } else {
    std::string line = "SORT";
    for (auto id : ids) line += " " + std::to_string(id);
    send(proto::untagged(line));
  }
  ok(tag, std::string(c.uid ? "UID SORT" : "SORT") + " completed");
  co_return true;
}

asio::awaitable<bool> session::on(std::string const& tag, proto::thread_cmd& c) {
  std::optional<std::string> charset(c.charset);
  if (!charset_ok(tag, charset)) co_return true;
  auto hits = co_await search_messages(tag, c.key, true);
  if (!hits) co_return true;
  std::vector<proto::thread_fields> fields;
  std::vector<std::string> const references{"references"};
  for (auto const& h : *hits) {
    if (!h.ms) continue;
    std::string refs;
    if (c.algorithm == proto::thread_algorithm::references) {
      // References is not in the ENVELOPE: from the stored header.
      auto const header_end = static_cast<std::int64_t>(h.meta.header_prefix.size() + h.ms->root.body_start);
      auto header = co_await ctx_.mailboxes->read(h.meta, 0, header_end);
      if (header) refs = proto::filter_header_fields(*header, references, proto::field_selection::only);
      if (auto colon = refs.find(':'); colon != std::string::npos) refs = refs.substr(colon + 1);
    }
    auto id = c.uid ? selected_->uid_at(h.pos) : h.pos + 1;
    fields.push_back(proto::make_thread_fields(*h.ms, id, h.meta.internal_date, refs));
  }
  auto body = c.algorithm == proto::thread_algorithm::references ? proto::thread_references(fields)
                                                                 : proto::thread_orderedsubject(fields);
  send(proto::untagged(body.empty() ? "THREAD" : "THREAD " + body));
  ok(tag, std::string(c.uid ? "UID THREAD" : "THREAD") + " completed");
  co_return true;
}

}  // namespace posta::mail::imap::server
