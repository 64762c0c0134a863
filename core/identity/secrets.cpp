// Password secrets stored for a local account: an argon2id hash for PLAIN/LOGIN
// and SCRAM-SHA-1/SHA-256 keys for SCRAM in IMAP, SMTP and XMPP.
#include "core/auth/password_hash.hpp"
#include "core/auth/scram.hpp"
#include "core/identity/store.hpp"
#include "core/net/blocking.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace posta::identity {
namespace {

boost::json::object scram_object(auth::scram_credentials const& c) {
  return {{"salt", c.salt}, {"iterations", c.iterations}, {"stored_key", c.stored_key}, {"server_key", c.server_key}};
}

result<password_secrets> derive_blocking(std::string const& password) {
  password_secrets out;
  out.password_hash = POSTA_TRY(auth::hash_password_blocking(password));
  auto sha1 = POSTA_TRY(auth::compute_scram_credentials_blocking(password, auth::scram_hash::sha1));
  auto sha256 = POSTA_TRY(auth::compute_scram_credentials_blocking(password, auth::scram_hash::sha256));
  out.scram_json = boost::json::serialize(boost::json::object{{"sha1", scram_object(sha1)}, {"sha256", scram_object(sha256)}});
  return out;
}

}  // namespace

asio::awaitable<result<password_secrets>> derive_password_secrets(std::string password) {
  co_return co_await net::run_cpu([&] { return derive_blocking(password); });
}

}  // namespace posta::identity
