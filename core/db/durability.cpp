// SHOW fsync at start-up (synchronous_commit is set per connection instead).
#include "core/db/durability.hpp"

#include "core/journal/log.hpp"


namespace posta::db {

asio::awaitable<result<void>> check_server_durability(connection& conn, bool allow_fsync_off) {
  POSTA_CO_TRY_ASSIGN(auto r, co_await conn.q("SELECT current_setting('fsync')"));
  if (r.empty() || r.text(0, 0) != "off") co_return result<void>{};
  if (allow_fsync_off) {
    journal::log(journal::level::warning, "database: fsync is off; allowed by [database] allow_fsync_off (tests only: mail can be lost)");
    co_return result<void>{};
  }
  co_return make_error(errc::unavailable,
                       "the database runs with fsync = off, so committed mail could be lost in a power cut; "
                       "turn fsync on (or set [database] allow_fsync_off = true for a test)");
}

}  // namespace posta::db
