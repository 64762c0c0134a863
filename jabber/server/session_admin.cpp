// What a session contributes to administration and its bounds: its entry
// in the session table (issue 11 "Administration"), refused past
// xmpp.max_resources_per_account (RFC 6120 7.6.2.1 resource-constraint);
// the XEP-0092 query that names the client software; and the stanza rate
// (xmpp.max_stanzas_per_second), which slows reads down rather than
// dropping or refusing anything, as imap.max_commands_per_second does.
#include "core/journal/journal.hpp"
#include "core/settings/settings.hpp"
#include "core/util/date.hpp"
#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/xml_escape.hpp"
#include "jabber/server/session.hpp"
#include "jabber/server/session_table.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace posta::jabber::server {
namespace {

// SECURITY: what a client may make the administrator's listing show.
constexpr std::size_t max_client_name = 200;

std::string child_text(gloox::Tag const& parent, std::string const& name) {
  auto* c = parent.findChild(name);
  return c ? c->cdata() : std::string();
}

// Printable ASCII and UTF-8, no control characters, bounded.
std::string shown_name(std::string text) {
  std::erase_if(text, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  if (text.size() > max_client_name) text.resize(max_client_name);
  return text;
}

}  // namespace

bool session::register_for_admin(bool counted) {
  stanza_rate_.set_rate(static_cast<std::uint32_t>(ctx_.settings.get_int("xmpp.max_stanzas_per_second")),
                        std::chrono::steady_clock::now());
  if (!ctx_.table) return true;
  auto const max = counted ? static_cast<std::size_t>(ctx_.settings.get_int("xmpp.max_resources_per_account")) : 0;
  session_view view{full_jid_,  account_,         resource_,
                    client_ip_, stream_.is_tls(), util::utc_datetime(std::chrono::system_clock::now()),
                    resource_};
  return ctx_.table->add(std::move(view), outbox_, max);
}

void session::unregister_for_admin() {
  if (ctx_.table && outbox_) ctx_.table->remove(full_jid_, outbox_.get());
}

// XEP-0092: the server asks once; the answer names the client in listings.
void session::ask_client_version() {
  if (!ctx_.table) return;
  version_query_id_ = stream_id_ + "-version";
  push("<iq type='get' id='" + proto::escaped(version_query_id_) + "' from='" + proto::escaped(host_) + "' to='" +
       proto::escaped(full_jid_) + "'><query xmlns='" + std::string(proto::ns::version) + "'/></iq>");
}

bool session::on_client_version(gloox::Tag const& iq) {
  if (version_query_id_.empty() || iq.findAttribute("id") != version_query_id_) return false;
  version_query_id_.clear();
  auto* query = iq.findChild("query");
  if (iq.findAttribute("type") != "result" || !query || query->xmlns() != proto::ns::version) return true;
  auto name = child_text(*query, "name");
  auto const version = child_text(*query, "version");
  if (!version.empty()) name += " " + version;
  name = shown_name(std::move(name));
  if (!name.empty() && ctx_.table) ctx_.table->set_client(full_jid_, outbox_.get(), std::move(name));
  return true;
}

// SECURITY: a client sending faster than the rate waits before its next
// read; TCP flow control then slows it down, and nothing is lost.
asio::awaitable<void> session::pace_input(std::size_t stanzas) {
  if (step_ != step::bound || stanzas == 0) co_return;
  auto const now = std::chrono::steady_clock::now();
  auto wait = std::chrono::steady_clock::duration::zero();
  for (std::size_t i = 0; i < stanzas; ++i) wait = stanza_rate_.delay(now);
  if (wait <= std::chrono::steady_clock::duration::zero()) co_return;
  asio::steady_timer timer(stream_.get_executor(), wait);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace posta::jabber::server
