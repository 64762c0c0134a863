// Human output of the admin API's JSON documents (docs/api.md): one table
// per list, one "label: value" block per object. Pure: JSON in, text out.
#pragma once

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace posta::cli {

enum class resource { domain, account, alias, group, setting, service, storage, storage_purge, queue, xmpp_session,
                      directory_source };

// A list document such as {"accounts": [...]}: a table, or "no accounts".
std::string render_list(resource kind, boost::json::value const& doc);

// One object (what show/add/patch answer) as aligned fields.
std::string render_one(resource kind, boost::json::value const& obj);

// The journal page: a heading line, then time/level/service/text rows.
std::string render_journal(boost::json::value const& doc);

// GET /storage: the totals, then one row per table (size, rows, dead rows,
// autovacuum).
std::string render_storage(boost::json::value const& doc);

// GET /queue: a heading line, then one row per queued message (id, sender,
// recipients, size, age, attempts, next attempt, last reply).
std::string render_queue(boost::json::value const& doc);

// GET /queue/{id}: the message, its recipients, and every attempt made.
std::string render_queued_message(boost::json::value const& doc);

// What a flush, resend, delete or clear did: "3 recipients rescheduled".
std::string render_queue_action(boost::json::value const& doc);

// POST /directory/sources/{name}/sync: what the pass did (or, for a dry run,
// would do), one line per change, then a summary line.
std::string render_directory_sync(boost::json::value const& doc);

// 59 → "59s", 3720 → "1h02m", 200000 → "2d07h".
std::string format_age(std::int64_t seconds);

// One JSON value as a table cell: strings bare, arrays joined by ", ",
// null as "-", everything else in JSON syntax.
std::string cell_text(boost::json::value const& v);

}  // namespace posta::cli
