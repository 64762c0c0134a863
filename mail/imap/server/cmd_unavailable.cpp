// Mailbox commands while this server has no mailbox store: NO [UNAVAILABLE].
#include "mail/imap/server/session.hpp"

namespace posta::mail::imap::server {

#define POSTA_IMAP_UNAVAILABLE(type)                                   \
  asio::awaitable<bool> session::on(std::string const& tag, type&) { \
    no(tag, "Mailboxes are not available", "UNAVAILABLE");           \
    co_return true;                                                    \
  }

POSTA_IMAP_UNAVAILABLE(proto::select_cmd)
POSTA_IMAP_UNAVAILABLE(proto::create_cmd)
POSTA_IMAP_UNAVAILABLE(proto::mailbox_cmd)
POSTA_IMAP_UNAVAILABLE(proto::rename_cmd)
POSTA_IMAP_UNAVAILABLE(proto::status_cmd)
POSTA_IMAP_UNAVAILABLE(proto::list_cmd)
POSTA_IMAP_UNAVAILABLE(proto::append_cmd)
POSTA_IMAP_UNAVAILABLE(proto::uid_expunge_cmd)
POSTA_IMAP_UNAVAILABLE(proto::search_cmd)
POSTA_IMAP_UNAVAILABLE(proto::sort_cmd)
POSTA_IMAP_UNAVAILABLE(proto::thread_cmd)
POSTA_IMAP_UNAVAILABLE(proto::fetch_cmd)
POSTA_IMAP_UNAVAILABLE(proto::store_cmd)
POSTA_IMAP_UNAVAILABLE(proto::copy_cmd)
POSTA_IMAP_UNAVAILABLE(proto::getquota_cmd)
POSTA_IMAP_UNAVAILABLE(proto::setquota_cmd)

asio::awaitable<bool> session::announce_changes(bool) { co_return true; }

asio::awaitable<bool> session::on_selected_simple(std::string const& tag, proto::simple_verb) {
  no(tag, "No mailbox selected");
  co_return true;
}

}  // namespace posta::mail::imap::server
