// LIST and UIDL of the whole maildrop (RFC 1939 7), written in pieces of
// about flush_threshold bytes: the response for 100,000 messages is never
// built as one string, and a slow reader holds one piece at a time.
#include "mail/pop3/proto/listing.hpp"
#include "mail/pop3/server/session.hpp"

namespace posta::mail::pop3::server {

asio::awaitable<bool> session::act(proto::send_listing a) {
  output_ += proto::format_status(a.status);
  // The maildrop cannot change meanwhile: no command runs until this returns.
  auto const& drop = machine_.current_maildrop();
  for (std::uint32_t n = 1; n <= drop.size();) {
    n = proto::append_listing(drop, a.kind, n, output_, flush_threshold);
    if (output_.size() < flush_threshold) break;
    bool flushed = co_await flush();
    if (!flushed) co_return false;
  }
  output_ += ".\r\n";
  // Pipelined commands may follow: the end of the listing may wait for their answers.
  bool sent = co_await send(std::string(), false);
  co_return sent;
}

}  // namespace posta::mail::pop3::server
