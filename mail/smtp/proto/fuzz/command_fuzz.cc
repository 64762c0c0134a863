// libFuzzer target: one SMTP command line through the parser and the state
// machine (RFC 5321 4.1.1). Named .cc so the module's *.cpp glob leaves it out.
#include "mail/smtp/proto/command.hpp"
#include "mail/smtp/proto/state_machine.hpp"

#include <string_view>
#include <variant>

using namespace posta::mail::smtp::proto;

namespace {

// Plays a session that accepts everything; false when the machine closes.
bool drive(state_machine& m, action a) {
  if (auto* r = std::get_if<send_reply>(&a)) return !r->close;
  if (std::holds_alternative<check_sender>(a)) return drive(m, m.on_sender_outcome(replies::sender_ok()));
  if (std::holds_alternative<check_recipient>(a))
    return drive(m, m.on_recipient_outcome(replies::recipient_ok()));
  if (std::holds_alternative<start_tls>(a)) m.on_tls_started();
  if (std::holds_alternative<authenticate>(a)) return drive(m, m.on_auth_outcome(replies::auth_succeeded()));
  if (std::holds_alternative<verify_address>(a) || std::holds_alternative<expand_list>(a))
    return drive(m, m.on_lookup_outcome(replies::ok()));
  if (std::holds_alternative<receive_chunk>(a)) return drive(m, m.on_chunk_done());
  if (std::holds_alternative<store_message>(a)) return drive(m, m.on_message_outcome(replies::ok()));
  if (std::holds_alternative<receive_data>(a)) {
    data_decoder d;
    d.feed(".\r\n");
    return drive(m, m.on_data_end(d));
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  (void)parse_command(in);
  (void)command_verb(in);
  // Each line of the input is a command to a machine that accepts everything.
  machine_config cfg;
  cfg.tls_available = true;
  cfg.auth_requires_tls = false;
  cfg.auth_mechanisms = {"PLAIN"};
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
