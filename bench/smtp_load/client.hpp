// The load run: K connections, each a coroutine that takes message numbers
// from a shared counter until M have been tried, so the run is bounded by
// construction; a hard timeout closes every socket.
#pragma once

#include "bench/smtp_load/message.hpp"
#include "bench/smtp_load/options.hpp"
#include "bench/smtp_load/stats.hpp"

namespace posta::bench::smtp_load {

// Runs the whole load on the calling thread and returns what it measured.
// An address that is not numeric is reported on stderr with an empty result.
run_stats run_load(options const& opts, message_factory const& messages);

}  // namespace posta::bench::smtp_load
