// The load run: N clients log in and SELECT, wait for each other, then take
// command slots from one shared counter until M were taken or the duration
// is over (bounded by construction); a hard timeout closes every socket.
#pragma once

#include "bench/imap_load/options.hpp"
#include "bench/imap_load/stats.hpp"

#include <string>
#include <vector>

namespace posta::bench::imap_load {

// The command types of the mix, in the order the weights are parsed.
inline constexpr char const* mix_types[] = {"headers", "body", "flags", "flags_all", "store", "search", "append", "noop"};

// The fixed order of command types: each type as often as its weight, in an
// order shuffled once by the seed; slot i runs schedule[i % size]. Empty
// (with a message on stderr) when the mix does not parse.
std::vector<int> make_schedule(std::string const& mix, std::uint64_t seed);

load_stats run_load(options const& opts, std::vector<int> const& schedule);

}  // namespace posta::bench::imap_load
