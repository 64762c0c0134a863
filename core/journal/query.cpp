// Reading the journal: one UTC day at a time, newest first, in pages.
#include "core/journal/journal.hpp"

#include <regex>

namespace posta::journal {

result<void> validate(query const& q) {
  static std::regex const date(R"(\d{4}-\d{2}-\d{2})");
  if (!std::regex_match(q.date, date)) return make_error(errc::invalid_argument, "date must be YYYY-MM-DD");
  if (q.page < 1) return make_error(errc::invalid_argument, "page must be 1 or more");
  if (q.page_size < 1 || q.page_size > 1000)
    return make_error(errc::invalid_argument, "page_size must be between 1 and 1000");
  return {};
}

asio::awaitable<result<page>> list(db::pool& pool, query q) {
  POSTA_CO_TRY(validate(q));
  // Levels at or above the minimum: the names sort in severity order only by
  // position in this array, so the filter compares positions.
  std::string const levels = "{debug,info,warning,error}";
  auto min = q.min_level ? std::string(level_name(*q.min_level)) : std::string("debug");
  auto where =
      std::string(" FROM journal WHERE at >= $1::date AT TIME ZONE 'UTC' AND at < ($1::date + 1) AT TIME ZONE 'UTC' "
                  "AND array_position($2::text[], level) >= array_position($2::text[], $3) "
                  "AND ($4::text IS NULL OR service = $4) ");
  auto args = db::make_params(q.date, levels, min, q.service);
  auto counted = co_await pool.query("SELECT count(*)" + where, args);
  if (!counted && counted.error().code == errc::invalid_argument)
    co_return make_error(errc::invalid_argument, "date " + q.date + " is not a valid date");
  if (!counted) co_return counted.error();
  page out;
  out.total = counted->i64(0, 0);
  args.push_back(std::to_string(q.page_size));
  args.push_back(std::to_string((q.page - 1) * static_cast<std::int64_t>(q.page_size)));
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.query(
                                     "SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
                                     "level, service, text, fields::text" +
                                         where + "ORDER BY at DESC, id DESC LIMIT $5 OFFSET $6",
                                     args));
  for (int i = 0; i < rows.size(); ++i)
    out.entries.push_back({rows.i64(i, 0), rows.str(i, 1), rows.str(i, 2), rows.str(i, 3), rows.str(i, 4), rows.str(i, 5)});
  co_return out;
}

asio::awaitable<result<std::int64_t>> purge_older_than(db::pool& pool, int days) {
  POSTA_CO_TRY_ASSIGN(auto deleted, co_await pool.q("DELETE FROM journal WHERE at < now() - make_interval(days => $1)", days));
  co_return deleted.affected();
}

}  // namespace posta::journal
