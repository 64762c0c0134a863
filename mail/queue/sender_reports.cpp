#include "mail/queue/sender_reports.hpp"

#include "core/blob/blob_store.hpp"
#include "core/db/pool.hpp"
#include "core/journal/journal.hpp"
#include "mail/delivery/committer.hpp"
#include "mail/delivery/dsn.hpp"

#include <algorithm>

namespace posta::mail::queue {
namespace {

// SECURITY: what a headers-only report reads of the original at most.
constexpr std::int64_t report_header_octets = 256 * 1024;

}  // namespace

asio::awaitable<result<void>> send_report(runner_context const& ctx, outbound_transaction const& t,
                                          std::vector<given_up> const& reported) {
  auto const& m = t.message();
  notice_input in;
  in.reporting_mta = ctx.hostname;
  in.failed = reported;
  in.max_full_return = static_cast<std::size_t>(ctx.blobs.inline_max_bytes());
  bool const whole = m.ret && *m.ret == "FULL" && m.size <= ctx.blobs.inline_max_bytes();
  if (!m.sender.empty()) {
    POSTA_CO_TRY_ASSIGN(auto conn, co_await ctx.pool.acquire());
    auto length = whole ? std::int64_t(-1) : std::min(m.size, report_header_octets);
    POSTA_CO_TRY_ASSIGN(auto original, co_await ctx.blobs.read(*conn, m.blob_hash, 0, length));
    in.original_is_whole = whole;
    in.original = whole ? std::move(original) : std::string(delivery::header_block(original));
  }
  auto request = sender_report(in);
  if (!request) co_return result<void>{};
  POSTA_CO_TRY(co_await ctx.committer.deliver(std::move(*request)));
  co_return result<void>{};
}

asio::awaitable<bool> send_report_or_journal(runner_context const& ctx, outbound_transaction const& t,
                                             std::vector<given_up> const& reported, char const* failure_text) {
  if (reported.empty()) co_return true;
  auto sent = co_await send_report(ctx, t, reported);
  if (sent) co_return true;
  journal::record(journal::level::warning, "queue", failure_text,
                  {{"queue_id", t.message().id}, {"error", sent.error().message()}});
  co_return false;
}

}  // namespace posta::mail::queue
