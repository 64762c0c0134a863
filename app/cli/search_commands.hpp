// `posta search --account ADDRESS [--mailbox M] QUERY` and
// `posta search reindex [--account ADDRESS]`: the search API (docs/api.md)
// as CLI verbs, and how their answers are printed.
#pragma once

#include "app/cli/commands.hpp"

#include <boost/json/value.hpp>

namespace posta::cli {

struct search_query {
  std::string account, text;
  std::optional<std::string> mailbox;
  std::optional<int> page, page_size;
};
api_call search_call(search_query const& q);
api_call search_reindex_call(std::optional<std::string> const& account);

void add_search_commands(CLI::App& app, invocation& inv);

// One hit per line: date, mailbox, UID, from, subject, then the snippet indented.
std::string render_search_hits(boost::json::value const& doc);
std::string render_search_reindex(boost::json::value const& doc);

}  // namespace posta::cli
