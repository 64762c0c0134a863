// SASL on a c2s stream (RFC 6120 section 6.4): PLAIN (RFC 4616, inside TLS
// only), SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 5802, RFC 7677) through the
// shared authenticator (default domain, throttling shared with mail,
// disabled accounts refused), the failure conditions of 6.5 and the stream
// restart after success (6.4.6).
#include "core/auth/authenticator.hpp"
#include "core/auth/sasl_plain.hpp"
#include "core/journal/journal.hpp"
#include "core/util/base64.hpp"
#include "core/util/crypto_random.hpp"
#include "jabber/server/session.hpp"

namespace posta::jabber::server {
namespace {

// SECURITY: RFC 6120 6.4.5 allows a configurable number of retries (the
// RFC suggests 2 to 5); past it the stream ends with policy-violation.
constexpr int max_sasl_failures = 3;

std::optional<auth::scram_hash> scram_of(std::string_view mechanism) {
  if (mechanism == "SCRAM-SHA-256") return auth::scram_hash::sha256;
  if (mechanism == "SCRAM-SHA-1") return auth::scram_hash::sha1;
  return std::nullopt;
}

bool is_offered(proto::c2s_stream_state const& s, std::string_view mechanism) {
  for (auto m : proto::offered_mechanisms(s))
    if (m == mechanism) return true;
  return false;
}

std::string_view domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

}  // namespace

// XMPP clients authenticate with the localpart of their JID (RFC 6120
// 6.3.8): it names an account of the stream's host, whatever auth.default_domain says.
std::string session::login_for(std::string_view name) const {
  if (name.find('@') != std::string_view::npos) return std::string(name);
  return std::string(name) + "@" + host_;
}

asio::awaitable<bool> session::on_sasl(gloox::Tag& tag) {
  if (tag.name() == "auth") {
    bool ok = co_await on_auth(tag);
    co_return ok;
  }
  if (tag.name() == "abort") {
    scram_.reset();
    plain_pending_ = false;
    bool ok = co_await sasl_failed(proto::sasl_condition::aborted);
    co_return ok;
  }
  if (tag.name() == "response" && (scram_ || plain_pending_)) {
    auto const text = tag.cdata();  // by value: the payload views it
    auto payload = proto::sasl_payload(text).value_or("");
    auto decoded = util::base64_decode(payload, util::base64_whitespace::ignore);
    if (!decoded) {
      scram_.reset();
      plain_pending_ = false;
      bool ok = co_await sasl_failed(proto::sasl_condition::incorrect_encoding);
      co_return ok;
    }
    if (plain_pending_) {
      plain_pending_ = false;
      bool ok = co_await sasl_plain(std::move(*decoded));
      co_return ok;
    }
    bool ok = co_await sasl_scram_finish(std::move(*decoded));
    co_return ok;
  }
  bool ok = co_await sasl_failed(proto::sasl_condition::malformed_request);
  co_return ok;
}

asio::awaitable<bool> session::on_auth(gloox::Tag& tag) {
  scram_.reset();
  plain_pending_ = false;
  auto const mechanism = tag.findAttribute("mechanism");
  mechanism_ = mechanism;
  auto const state = stream_state();
  if (!is_offered(state, mechanism)) {
    // SECURITY: PLAIN, or anything before TLS when TLS is required, is
    // refused before a password is looked at.
    auto const c = (proto::is_tls_pending(state) || (mechanism == "PLAIN" && !state.tls_active))
                       ? proto::sasl_condition::encryption_required
                       : proto::sasl_condition::invalid_mechanism;
    bool ok = co_await sasl_failed(c);
    co_return ok;
  }
  std::optional<std::string> response;
  auto const text = tag.cdata();  // by value: the payload views it
  if (auto payload = proto::sasl_payload(text)) {
    auto decoded = util::base64_decode(*payload, util::base64_whitespace::ignore);
    if (!decoded) {
      bool ok = co_await sasl_failed(proto::sasl_condition::incorrect_encoding);
      co_return ok;
    }
    response = std::move(*decoded);
  }
  if (auto hash = scram_of(mechanism)) {
    bool ok = co_await sasl_scram_start(*hash, std::move(response));
    co_return ok;
  }
  if (!response) {
    // RFC 6120 6.4.2: no initial response: an empty challenge asks for it.
    plain_pending_ = true;
    bool sent = co_await send(proto::format_sasl_challenge(""));
    co_return sent;
  }
  bool ok = co_await sasl_plain(std::move(*response));
  co_return ok;
}

asio::awaitable<bool> session::sasl_plain(std::string response) {
  auto creds = auth::decode_plain(response);
  if (!creds) {
    bool ok = co_await sasl_failed(proto::sasl_condition::malformed_request);
    co_return ok;
  }
  auto r = co_await ctx_.auth.verify_password(login_for(creds->authcid), std::move(creds->password), client_ip_);
  if (r.outcome == auth::login_outcome::unavailable) {
    bool ok = co_await sasl_failed(proto::sasl_condition::temporary_auth_failure);
    co_return ok;
  }
  // RFC 6120 6.5.3: the right password, expired (only ever said to it).
  if (r.outcome == auth::login_outcome::password_expired && domain_of(r.address) == host_) {
    bool ok = co_await sasl_failed(proto::sasl_condition::credentials_expired);
    co_return ok;
  }
  // Wrong password, disabled or throttled: the same answer (no oracle).
  if (!r.ok() || domain_of(r.address) != host_) {
    bool ok = co_await sasl_failed(proto::sasl_condition::not_authorized);
    co_return ok;
  }
  // SECURITY: no proxy authorisation: an authzid must name the user.
  if (!creds->authzid.empty() && creds->authzid != creds->authcid && login_for(creds->authzid) != r.address) {
    bool ok = co_await sasl_failed(proto::sasl_condition::invalid_authzid);
    co_return ok;
  }
  bool ok = co_await sasl_succeeded(r.address, "");
  co_return ok;
}

asio::awaitable<bool> session::sasl_scram_start(auth::scram_hash hash, std::optional<std::string> response) {
  if (!response || response->size() > auth::max_scram_message_bytes) {
    bool ok = co_await sasl_failed(proto::sasl_condition::malformed_request);
    co_return ok;
  }
  auth::scram_server server(auth::scram_server_options{hash, false, std::nullopt});
  auto who = server.start(*response);
  if (!who) {
    bool ok = co_await sasl_failed(proto::sasl_condition::malformed_request);
    co_return ok;
  }
  auto lookup = co_await ctx_.auth.scram_credentials_for(login_for(who->username), hash, client_ip_);
  auto nonce = util::random_nonce();
  auto first = nonce ? server.server_first(lookup.credentials, *nonce) : result<std::string>(nonce.error());
  if (!first) {
    bool ok = co_await sasl_failed(proto::sasl_condition::temporary_auth_failure);
    co_return ok;
  }
  scram_.emplace(scram_exchange{std::move(server), std::move(*who), std::move(lookup)});
  bool sent = co_await send(proto::format_sasl_challenge(util::base64_encode(*first)));
  co_return sent;
}

asio::awaitable<bool> session::sasl_scram_finish(std::string response) {
  auto exchange = std::move(*scram_);
  scram_.reset();
  auto server_final = exchange.server.finish(response);
  auto const& address = exchange.lookup.address;
  // SECURITY: RFC 5802 5.1 authzid: only the authenticated user, as PLAIN.
  bool const ok = server_final.has_value() && exchange.lookup.exists && domain_of(address) == host_ &&
                  auth::is_authzid_permitted(exchange.who, address);
  co_await ctx_.auth.record_scram_result(exchange.lookup, client_ip_, ok);
  if (!ok) {
    bool go_on = co_await sasl_failed(proto::sasl_condition::not_authorized);
    co_return go_on;
  }
  // RFC 6120 6.3.10: the server-final message travels in <success/>.
  bool go_on = co_await sasl_succeeded(address, util::base64_encode(*server_final));
  co_return go_on;
}

asio::awaitable<bool> session::sasl_failed(proto::sasl_condition c) {
  bool sent = co_await send(proto::format_sasl_failure(c));
  if (!sent) co_return false;
  if (c == proto::sasl_condition::aborted || ++sasl_failures_ < max_sasl_failures) co_return true;
  co_await end_with(proto::stream_condition::policy_violation, "too many failed authentications");
  co_return false;
}

asio::awaitable<bool> session::sasl_succeeded(std::string const& address, std::string additional) {
  bool sent = co_await send(proto::format_sasl_success(additional));
  if (!sent) co_return false;
  journal::record(
      journal::level::info, std::string(listener_name(kind_)), "login",
      {{"client_ip", client_ip_}, {"user", address}, {"mechanism", mechanism_}, {"tls", stream_.tls_description()}});
  account_ = address;
  authenticated_ = true;
  // RFC 6120 6.4.6: the client opens a new stream; nothing after <success/>
  // in the same read belongs to the old one.
  reader_.reset();
  restarted_ = true;
  step_ = step::header;
  header_sent_ = false;
  co_return true;
}

}  // namespace posta::jabber::server
