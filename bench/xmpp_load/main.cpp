// bench_xmpp_load: an XMPP c2s load generator. N clients log in (STARTTLS,
// SASL PLAIN, bind, presence) and exchange messages in pairs: it prints
// logins/s, delivered messages/s and p50/p99 delivery latency (text, or one
// JSON line). --mode idle holds N authenticated connections open and reads
// the server's memory per connection; --self-test checks the stream scanner.
#include "bench/xmpp_load/load.hpp"
#include "bench/xmpp_load/self_test.hpp"

#include <iostream>

int main(int argc, char** argv) {
  using namespace posta::bench::xmpp_load;
  auto parsed = parse_options(argc, argv);
  if (!parsed.opts) return parsed.exit_code;
  auto const& opts = *parsed.opts;
  if (opts.self_test) return run_self_test();
  bool clean = false;
  std::cout << (opts.mode == run_mode::idle ? run_idle(opts, clean) : run_load(opts, clean)) << std::flush;
  // 0: every client logged in and every message arrived; 1: otherwise.
  return clean ? 0 : 1;
}
