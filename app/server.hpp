// The running server: every long-lived object of `posta serve`, built in
// dependency order and torn down in reverse.
#pragma once

#include "core/api/api.hpp"
#include "addressbook/dav/service.hpp"
#include "core/auth/authenticator.hpp"
#include "core/blob/blob_store.hpp"
#include "core/config/bootstrap.hpp"
#include "core/db/notifier.hpp"
#include "core/db/pool.hpp"
#include "core/dns/resolver.hpp"
#include "core/http/connection.hpp"
#include "core/http/router.hpp"
#include "core/identity/dkim.hpp"
#include "core/identity/store.hpp"
#include "core/journal/journal.hpp"
#include "core/net/connection_cap.hpp"
#include "core/net/connection_limiter.hpp"
#include "core/net/listener.hpp"
#include "core/net/session_registry.hpp"
#include "core/net/tls.hpp"
#include "core/service/registry.hpp"
#include "core/settings/settings.hpp"
#include "directory/auth/bind_verifier.hpp"
#include "directory/store/source_store.hpp"
#include "directory/sync/engine.hpp"
#include "directory/sync/scheduler.hpp"
#include "jabber/server/account_watch.hpp"
#include "jabber/server/roster_follow.hpp"
#include "jabber/server/router.hpp"
#include "jabber/server/service.hpp"
#include "jabber/server/session_table.hpp"
#include "jabber/store/roster_store.hpp"
#include "mail/delivery/committer.hpp"
#include "mail/delivery/recipients.hpp"
#include "mail/pop3/server/maildrop_store.hpp"
#include "mail/pop3/server/service.hpp"
#include "mail/pop3/store/maildrop_locks.hpp"
#include "mail/smtp/policy/lists.hpp"
#include "mail/smtp/policy/rate_limiter.hpp"
#include "mail/imap/server/service.hpp"
#include "mail/smtp/server/service.hpp"
#include "mail/store/change_feed.hpp"
#include "mail/store/mailbox_store.hpp"
#include "mail/store/watcher.hpp"
#include "mail/index/indexer.hpp"
#include "search/engine/mail_index.hpp"
#include "mail/queue/runner.hpp"

#include <boost/asio/io_context.hpp>

namespace posta::app {

// Every certificate the bootstrap file names.
net::tls_files tls_files_of(config::bootstrap const& cfg);

struct server {
  server(asio::io_context& io, config::bootstrap cfg, std::string conninfo, std::string server_secret);

  // Certificates, migrations, settings, services; returns once everything is listening.
  asio::awaitable<result<void>> start();
  asio::awaitable<void> stop();
  // SIGHUP: re-reads the bootstrap file, reloads every certificate and
  // rebinds listeners whose address changed. A file that does not load
  // changes nothing (the journal says why).
  asio::awaitable<void> reload(std::string const& config_path);

  asio::io_context& io;
  config::bootstrap cfg;
  db::pool pool;
  db::notifier notifier;
  settings::store settings;
  identity::store identity;
  identity::dkim_keys dkim_keys;  // sealed with the server secret
  directory::store::source_store directory_sources;  // bind passwords sealed with the server secret
  directory::sync::engine directory_sync;
  directory::sync::scheduler directory_scheduler;  // the service "directory"
  blob::store blobs;
  journal::sink journal_sink;
  service::registry services;
  net::connection_cap connections;  // SECURITY: net.max_connections, all listeners together
  net::session_registry sessions;   // told to say goodbye at shutdown
  net::listener_set listeners;
  net::connection_limiter http_limiter;
  http::router router;
  api::context api;
  std::shared_ptr<net::tls_contexts> tls;
  auth::authenticator authenticator;
  addressbook::dav::context carddav;  // /dav and /.well-known/carddav on the HTTP listeners
  mail::delivery::resolver resolver;
  mail::delivery::committer committer;
  mail::store::mailbox_store mailstore;        // what IMAP and POP3 sessions call
  mail::store::change_feed change_feed;          // change reads shared by the sessions of a mailbox
  mail::store::mailbox_watcher mailbox_watcher;  // NOTIFY posta_mailbox fanned out to sessions
  search::engine::mail_indexes mail_indexes;     // <data_dir>/index/<account id>/
  mail::index::indexer indexer;                  // the service "indexer"; IMAP SEARCH asks it
  mail::smtp::policy::rate_limiter smtp_rate;
  mail::smtp::policy::lists_source smtp_lists;
  mail::smtp::server::service smtp;
  mail::imap::server::service imap;
  std::unique_ptr<mail::pop3::server::maildrop_store> maildrops;
  mail::pop3::store::maildrop_locks maildrop_locks;  // POP3 leases, extended while this node runs
  mail::pop3::server::service pop3;
  jabber::server::router xmpp_routes;  // the c2s sessions of this node
  jabber::store::roster_store xmpp_rosters;
  jabber::server::session_table xmpp_sessions;  // what `posta xmpp sessions` lists
  jabber::server::account_watch xmpp_accounts;  // disabled and deleted accounts' sessions end
  jabber::server::roster_follow xmpp_follow;    // roster pushes after identity changes (schema/019)
  jabber::server::service xmpp;
  std::unique_ptr<dns::resolver> dns;                 // made in start(): dns.servers is a setting
  std::unique_ptr<mail::queue::runner> queue_runner;  // outbound delivery, the service "queue"

 private:
  // A service that is one listener of the bootstrap file.
  void add_listener_service(std::string const& name, net::connection_handler handler, bool can_disable = true,
                            bool reserved = false, std::string refusal = {});
  void add_http_listeners();
  asio::awaitable<void> reload_listeners(config::bootstrap const& fresh);
  void apply_settings();
  asio::awaitable<result<void>> start_outbound();
  void add_directory_service();
  asio::awaitable<void> end_earlier_xmpp_presence();
  void add_indexer();
  asio::awaitable<void> drain_sessions();
  asio::awaitable<void> maintenance();
  asio::awaitable<void> move_small_blobs_inline(db::connection& conn);
  bool stopping_ = false;
  std::size_t descriptor_limit_ = 1024;
  std::size_t dropped_log_lines_ = 0;
  std::vector<std::string> dns_servers_;  // in force, to notice a change of dns.servers
};

}  // namespace posta::app
