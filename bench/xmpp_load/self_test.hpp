// Table tests of the stream scanner (bench_xmpp_load --self-test).
#pragma once

namespace posta::bench::xmpp_load {
int run_self_test();
}
