// SCRAM-SHA-1 / SCRAM-SHA-256 (-PLUS) server side and stored credentials
// (RFC 5802 §3, §5, §6, §7; RFC 7677; RFC 5801 §4 GS2 header).
#include "core/auth/scram.hpp"

#include "core/auth/password_hash.hpp"
#include "core/util/base64.hpp"
#include "core/util/crypto_hash.hpp"
#include "core/util/crypto_random.hpp"

#include <gsasl.h>

#include <vector>

namespace posta::auth {
namespace {

constexpr std::size_t salt_bytes = 16;
constexpr std::size_t max_nonce_bytes = 1024;  // SECURITY: well inside the message bound

util::hash_algorithm algorithm(scram_hash hash) {
  return hash == scram_hash::sha1 ? util::hash_algorithm::sha1 : util::hash_algorithm::sha256;
}

std::size_t digest_size(scram_hash hash) { return util::digest_size(algorithm(hash)); }

std::string hmac(scram_hash hash, std::string_view key, std::string_view data) {
  return util::hmac(algorithm(hash), key, data);
}

std::string h(scram_hash hash, std::string_view data) { return util::digest(algorithm(hash), data); }

std::string xor_bytes(std::string_view a, std::string_view b) {
  std::string out(a.size(), '\0');
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) { return util::constant_time_equal(a, b); }

// RFC 4013 through GNU SASL (libidn stringprep). `stored` refuses unassigned
// code points (RFC 4013 §2.5: stored strings); queries allow them.
result<std::string> saslprep(std::string_view in, bool stored) {
  if (in.find('\0') != std::string_view::npos) return make_error(errc::invalid_argument, "SASLprep: NUL");
  std::string const input(in);
  char* out = nullptr;
  int stringprep_rc = 0;
  int const rc = gsasl_saslprep(input.c_str(), stored ? Gsasl_saslprep_flags{} : GSASL_ALLOW_UNASSIGNED, &out,
                                &stringprep_rc);
  if (rc != GSASL_OK) return make_error(errc::invalid_argument, "SASLprep refused the string");
  std::string result(out);
  gsasl_free(out);
  return result;
}

// RFC 5802 §5.1 printable: %x21-2B / %x2D-7E (no ',').
bool is_valid_nonce(std::string_view nonce) {
  if (nonce.empty() || nonce.size() > max_nonce_bytes) return false;
  for (char c : nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

// saslname (RFC 5802 §7): ',' and '=' arrive as "=2C" and "=3D"; any other
// '=' is an error, as is an empty name.
result<std::string> decode_saslname(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\0') return make_error(errc::protocol_error, "SCRAM: NUL in name");
    if (in[i] != '=') {
      out.push_back(in[i]);
    } else if (in.substr(i + 1, 2) == "2C") {
      out.push_back(',');
      i += 2;
    } else if (in.substr(i + 1, 2) == "3D") {
      out.push_back('=');
      i += 2;
    } else {
      return make_error(errc::protocol_error, "SCRAM: bad '=' escape in name");
    }
  }
  if (out.empty()) return make_error(errc::protocol_error, "SCRAM: empty name");
  return out;
}

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    std::size_t const end = text.find(',', start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// The value of "<name>=<value>", or nullopt when the attribute has another name.
std::optional<std::string_view> attribute(std::string_view field, char name) {
  if (field.size() < 2 || field[0] != name || field[1] != '=') return std::nullopt;
  return field.substr(2);
}

// RFC 5802 §7 extensions: attr-val = ALPHA "=" value. Unknown ones are ignored.
bool is_valid_extension(std::string_view field) {
  return field.size() >= 2 && ((field[0] >= 'a' && field[0] <= 'z') || (field[0] >= 'A' && field[0] <= 'Z')) &&
         field[1] == '=';
}

bool is_valid_cb_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

result<std::string> decode_key(std::string_view b64, scram_hash hash) {
  auto raw = util::base64_decode(b64);
  if (!raw || raw->size() != digest_size(hash)) return make_error(errc::invalid_argument, "SCRAM: bad stored key");
  return std::move(*raw);
}

}  // namespace

std::string_view scram_mechanism_name(scram_hash hash, bool plus) {
  if (hash == scram_hash::sha1) return plus ? "SCRAM-SHA-1-PLUS" : "SCRAM-SHA-1";
  return plus ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256";
}

result<scram_credentials> compute_scram_credentials_blocking(std::string_view password, scram_hash hash,
                                                             std::uint32_t iterations) {
  std::string const salt = POSTA_TRY(util::random_bytes(salt_bytes));
  return compute_scram_credentials_with_salt_blocking(password, hash, salt, iterations);
}

result<scram_credentials> compute_scram_credentials_with_salt_blocking(std::string_view password, scram_hash hash,
                                                                       std::string_view salt,
                                                                       std::uint32_t iterations) {
  if (password.size() > max_password_bytes) return make_error(errc::limit_exceeded, "SCRAM: password too long");
  if (iterations < min_scram_iterations || iterations > max_scram_iterations || salt.empty()) {
    return make_error(errc::invalid_argument, "SCRAM: iteration count or salt out of bounds");
  }
  std::string const prepared = POSTA_TRY(saslprep(password, true));
  if (prepared.empty()) return make_error(errc::invalid_argument, "SCRAM: empty password");

  auto pbkdf2 = util::pbkdf2_hmac(algorithm(hash), prepared, salt, iterations, digest_size(hash));
  if (!pbkdf2) return make_error(errc::internal, "SCRAM: PBKDF2 failed");
  std::string salted = std::move(*pbkdf2);
  std::string client_key = hmac(hash, salted, "Client Key");
  scram_credentials out{.hash = hash,
                        .salt = util::base64_encode(salt),
                        .iterations = iterations,
                        .stored_key = util::base64_encode(h(hash, client_key)),
                        .server_key = util::base64_encode(hmac(hash, salted, "Server Key"))};
  // SECURITY: the salted password and client key are password-equivalent.
  util::cleanse(salted);
  util::cleanse(client_key);
  return out;
}

scram_credentials fake_scram_credentials(std::string_view username, std::string_view server_secret,
                                         scram_hash hash, std::uint32_t iterations) {
  std::string const seed = hmac(scram_hash::sha256, server_secret, username);
  return scram_credentials{.hash = hash,
                           .salt = util::base64_encode(hmac(scram_hash::sha256, seed, "salt").substr(0, salt_bytes)),
                           .iterations = iterations,
                           .stored_key = util::base64_encode(hmac(hash, seed, "stored")),
                           .server_key = util::base64_encode(hmac(hash, seed, "server"))};
}

scram_server::scram_server(scram_server_options options) : options_(std::move(options)) {}

error scram_server::fail(errc code, std::string context) {
  state_ = state::failed;
  return make_error(code, "SCRAM: " + std::move(context));
}

// RFC 5802 §6 / RFC 5801 §4: the channel binding flag against what this
// connection offers. SECURITY: "y" while we advertise -PLUS means someone
// stripped -PLUS from the mechanism list: a downgrade, refused.
result<void> scram_server::check_gs2_header(std::string_view flag) {
  if (flag == "n" || flag == "y") {
    if (options_.plus) return fail(errc::protocol_error, "-PLUS mechanism without channel binding");
    if (flag == "y" && options_.channel_binding) return fail(errc::permission_denied, "channel binding downgrade");
    return {};
  }
  auto const name = attribute(flag, 'p');
  if (!name || !is_valid_cb_name(*name)) return fail(errc::protocol_error, "bad channel binding flag");
  if (!options_.plus) return fail(errc::protocol_error, "channel binding requested without -PLUS");
  if (!options_.channel_binding || options_.channel_binding->type != *name) {
    return fail(errc::permission_denied, "unsupported channel binding type");
  }
  return {};
}

result<scram_client_first> scram_server::start(std::string_view client_first) {
  if (state_ != state::initial) return fail(errc::protocol_error, "client-first-message out of order");
  if (client_first.size() > max_scram_message_bytes) return fail(errc::protocol_error, "message too long");
  std::size_t const comma1 = client_first.find(',');
  std::size_t const comma2 = comma1 == std::string_view::npos ? comma1 : client_first.find(',', comma1 + 1);
  if (comma2 == std::string_view::npos) return fail(errc::protocol_error, "missing GS2 header");
  POSTA_TRY(check_gs2_header(client_first.substr(0, comma1)));

  scram_client_first who;
  std::string_view const authzid = client_first.substr(comma1 + 1, comma2 - comma1 - 1);
  if (!authzid.empty()) {
    auto const value = attribute(authzid, 'a');
    if (!value) return fail(errc::protocol_error, "bad authzid");
    auto decoded = decode_saslname(*value);
    if (!decoded) return fail(errc::protocol_error, "bad authzid");
    who.authzid = std::move(*decoded);
  }
  gs2_header_ = client_first.substr(0, comma2 + 1);
  client_first_bare_ = client_first.substr(comma2 + 1);
  POSTA_TRY(parse_client_first_bare(who));
  state_ = state::started;
  return who;
}

// client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
result<void> scram_server::parse_client_first_bare(scram_client_first& who) {
  auto const fields = split_commas(client_first_bare_);
  // SECURITY: "m=" marks an extension the client says we must understand; we understand none.
  if (attribute(fields[0], 'm')) return fail(errc::protocol_error, "mandatory extension not supported");
  auto const name = attribute(fields[0], 'n');
  auto const nonce = fields.size() >= 2 ? attribute(fields[1], 'r') : std::nullopt;
  if (!name || !nonce) return fail(errc::protocol_error, "expected n= and r=");
  if (!is_valid_nonce(*nonce)) return fail(errc::protocol_error, "bad client nonce");
  for (std::size_t i = 2; i < fields.size(); ++i) {
    if (!is_valid_extension(fields[i])) return fail(errc::protocol_error, "bad attribute");
  }
  auto decoded = decode_saslname(*name);
  if (!decoded) return fail(errc::protocol_error, "bad username");
  auto prepared = saslprep(*decoded, false);
  if (!prepared || prepared->empty()) return fail(errc::protocol_error, "username refused by SASLprep");
  who.username = std::move(*prepared);
  client_nonce_ = *nonce;
  return {};
}

result<std::string> scram_server::server_first(scram_credentials const& credentials, std::string_view server_nonce) {
  if (state_ != state::started) return fail(errc::protocol_error, "server-first-message out of order");
  if (credentials.hash != options_.hash) return fail(errc::internal, "credentials for another hash");
  if (!is_valid_nonce(server_nonce)) return fail(errc::internal, "bad server nonce");
  bool const iterations_ok =
      credentials.iterations >= min_scram_iterations && credentials.iterations <= max_scram_iterations;
  auto salt = util::base64_decode(credentials.salt);
  auto stored_key = decode_key(credentials.stored_key, options_.hash);
  auto server_key = decode_key(credentials.server_key, options_.hash);
  if (!iterations_ok || !salt || salt->empty() || !stored_key || !server_key) {
    return fail(errc::internal, "bad stored credentials");
  }
  stored_key_ = std::move(*stored_key);
  server_key_ = std::move(*server_key);
  nonce_ = client_nonce_ + std::string(server_nonce);
  server_first_ = "r=" + nonce_ + ",s=" + credentials.salt + ",i=" + std::to_string(credentials.iterations);
  state_ = state::challenged;
  return server_first_;
}

// The c= attribute must carry our GS2 header and, for "p=", the binding data
// of this very connection (RFC 5802 §7 channel-binding).
result<void> scram_server::check_channel_binding(std::string_view c_value) const {
  auto const received = util::base64_decode(c_value);
  std::string expected = gs2_header_;
  if (gs2_header_.starts_with("p=")) expected += options_.channel_binding->data;
  if (!received || !equal_constant_time(*received, expected)) {
    return make_error(errc::permission_denied, "SCRAM: channel binding mismatch");
  }
  return {};
}

// client-final-message = channel-binding "," nonce ["," extensions] "," proof
result<std::string> scram_server::finish(std::string_view client_final) {
  if (state_ != state::challenged) return fail(errc::protocol_error, "client-final-message out of order");
  if (client_final.size() > max_scram_message_bytes) return fail(errc::protocol_error, "message too long");
  std::size_t const proof_at = client_final.rfind(",p=");
  if (proof_at == std::string_view::npos) return fail(errc::protocol_error, "missing proof");
  std::string_view const without_proof = client_final.substr(0, proof_at);
  auto const fields = split_commas(without_proof);
  auto const c_value = attribute(fields[0], 'c');
  auto const nonce = fields.size() >= 2 ? attribute(fields[1], 'r') : std::nullopt;
  if (!c_value || !nonce) return fail(errc::protocol_error, "expected c= and r=");
  for (std::size_t i = 2; i < fields.size(); ++i) {
    if (!is_valid_extension(fields[i])) return fail(errc::protocol_error, "bad attribute");
  }
  if (!check_channel_binding(*c_value)) return fail(errc::permission_denied, "channel binding mismatch");
  if (*nonce != nonce_) return fail(errc::permission_denied, "nonce mismatch");
  auto const proof = util::base64_decode(client_final.substr(proof_at + 3));
  if (!proof || proof->size() != stored_key_.size()) return fail(errc::protocol_error, "bad proof");

  std::string const auth_message = client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  std::string client_key = xor_bytes(*proof, hmac(options_.hash, stored_key_, auth_message));
  bool const ok = equal_constant_time(h(options_.hash, client_key), stored_key_);
  util::cleanse(client_key);
  if (!ok) return fail(errc::permission_denied, "invalid proof");
  state_ = state::done;
  return "v=" + util::base64_encode(hmac(options_.hash, server_key_, auth_message));
}

bool is_authzid_permitted(scram_client_first const& who, std::string_view account_address) {
  auto same = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      char x = a[i], y = b[i];
      if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
      if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
      if (x != y) return false;
    }
    return true;
  };
  if (who.authzid.empty()) return true;
  return who.authzid == who.username || (!account_address.empty() && same(who.authzid, account_address));
}

}  // namespace posta::auth
