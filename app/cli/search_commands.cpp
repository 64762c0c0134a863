#include "app/cli/search_commands.hpp"

#include "core/http/target.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

namespace posta::cli {
namespace {

void add_query(std::string& target, std::string_view name, std::string_view value) {
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += std::string(name) + "=" + http::percent_encode(value);
}

std::string text_at(boost::json::value const& v, char const* key) {
  auto const* o = v.if_object();
  auto const* f = o ? o->if_contains(key) : nullptr;
  if (!f) return {};
  if (f->is_string()) return std::string(f->get_string());
  return boost::json::serialize(*f);
}

struct search_arguments {
  std::string account, mailbox;
  std::vector<std::string> words;
  int page = 0, page_size = 0;
};

}  // namespace

api_call search_call(search_query const& q) {
  api_call c{"GET",
             "/api/v1/accounts/" + http::percent_encode(q.account) + "/search",
             std::nullopt,
             resource::account,
             output::search_hits,
             {}};
  add_query(c.target, "q", q.text);
  if (q.mailbox) add_query(c.target, "mailbox", *q.mailbox);
  if (q.page) add_query(c.target, "page", std::to_string(*q.page));
  if (q.page_size) add_query(c.target, "page_size", std::to_string(*q.page_size));
  return c;
}

api_call search_reindex_call(std::optional<std::string> const& account) {
  boost::json::object body;
  if (account) body["account"] = *account;
  return {"POST", "/api/v1/search/reindex", boost::json::serialize(body), resource::account, output::search_reindex,
          {}};
}

void add_search_commands(CLI::App& app, invocation& inv) {
  auto a = std::make_shared<search_arguments>();
  auto* search = app.add_subcommand("search", "Full-text search of an account's mail, newest first");
  search->add_option("--account,-a", a->account, "The account's address");
  auto* mailbox = search->add_option("--mailbox,-m", a->mailbox, "Only this mailbox, e.g. INBOX");
  auto* page = search->add_option("--page", a->page, "Page number (default 1)")->check(CLI::PositiveNumber);
  auto* size = search->add_option("--page-size", a->page_size, "Hits per page (default 50)")->check(CLI::Range(1, 200));
  search->add_option("QUERY", a->words,
                     "Words (all must match), \"a phrase\", word*, -word, OR, ( ), from: to: cc: bcc: subject: body: "
                     "attachment: message-id: date:YYYY-MM-DD[..YYYY-MM-DD]");
  auto* reindex = search->add_subcommand("reindex", "Rebuild the index from the stored mail, online");
  auto* reindex_account = reindex->add_option("--account,-a", a->account, "Only this account (default: all)");
  reindex->callback([&inv, a, reindex_account] {
    inv.call = search_reindex_call(reindex_account->count() ? std::optional<std::string>(a->account) : std::nullopt);
  });
  search->callback([&inv, a, search, mailbox, page, size] {
    if (!search->get_subcommands().empty()) return;  // reindex
    if (a->account.empty() || a->words.empty()) {
      inv.failure = make_error(errc::invalid_argument, "posta search needs --account ADDRESS and a QUERY");
      return;
    }
    search_query q;
    q.account = a->account;
    for (auto const& w : a->words) q.text += (q.text.empty() ? "" : " ") + w;
    if (mailbox->count()) q.mailbox = a->mailbox;
    if (page->count()) q.page = a->page;
    if (size->count()) q.page_size = a->page_size;
    inv.call = search_call(q);
  });
  // `a` lives on in the callbacks, which the App keeps.
}

std::string render_search_hits(boost::json::value const& doc) {
  auto const* o = doc.if_object();
  auto const* hits = o ? o->if_contains("hits") : nullptr;
  if (!hits || !hits->is_array()) return "unexpected answer from the API\n";
  std::string out = text_at(doc, "total") + " found\n";
  for (auto const& h : hits->get_array()) {
    out += text_at(h, "date") + "  " + text_at(h, "mailbox") + " " + text_at(h, "uid") + "  " + text_at(h, "from") +
           "  " + text_at(h, "subject") + "\n";
    if (auto s = text_at(h, "snippet"); !s.empty()) out += "    " + s + "\n";
  }
  return out;
}

std::string render_search_reindex(boost::json::value const& doc) {
  auto account = text_at(doc, "account");
  return text_at(doc, "queued") + " messages queued for indexing" + (account.empty() ? "" : " (" + account + ")") +
         "\n";
}

}  // namespace posta::cli
