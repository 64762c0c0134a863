// Error codes of the network layer: the normal endings of a connection
// (end of stream, idle timeout, cancellation) and its recoverable events.
#pragma once

#include "core/util/result.hpp"

#include <system_error>

namespace posta::net {

enum class net_errc {
  end_of_stream = 1,     // the peer closed (TCP FIN, or TLS without close_notify)
  timeout,               // an idle or handshake deadline passed
  cancelled,             // the operation was cancelled (shutdown)
  line_too_long,         // a line exceeded its bound; it was skipped, reading may go on
  tls_handshake_failed,
  limit_exceeded,        // a connection limit refused the peer
};

std::error_category const& net_category() noexcept;

inline std::error_code make_error_code(net_errc e) noexcept {
  return {static_cast<int>(e), net_category()};
}

using posta::make_error;

inline error make_error(net_errc e, std::string context = {}) {
  return error{make_error_code(e), std::move(context)};
}

inline bool is(error const& e, net_errc code) noexcept { return e.code == make_error_code(code); }
inline bool is_end_of_stream(error const& e) noexcept { return is(e, net_errc::end_of_stream); }
inline bool is_timeout(error const& e) noexcept { return is(e, net_errc::timeout); }
inline bool is_line_too_long(error const& e) noexcept { return is(e, net_errc::line_too_long); }

}  // namespace posta::net

template <>
struct std::is_error_code_enum<posta::net::net_errc> : std::true_type {};
