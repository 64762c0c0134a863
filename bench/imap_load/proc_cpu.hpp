// CPU time used so far by a process and all its descendants (Linux /proc),
// so that the load generator can charge the server exactly for the measured
// phase, without the logins before it or the clean-up after it.
#pragma once

#include <cstdint>

namespace posta::bench::imap_load {

// utime + stime + cutime + cstime of `pid` and its descendants, in clock
// ticks; 0 when `pid` does not exist.
std::uint64_t tree_cpu_ticks(int pid);

// Milliseconds per clock tick.
double ms_per_tick();

}  // namespace posta::bench::imap_load
