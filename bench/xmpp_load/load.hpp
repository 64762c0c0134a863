// The two runs of the XMPP load generator: `load` (logins, then messages
// between the clients of each pair) and `idle` (authenticated connections
// held open while the server's memory is read), each one JSON line or text.
#pragma once

#include "bench/xmpp_load/options.hpp"

#include <string>

namespace posta::bench::xmpp_load {

// The report; `clean` is false when something failed or the run timed out.
std::string run_load(options const& opts, bool& clean);
std::string run_idle(options const& opts, bool& clean);

}  // namespace posta::bench::xmpp_load
