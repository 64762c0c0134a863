// bench_login_load: a login load generator. N parallel connections log in
// and out again as fast as the server answers (IMAP LOGIN + LOGOUT, or SMTP
// AUTH PLAIN + QUIT, a new connection each), or bind to a directory on
// kept connections (--protocol ldap, the directory's own rate to compare
// with); prints logins/s, latency percentiles and, with --cpu-pid, the CPU
// each named process tree spent per login. --self-test checks the LDAP reader.
#include "bench/login_load/run.hpp"
#include "bench/login_load/self_test.hpp"

#include <iostream>

int main(int argc, char** argv) {
  using namespace posta::bench::login_load;
  auto parsed = parse_options(argc, argv);
  if (!parsed.opts) return parsed.exit_code;
  auto const& opts = *parsed.opts;
  if (opts.self_test) return run_self_test();
  auto stats = run(opts);
  std::cout << (opts.json ? format_json(opts, stats) + "\n" : format_text(opts, stats)) << std::flush;
  // 0: every login succeeded; 1: some failed or the run timed out.
  return stats.failures.empty() && !stats.timed_out ? 0 : 1;
}
