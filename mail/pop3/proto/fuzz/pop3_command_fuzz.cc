// libFuzzer target: POP3 command lines through the parser and the state
// machine (RFC 1939, RFC 2449, RFC 5034). Named .cc so the module's *.cpp
// glob leaves it out.
#include "mail/pop3/proto/command.hpp"
#include "mail/pop3/proto/state_machine.hpp"

#include <string_view>
#include <variant>

using namespace posta::mail::pop3::proto;

namespace {

// Plays a session that accepts every login and has three messages; false
// when the machine closes.
bool drive(state_machine& m, action a) {
  if (auto* r = std::get_if<send_reply>(&a)) {
    (void)format(r->response);
    return !r->close;
  }
  if (std::holds_alternative<start_tls>(a)) m.on_tls_started();
  if (std::holds_alternative<check_password>(a) || std::holds_alternative<check_sasl_plain>(a))
    return drive(m, m.on_login_outcome(login_verdict::ok));
  if (std::holds_alternative<open_maildrop>(a))
    return drive(m, m.on_maildrop_opened(maildrop(7, {{1, 10}, {2, 20}, {5, 30}})));
  if (std::holds_alternative<send_message>(a)) m.on_message_sent();
  if (std::holds_alternative<commit_update>(a)) return drive(m, m.on_update_outcome(true));
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  (void)parse_command(in);
  (void)keyword_of(in);
  machine_config cfg;
  cfg.tls_available = true;
  cfg.plaintext_auth_without_tls = size % 2 == 0;
  state_machine m(cfg);
  bool open = true;
  while (open && !in.empty()) {
    std::size_t lf = in.find('\n');
    std::string_view line = in.substr(0, lf);
    in = lf == std::string_view::npos ? std::string_view{} : in.substr(lf + 1);
    open = drive(m, m.on_line(line));
  }
  return 0;
}
