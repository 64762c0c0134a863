// Table tests of the response reader, run by `bench_imap_load --self-test`
// (the benchmark tools are not part of ctest): each case whole, byte by byte
// and split at every point must give the same responses.
#pragma once

namespace posta::bench::imap_load {

// Prints failures to stderr; returns the process exit code (0: all passed).
int run_self_test();

}  // namespace posta::bench::imap_load
