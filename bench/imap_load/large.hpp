// The large-mailbox figures: on fresh connections, the time of SELECT and of
// UID FETCH 1:* (FLAGS) with the whole response read, several runs.
#pragma once

#include "bench/imap_load/options.hpp"

#include <string>

namespace posta::bench::imap_load {

// Runs the measurement and returns its report (text, or one JSON line);
// `ok` is false when a run failed.
std::string run_large(options const& opts, bool& ok);

}  // namespace posta::bench::imap_load
