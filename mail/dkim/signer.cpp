// DKIM signing on libopendkim: see signer.hpp. RFC 6376 3.4.2, 3.4.4
// (relaxed canonicalisation), 3.5 (the signature's tags), 5.4.2 (oversigning).
#include "mail/dkim/signer.hpp"

#include "core/identity/names.hpp"
#include "core/net/blocking.hpp"
#include "mail/mime/header_block.hpp"
#include "mail/mime/originator.hpp"
#include "mail/smtp/client/proto/header_encoding.hpp"
#include "mail/smtp/proto/crlf_normaliser.hpp"

// libopendkim's header is C99: _Bool is bool in C++.
#define _Bool bool
#include <opendkim/dkim.h>
#undef _Bool

#include <algorithm>
#include <cstring>
#include <iterator>

namespace posta::mail::dkim {
namespace {

constexpr std::int64_t read_octets = 64 * 1024;  // one read from the store
// Normalised bytes handed to libopendkim per trip to the CPU pool.
constexpr std::size_t body_batch_octets = 256 * 1024;
constexpr std::string_view field_name = "DKIM-Signature: ";

// Set once and only read afterwards: one library handle for every thread.
DKIM_LIB* make_library() {
  DKIM_LIB* lib = dkim_init(nullptr, nullptr);
  if (lib == nullptr) return nullptr;
  static char const* sign[std::size(signed_fields) + 1] = {};
  std::copy(std::begin(signed_fields), std::end(signed_fields), sign);
  static char const* oversign[] = {"from", nullptr};
  // libopendkim takes the NULL-terminated arrays themselves, with the size
  // of a pointer; it keeps the oversign one (hence static).
  auto* sign_list = const_cast<char**>(sign);
  auto* oversign_list = const_cast<char**>(oversign);
  if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, sign_list, sizeof sign_list) != DKIM_STAT_OK ||
      dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS, oversign_list, sizeof oversign_list) != DKIM_STAT_OK) {
    dkim_close(lib);
    return nullptr;
  }
  return lib;
}

DKIM_LIB* library() {
  static DKIM_LIB* const lib = make_library();
  return lib;
}

struct handle_free {
  void operator()(DKIM* d) const { dkim_free(d); }
};
using handle = std::unique_ptr<DKIM, handle_free>;

error failure(DKIM* d, DKIM_STAT status, std::string_view step) {
  std::string why = dkim_getresultstr(status);
  if (char const* detail = d ? dkim_geterror(d) : nullptr; detail != nullptr && *detail != '\0') why += std::string(": ") + detail;
  return make_error(errc::internal, "DKIM " + std::string(step) + ": " + why);
}

u_char* data_of(std::string& s) { return reinterpret_cast<u_char*>(s.data()); }

// A folded field from libopendkim ("\n\t" or "\r\n\t") with CRLF line ends.
std::string crlf_lines(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

struct signer::state {
  std::string pending;  // normalised bytes read and not yet handed on
  smtp::proto::crlf_normaliser normaliser{[this](std::string_view piece) { pending.append(piece); }};
  bool finished = false;    // the normaliser saw the end of the message
  std::int64_t offset = 0;  // octets of the message read so far
  std::string header;       // the header section with its empty line (if any)
  bool has_header = false;
  handle dkim;
};

signer::signer(smtp::client::body_source& message) : message_(message), state_(std::make_unique<state>()) {}

signer::~signer() = default;

asio::awaitable<result<void>> signer::read_header() {
  auto& s = *state_;
  while (!s.has_header) {
    if (s.offset >= message_.size()) {
      // All header, no body.
      s.normaliser.finish();
      s.finished = true;
      s.header = std::exchange(s.pending, {});
      s.has_header = true;
      break;
    }
    auto const want = std::min(read_octets, message_.size() - s.offset);
    POSTA_CO_TRY_ASSIGN(auto piece, co_await message_.read(s.offset, want));
    if (piece.empty()) co_return make_error(errc::io_error, "short read of the message header");
    s.offset += static_cast<std::int64_t>(piece.size());
    s.normaliser.feed(piece);
    auto const end = smtp::client::proto::header_section_end(s.pending);
    if (std::min(end, s.pending.size()) > max_header_octets)
      co_return make_error(errc::limit_exceeded, "header section too large to sign");
    if (end != std::string::npos) {
      s.header = s.pending.substr(0, end);
      s.pending.erase(0, end);
      s.has_header = true;
    }
  }
  if (s.header.size() > max_header_octets) co_return make_error(errc::limit_exceeded, "header section too large to sign");
  co_return result<void>{};
}

std::optional<std::string> signer::from_domain() const {
  mime::header_scanner scan(state_->header, 0, state_->header.size());
  while (auto field = scan.next()) {
    if (!mime::iequals(field->name, "From")) continue;
    auto mailboxes = mime::parse_mailbox_list(mime::unfold(field->raw_value));
    if (!mailboxes || mailboxes->empty()) return std::nullopt;
    auto const& first = mailboxes->front();
    auto domain = identity::normalise_domain(std::string_view(first).substr(first.rfind('@') + 1));
    if (!domain) return std::nullopt;
    return *domain;
  }
  return std::nullopt;
}

asio::awaitable<result<std::string>> signer::sign(identity::dkim_signing_key const& key, std::string const& id) {
  auto& s = *state_;
  if (!s.has_header) co_return make_error(errc::internal, "DKIM: the header was not read");
  auto start = [&]() -> result<void> {
    if (library() == nullptr) return make_error(errc::internal, "DKIM: libopendkim did not initialise");
    DKIM_STAT status = DKIM_STAT_OK;
    s.dkim.reset(dkim_sign(library(), reinterpret_cast<u_char const*>(id.c_str()), nullptr,
                           reinterpret_cast<dkim_sigkey_t>(const_cast<char*>(key.private_key_pem.c_str())),
                           reinterpret_cast<u_char const*>(key.selector.c_str()),
                           reinterpret_cast<u_char const*>(key.domain.c_str()), DKIM_CANON_RELAXED, DKIM_CANON_RELAXED,
                           DKIM_SIGN_RSASHA256, -1, &status));
    if (!s.dkim) return failure(nullptr, status, "set-up");
    mime::header_scanner scan(s.header, 0, s.header.size());
    while (auto field = scan.next()) {
      auto const end = field->raw_value.data() + field->raw_value.size();
      std::string text(field->name.data(), static_cast<std::size_t>(end - field->name.data()));
      if (auto st = dkim_header(s.dkim.get(), data_of(text), text.size()); st != DKIM_STAT_OK)
        return failure(s.dkim.get(), st, "header field");
    }
    if (auto st = dkim_eoh(s.dkim.get()); st != DKIM_STAT_OK) return failure(s.dkim.get(), st, "end of header");
    return {};
  };
  POSTA_CO_TRY(co_await net::run_cpu(start));
  auto feed = [&]() -> result<void> {
    auto st = s.pending.empty() ? DKIM_STAT_OK : dkim_body(s.dkim.get(), data_of(s.pending), s.pending.size());
    s.pending.clear();
    if (st != DKIM_STAT_OK) return failure(s.dkim.get(), st, "body");
    return {};
  };
  while (!s.finished) {
    if (s.offset >= message_.size()) {
      s.normaliser.finish();
      s.finished = true;
    } else {
      auto const want = std::min(read_octets, message_.size() - s.offset);
      POSTA_CO_TRY_ASSIGN(auto piece, co_await message_.read(s.offset, want));
      if (piece.empty()) co_return make_error(errc::io_error, "short read of the message body");
      s.offset += static_cast<std::int64_t>(piece.size());
      s.normaliser.feed(piece);
    }
    if (s.finished || s.pending.size() >= body_batch_octets) POSTA_CO_TRY(co_await net::run_cpu(feed));
  }
  auto finish = [&]() -> result<std::string> {
    bool test_key = false;
    if (auto st = dkim_eom(s.dkim.get(), &test_key); st != DKIM_STAT_OK) return failure(s.dkim.get(), st, "signature");
    u_char* value = nullptr;
    std::size_t length = 0;
    if (auto st = dkim_getsighdr_d(s.dkim.get(), field_name.size(), &value, &length); st != DKIM_STAT_OK)
      return failure(s.dkim.get(), st, "signature field");
    return crlf_lines(std::string(field_name) + std::string(reinterpret_cast<char const*>(value), length)) + "\r\n";
  };
  auto field = co_await net::run_cpu(finish);
  s.dkim.reset();
  co_return field;
}

}  // namespace posta::mail::dkim
