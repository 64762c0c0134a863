// The LDAP reader's cases: a BindResponse, an entry then a SearchResultDone
// in one buffer, long-form lengths, and what must be refused.
#include "bench/login_load/self_test.hpp"

#include "bench/login_load/ldap_ber.hpp"

#include <fmt/format.h>

#include <string>

namespace posta::bench::login_load {
namespace {

int failures = 0;

void check(bool ok, std::string const& what) {
  if (ok) return;
  ++failures;
  fmt::print(stderr, "FAIL {}\n", what);
}

std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s += static_cast<char>(b);
  return s;
}

// `message` whole is one complete message of `op` with `code`; every proper
// prefix of it needs more.
void check_message(std::string const& name, std::string const& message, std::uint32_t id, unsigned char op, int code) {
  ldap_message m;
  check(read_ldap_message(message, m) == ber_status::complete, name + ": complete");
  check(m.message_id == id && m.op == op && m.result_code == code && m.size == message.size(), name + ": fields");
  for (std::size_t cut = 0; cut < message.size(); ++cut)
    check(read_ldap_message(message.substr(0, cut), m) == ber_status::need_more, fmt::format("{}: cut at {}", name, cut));
}

}  // namespace

int run_self_test() {
  // BindResponse success to message 1 (slapd's exact bytes).
  auto const bind_ok = bytes({0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00});
  check_message("bind success", bind_ok, 1, 0x61, 0);
  // invalidCredentials (49) to message 300 (a two-byte id).
  auto const bind_49 = bytes({0x30, 0x0d, 0x02, 0x02, 0x01, 0x2c, 0x61, 0x07, 0x0a, 0x01, 0x31, 0x04, 0x00, 0x04, 0x00});
  check_message("bind refused", bind_49, 300, 0x61, 49);
  // A long-form length (0x81) on the outer sequence.
  auto const long_form = bytes({0x30, 0x81, 0x0c, 0x02, 0x01, 0x07, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00});
  check_message("long-form length", long_form, 7, 0x65, 0);
  // An entry, then the done: two messages read one after the other.
  auto const entry = bytes({0x30, 0x0b, 0x02, 0x01, 0x02, 0x64, 0x06, 0x04, 0x02, 'd', 'n', 0x30, 0x00});
  auto const done = bytes({0x30, 0x0c, 0x02, 0x01, 0x02, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00});
  ldap_message m;
  auto const both = entry + done;
  check(read_ldap_message(both, m) == ber_status::complete && m.op == 0x64 && m.size == entry.size(), "entry first");
  check(read_ldap_message(both.substr(m.size), m) == ber_status::complete && m.op == 0x65 && m.result_code == 0,
        "done second");
  // Refused: not a SEQUENCE, indefinite length, more than the bound.
  check(read_ldap_message(bytes({0x31, 0x00}), m) == ber_status::malformed, "not a sequence");
  check(read_ldap_message(bytes({0x30, 0x80, 0x00, 0x00}), m) == ber_status::malformed, "indefinite length");
  check(read_ldap_message(bytes({0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}), m) == ber_status::malformed, "too large");
  // What we send: a SEQUENCE with the id 258 (0x0102), a BindRequest of
  // version 3 with the DN, and the password as simple authentication [0].
  auto const bind = ber_simple_bind(258, "uid=u1", "pw");
  check(bind == bytes({0x30, 0x15, 0x02, 0x02, 0x01, 0x02, 0x60, 0x0f, 0x02, 0x01, 0x03, 0x04, 0x06, 'u', 'i', 'd', '=',
                       'u', '1', 0x80, 0x02, 'p', 'w'}),
        "own bind");
  auto const search = ber_base_search(5, "uid=u1,dc=corp,dc=test", {"nsAccountLock"});
  check(static_cast<unsigned char>(search[0]) == 0x30 && search.find("nsAccountLock") != std::string::npos, "own search");
  if (failures == 0) fmt::print("login_load self-test: all cases passed\n");
  return failures == 0 ? 0 : 1;
}

}  // namespace posta::bench::login_load
