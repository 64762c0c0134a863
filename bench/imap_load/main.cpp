// bench_imap_load: an IMAP load generator. N clients log in, SELECT, and run
// a fixed mix of FETCH, STORE, SEARCH, APPEND/EXPUNGE and NOOP commands;
// it prints commands per second and latency per command type (text, or one
// JSON line). --mode large times SELECT and UID FETCH 1:* (FLAGS) of one
// big mailbox instead; --self-test checks the response reader.
#include "bench/imap_load/large.hpp"
#include "bench/imap_load/load.hpp"
#include "bench/imap_load/self_test.hpp"

#include <iostream>

int main(int argc, char** argv) {
  using namespace posta::bench::imap_load;
  auto parsed = parse_options(argc, argv);
  if (!parsed.opts) return parsed.exit_code;
  auto const& opts = *parsed.opts;
  if (opts.self_test) return run_self_test();
  if (opts.mode == run_mode::large) {
    bool ok = false;
    std::cout << run_large(opts, ok) << std::flush;
    return ok ? 0 : 1;
  }
  auto schedule = make_schedule(opts.mix, opts.seed);
  if (schedule.empty()) return 2;
  auto stats = run_load(opts, schedule);
  load_description d{opts.host + ":" + std::to_string(opts.port), opts.clients, opts.commands, opts.duration_seconds,
                     opts.mix};
  std::cout << (opts.json ? format_json(d, stats) + "\n" : format_text(d, stats)) << std::flush;
  // 0: every command answered OK; 1: some failed, a client was lost, or the run timed out.
  bool const clean = stats.failures.empty() && !stats.timed_out && stats.clients_ready == opts.clients;
  return clean ? 0 : 1;
}
