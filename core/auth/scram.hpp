// SCRAM-SHA-1 and SCRAM-SHA-256, with and without channel binding (-PLUS):
// stored credentials and the server side of one exchange (RFC 5802 §3, §5,
// §7; RFC 7677; GS2 header RFC 5801 §4). Pure: no I/O, no clock.
//
// SASLprep (RFC 4013) of passwords and usernames is the full profile, done by
// GNU SASL's gsasl_saslprep (libidn stringprep underneath), with unassigned
// code points refused as RFC 4013 §2.5 asks for stored strings.
#pragma once

#include "core/util/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace posta::auth {

enum class scram_hash { sha1, sha256 };

// "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS", ...
std::string_view scram_mechanism_name(scram_hash hash, bool plus);

// What the server stores per account and mechanism (RFC 5802 §3). The
// password itself is not recoverable from it.
struct scram_credentials {
  scram_hash hash = scram_hash::sha256;
  std::string salt;  // base64
  std::uint32_t iterations = 4096;
  std::string stored_key;  // base64 of H(ClientKey)
  std::string server_key;  // base64 of HMAC(SaltedPassword, "Server Key")
};

// SECURITY: iteration bounds. RFC 7677 §4 asks for at least 4096; the upper
// bound keeps one computation (here and in every client) under a second.
inline constexpr std::uint32_t min_scram_iterations = 4096;
inline constexpr std::uint32_t max_scram_iterations = 1'000'000;

// SECURITY: bound on any single client message of the exchange.
inline constexpr std::size_t max_scram_message_bytes = 4096;

// RFC 5802 §3 with a fresh 16-byte salt. Fails with errc::invalid_argument
// when SASLprep refuses the password or iterations are out of bounds, and
// errc::limit_exceeded past max_password_bytes. Slow by design (PBKDF2).
result<scram_credentials> compute_scram_credentials_blocking(std::string_view password, scram_hash hash,
                                                             std::uint32_t iterations = 4096);

// The same with a caller-chosen raw salt (tests, migrations).
result<scram_credentials> compute_scram_credentials_with_salt_blocking(std::string_view password, scram_hash hash,
                                                                       std::string_view salt,
                                                                       std::uint32_t iterations = 4096);

// SECURITY: credentials for an account that does not exist, so the exchange
// runs to the end and fails like a wrong password (RFC 5802 §9): the salt is
// derived from HMAC(server_secret, username) and so stays the same between
// attempts, and the keys match no password.
scram_credentials fake_scram_credentials(std::string_view username, std::string_view server_secret,
                                         scram_hash hash, std::uint32_t iterations = 4096);

// The channel binding this connection can offer (RFC 5929, RFC 9266).
struct scram_channel_binding {
  std::string type;  // e.g. "tls-exporter", "tls-server-end-point"
  std::string data;  // raw bytes from the TLS layer
};

struct scram_server_options {
  scram_hash hash = scram_hash::sha256;
  bool plus = false;  // the client chose the -PLUS mechanism
  // Present when the connection is TLS and the server advertised -PLUS;
  // needed to accept "p=" and to detect a downgrade behind "y".
  std::optional<scram_channel_binding> channel_binding{};
};

// What the client-first-message names (RFC 5802 §5.1).
struct scram_client_first {
  std::string username;  // saslname decoded, SASLprep applied
  std::string authzid;   // empty when absent
};

// SECURITY: no proxy authorisation (RFC 5802 5.1: the server decides what an
// authzid may be). An authzid is accepted only when it names the user who
// authenticated: the login as given or the account address it resolved to
// (ASCII case-insensitively). An empty authzid is always accepted.
bool is_authzid_permitted(scram_client_first const& who, std::string_view account_address);

// One server-side authentication:
//   start(client-first) -> who is asking; the caller looks up credentials,
//   server_first(credentials, nonce) -> server-first-message,
//   finish(client-final) -> server-final-message ("v=...").
// Any failure moves the exchange to a failed state; later calls fail too.
// Errors: errc::protocol_error for malformed or out-of-order messages,
// errc::permission_denied for a wrong proof, nonce or channel binding.
class scram_server {
 public:
  explicit scram_server(scram_server_options options);

  result<scram_client_first> start(std::string_view client_first);

  // `server_nonce` is printable ASCII without ',' (util::random_nonce()); it
  // is appended to the client's nonce. The credentials' hash must match.
  result<std::string> server_first(scram_credentials const& credentials, std::string_view server_nonce);

  result<std::string> finish(std::string_view client_final);

  bool is_done() const { return state_ == state::done; }

 private:
  enum class state { initial, started, challenged, done, failed };

  error fail(errc code, std::string context);
  result<void> check_gs2_header(std::string_view cbind_flag);
  result<void> parse_client_first_bare(scram_client_first& who);
  result<void> check_channel_binding(std::string_view c_attribute) const;

  scram_server_options options_;
  state state_ = state::initial;
  std::string gs2_header_;   // "n,," / "y,a=x," / "p=tls-exporter,,"
  std::string client_first_bare_;
  std::string client_nonce_;
  std::string nonce_;        // client + server nonce
  std::string server_first_;
  std::string stored_key_;   // raw
  std::string server_key_;   // raw
};

}  // namespace posta::auth
