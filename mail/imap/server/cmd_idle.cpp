// IDLE (RFC 2177, RFC 9051 6.3.13): "+ idling", then changes as they happen
// until the client sends DONE.
#include "mail/imap/proto/response.hpp"
#include "mail/imap/server/session.hpp"

namespace posta::mail::imap::server {

asio::awaitable<bool> session::idle(std::string const& tag) {
  send(proto::continuation("idling"));
  bool flushed = co_await flush();
  if (!flushed) co_return false;
  auto line = co_await read_raw_line();
  if (!line) co_return false;
  if (line->size() != 4 || !(((*line)[0] | 0x20) == 'd' && ((*line)[1] | 0x20) == 'o' &&
                             ((*line)[2] | 0x20) == 'n' && ((*line)[3] | 0x20) == 'e')) {
    bad(tag, "Expected DONE");
    co_return true;
  }
  ok(tag, "IDLE terminated");
  co_return true;
}

}  // namespace posta::mail::imap::server
