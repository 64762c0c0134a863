// DKIM signing of a stored message (RFC 6376 5, RFC 8301) with libopendkim:
// rsa-sha256, relaxed/relaxed, the usual header fields (those present),
// From signed once more than it occurs so that none can be added. The
// message is read once through a body_source, a piece at a time, so a large
// body is never held whole; hashing and the RSA signature run on the CPU
// pool. The only place that includes libopendkim.
#pragma once

#include "core/identity/dkim.hpp"
#include "mail/smtp/client/body_source.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace posta::mail::dkim {

// SECURITY: the header section is held in memory to be signed; past this
// the message is not signed (errc::limit_exceeded).
inline constexpr std::size_t max_header_octets = 1 << 20;

// The fields signed when present (RFC 6376 5.4.1), in h= order.
inline constexpr char const* signed_fields[] = {
    "from",         "to",         "cc",           "subject",                   "date",     "message-id",
    "reply-to",     "in-reply-to", "references",  "mime-version",              "content-type",
    "content-transfer-encoding"};

class signer {
 public:
  explicit signer(smtp::client::body_source& message);
  ~signer();
  signer(signer const&) = delete;
  signer& operator=(signer const&) = delete;

  // Reads the header section (line ends made CRLF, as the client sends them).
  asio::awaitable<result<void>> read_header();

  // After read_header: the domain of the first From mailbox (IDNA A-label,
  // lower case), or nullopt without a From that parses.
  std::optional<std::string> from_domain() const;

  // After read_header: reads the rest of the message and returns the
  // DKIM-Signature field, folded, ending in CRLF, to go before the header.
  // `id` names the message in libopendkim's errors.
  asio::awaitable<result<std::string>> sign(identity::dkim_signing_key const& key, std::string const& id);

 private:
  struct state;
  smtp::client::body_source& message_;
  std::unique_ptr<state> state_;
};

// `field` followed by `message`, read again from its start: what is sent.
std::unique_ptr<smtp::client::body_source> with_field(std::string field,
                                                      std::unique_ptr<smtp::client::body_source> message);

}  // namespace posta::mail::dkim
