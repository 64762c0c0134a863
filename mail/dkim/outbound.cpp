// Signing of outgoing mail: see outbound.hpp.
#include "mail/dkim/outbound.hpp"

#include "core/identity/names.hpp"
#include "core/journal/journal.hpp"
#include "mail/dkim/signer.hpp"

namespace posta::mail::dkim {
namespace {

// SECURITY: domains whose keys (or their absence) are held at once; past
// it the cache starts again.
constexpr std::size_t max_cached_domains = 1000;
// A missed notification (the notifier reconnecting) is healed this late.
constexpr std::chrono::minutes cache_lifetime{5};

std::optional<std::string> domain_of(std::string const& address) {
  auto at = address.rfind('@');
  if (at == std::string::npos || at + 1 == address.size()) return std::nullopt;
  auto domain = identity::normalise_domain(std::string_view(address).substr(at + 1));
  if (!domain) return std::nullopt;
  return *domain;
}

}  // namespace

asio::awaitable<result<std::optional<identity::dkim_signing_key>>> outbound_signer::key_of(std::string const& domain) {
  auto const now = clock::now();
  if (auto g = generation_.load(std::memory_order_relaxed); g != cache_generation_ || cache_.size() >= max_cached_domains) {
    cache_.clear();
    cache_generation_ = g;
  }
  if (auto it = cache_.find(domain); it != cache_.end() && now - it->second.fetched < cache_lifetime)
    co_return it->second.key;
  POSTA_CO_TRY_ASSIGN(auto key, co_await keys_.signing_key(domain));
  cache_[domain] = cached{key, now};
  co_return key;
}

// The From domain's key when it has one, else the envelope sender's: DMARC
// (RFC 7489 3.1.1) aligns d= with the From domain, which is what receivers
// judge; the sender's domain still vouches for mail whose From is not local
// (a list, a forwarder an authenticated user runs). Neither: unsigned.
asio::awaitable<result<std::string>> outbound_signer::signature(smtp::client::body_source& body,
                                                                std::string const& sender, std::string const& id) {
  signer s(body);
  POSTA_CO_TRY(co_await s.read_header());
  std::optional<identity::dkim_signing_key> key;
  if (auto from = s.from_domain()) {
    POSTA_CO_TRY_ASSIGN(key, co_await key_of(*from));
  }
  if (auto envelope = domain_of(sender); !key && envelope) {
    POSTA_CO_TRY_ASSIGN(key, co_await key_of(*envelope));
  }
  if (!key) co_return std::string();
  co_return co_await s.sign(*key, id);
}

asio::awaitable<std::unique_ptr<smtp::client::body_source>> outbound_signer::sign(
    std::unique_ptr<smtp::client::body_source> body, outbound_message const& m) {
  // SECURITY: a From nobody checked is never signed (schema/015); a header
  // the client rewrites afterwards would only carry a broken signature.
  if (!m.may_sign || m.header_rewritten) co_return body;
  auto const id = "queue " + std::to_string(m.queue_id);
  auto field = co_await signature(*body, m.sender, id);
  if (!field) {
    journal::record(journal::level::warning, "queue", "DKIM signing failed: sent unsigned",
                    {{"queue_id", m.queue_id}, {"error", field.error().message()}});
    co_return body;
  }
  if (field->empty()) co_return body;
  co_return with_field(std::move(*field), std::move(body));
}

}  // namespace posta::mail::dkim
