// bench_smtp_load: an SMTP load generator. K connections deliver M messages
// of S bytes and it prints the accepted messages per second and the latency
// from the final "." to the server's reply (text, or one JSON line).
#include "bench/smtp_load/client.hpp"

#include <iostream>

int main(int argc, char** argv) {
  using namespace posta::bench::smtp_load;
  auto parsed = parse_options(argc, argv);
  if (!parsed.opts) return parsed.exit_code;
  auto const& opts = *parsed.opts;
  message_factory messages(opts.size, opts.from, opts.seed);
  auto stats = run_load(opts, messages);
  run_description d{opts.host + ":" + std::to_string(opts.port), opts.connections, opts.messages, opts.size,
                    opts.recipients, opts.pipelining};
  std::cout << (opts.json ? format_json(d, stats) + "\n" : format_text(d, stats)) << std::flush;
  // 0: every message accepted; 1: some failed or the run timed out.
  return stats.accepted == opts.messages ? 0 : 1;
}
