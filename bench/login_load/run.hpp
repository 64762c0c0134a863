// The load run: --connections coroutines on one thread take login numbers
// until --logins (or --duration) is reached; what they measured, printed as
// text or one JSON line.
#pragma once

#include "bench/login_load/options.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace posta::bench::login_load {

struct run_stats {
  std::vector<std::uint32_t> login_us;  // one successful login: connect (imap, smtp) .. answer of the login
  std::vector<std::uint32_t> cycle_us;  // the whole cycle, LOGOUT / QUIT included
  std::map<std::string, std::size_t> failures;
  std::size_t completed = 0;
  double seconds = 0;  // first measured login started .. last one answered
  bool timed_out = false;
  std::vector<double> cpu_ms;  // per --cpu-pid, measured phase
};

run_stats run(options const& o);
std::string format_text(options const& o, run_stats& s);
std::string format_json(options const& o, run_stats& s);

}  // namespace posta::bench::login_load
