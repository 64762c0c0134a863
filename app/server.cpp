// Wiring of `posta serve`: the order here is the order of dependence.
#include "app/server.hpp"

#include "core/db/durability.hpp"
#include "core/db/migrations.hpp"
#include "core/dns/resolver.hpp"
#include "core/dns/servers.hpp"
#include "core/identity/auto_folders.hpp"
#include "core/journal/log.hpp"
#include "core/net/blocking.hpp"
#include "directory/api/signature_routes.hpp"
#include "directory/api/source_routes.hpp"
#include "jabber/server/admin_routes.hpp"
#include "jabber/store/online_store.hpp"
#include "mail/index/search_routes.hpp"
#include "mail/queue/channel.hpp"
#include "mail/queue/queue_routes.hpp"
#include "mail/queue/route.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace posta::app {

namespace {
constexpr std::size_t pool_size = 16;

// Spawned background loops must not lose their exceptions.
void log_if_failed(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (std::exception const& ex) {
    journal::log(journal::level::error, "background task failed: {}", ex.what());
  }
}
}  // namespace

net::tls_files tls_files_of(config::bootstrap const& cfg) {
  net::tls_files out;
  auto files = [](config::tls_files const& f) { return net::certificate_files{f.cert, f.key}; };
  out.server = files(cfg.tls);
  for (auto const& [listener, f] : cfg.tls_per_protocol) out.by_listener[listener] = files(f);
  for (auto const& [domain, f] : cfg.tls_per_domain) out.by_domain[domain] = files(f);
  return out;
}

server::server(asio::io_context& io_, config::bootstrap cfg_, std::string conninfo, std::string server_secret)
    : io(io_),
      cfg(std::move(cfg_)),
      pool(io.get_executor(), conninfo, pool_size),
      notifier(io.get_executor(), conninfo),
      settings(pool),
      identity(pool),
      dkim_keys(pool, server_secret),
      directory_sources(pool, server_secret),
      directory_sync(directory_sources),
      directory_scheduler(pool, directory_sync),
      blobs(cfg.data_dir / "blobs"),
      journal_sink(pool),
      services(pool),
      connections(0),
      listeners(io.get_executor(), &connections),
      http_limiter(0, 0),
      api{pool, identity, settings, services, blobs, dkim_keys},
      tls(std::make_shared<net::tls_contexts>()),
      authenticator(identity, settings, std::move(server_secret)),
      carddav{pool, authenticator, settings},
      resolver(pool),
      committer(pool, blobs),
      mailstore(pool, blobs),
      change_feed(mailstore),
      mailbox_watcher(notifier),
      mail_indexes(cfg.data_dir / "index"),
      indexer(io.get_executor(), pool, mailstore, mail_indexes),
      smtp(mail::smtp::server::context{settings, authenticator, resolver, committer, blobs, smtp_rate, smtp_lists, tls,
                                       cfg.hostname, &sessions}),
      imap(mail::imap::server::context{settings, authenticator, identity, tls, cfg.hostname, &sessions, &mailstore,
                                       &mailbox_watcher, &blobs, &indexer}),
      maildrops(mail::pop3::server::make_maildrop_store(mailstore)),
      maildrop_locks(pool, cfg.hostname),
      pop3(mail::pop3::server::context{settings, authenticator, *maildrops, maildrop_locks, tls, &sessions}),
      xmpp_rosters(pool),
      xmpp_accounts(pool, xmpp_sessions),
      xmpp_follow(xmpp_rosters, xmpp_routes, xmpp_sessions),
      xmpp(jabber::server::context{settings, authenticator, identity, xmpp_routes, xmpp_rosters, tls, &sessions,
                                   cfg.hostname, &xmpp_sessions}) {
  mailbox_watcher.share_reads_through(&change_feed);
  authenticator.set_directory_verifier(std::make_shared<directory::auth::bind_verifier>(directory_sources, settings));
}

void server::apply_settings() {
  pool.set_options(db::connection_options{std::chrono::milliseconds(settings.get_int("db.statement_timeout_ms"))});
  http_limiter.set_max_per_ip(static_cast<std::size_t>(settings.get_int("net.max_connections_per_ip")));
  // SECURITY: the cap stays below what the descriptor limit can carry.
  auto const wanted = static_cast<std::size_t>(settings.get_int("net.max_connections"));
  auto const possible = net::connections_for_descriptors(descriptor_limit_);
  if (wanted > possible && connections.max() != possible)
    journal::record(journal::level::warning, "core", "net.max_connections lowered to fit the descriptor limit",
                    {{"wanted", wanted}, {"used", possible}, {"descriptor_limit", descriptor_limit_}});
  connections.set_max(std::min(wanted, possible));
  authenticator.apply_settings();
  blobs.set_inline_max_bytes(settings.get_int("blobs.inline_max_kb") * 1024);
  committer.set_quota_grace_percent(settings.get_int("mail.quota_grace_percent"));
  resolver.set_cache_seconds(settings.get_int("smtp.recipient_cache_seconds"));
  mailstore.set_quota_grace_percent(settings.get_int("mail.quota_grace_percent"));
  mailstore.set_cache_bytes(static_cast<std::size_t>(settings.get_int("mail.message_cache_mb")) << 20);
  smtp.apply_settings();
  if (queue_runner) queue_runner->wake();  // a relay or queue setting may have changed
  imap.apply_settings();
  pop3.apply_settings();
  xmpp.apply_settings();
  mail_indexes.set_language(
      search::engine::parse_language(settings.get_string("search.language")).value_or(search::engine::language::english));
  if (dns && settings.get_list("dns.servers") != dns_servers_) {
    dns_servers_ = settings.get_list("dns.servers");
    asio::co_spawn(io, [this, servers = dns_servers_]() -> asio::awaitable<void> {
      if (auto set = co_await dns->set_servers(servers); !set)
        journal::record(journal::level::error, "core", "dns.servers not applied", {{"error", set.error().message()}});
    }, log_if_failed);
  }
  auto skipped = smtp_lists.update(settings.get_list("smtp.allow_list"), settings.get_list("smtp.deny_list"),
                                   settings.get_list("smtp.trusted_networks"));
  for (auto const& entry : skipped) journal::record(journal::level::warning, "smtp", "ignored list entry " + entry);
}

void server::add_listener_service(std::string const& name, net::connection_handler handler, bool can_disable,
                                  bool reserved, std::string refusal) {
  service::hooks h;
  h.can_disable = can_disable;
  h.carries_api = name == "http" || name == "https";
  h.configured = [this, name] { return !cfg.listeners[name].empty(); };
  h.start = [this, name, handler, reserved, refusal, added = false]() mutable -> asio::awaitable<result<std::string>> {
    auto address = cfg.listeners[name];
    if (!added) {
      POSTA_CO_TRY(listeners.add({name, address, handler, reserved, refusal}));
      added = true;
    } else {
      POSTA_CO_TRY(co_await listeners.rebind(name, address));
    }
    auto at = listeners.local_endpoint(name);
    co_return "listening on " + (at ? at->address().to_string() + ":" + std::to_string(at->port()) : address);
  };
  h.stop = [this, name]() -> asio::awaitable<void> { co_await listeners.rebind(name, "0"); };
  services.add(name, std::move(h));
}

// The same router on both: plain http (loopback unless allowed, see
// config::check_plain_http) and https with the server's certificate.
void server::add_http_listeners() {
  auto limited = [this](asio::ip::tcp::socket& s) -> result<net::connection_limiter::guard> {
    boost::system::error_code ec;
    auto peer = s.remote_endpoint(ec);
    if (ec) return make_error(ec, "peer address");
    return http_limiter.try_acquire(peer.address());  // SECURITY: per-IP connection bound
  };
  add_listener_service("http", [this, limited](asio::ip::tcp::socket s) -> asio::awaitable<void> {
    auto slot = limited(s);
    if (!slot) co_return;  // the socket closes
    co_await http::serve_http_connection(std::move(s), router, http::http_limits{});
  }, false, /*reserved=*/true);
  add_listener_service("https", [this, limited](asio::ip::tcp::socket s) -> asio::awaitable<void> {
    auto slot = limited(s);
    if (!slot) co_return;
    // The certificates of this moment: a reload changes later connections only.
    co_await http::serve_https_connection(std::move(s), tls->for_listener("https"), router, http::http_limits{});
  }, true, /*reserved=*/true);
}

asio::awaitable<result<void>> server::start() {
  POSTA_CO_TRY(tls->load(tls_files_of(cfg)));
  settings::register_item_validator("smtp.allow_list", mail::smtp::policy::validate_list_entry);
  settings::register_item_validator("smtp.deny_list", mail::smtp::policy::validate_list_entry);
  settings::register_item_validator("smtp.trusted_networks", mail::smtp::policy::validate_network_entry);
  directory::api::register_signature_validators();
  addressbook::dav::register_setting_validators();
  settings::register_item_validator("mail.auto_folders", identity::validate_auto_folder);
  settings::register_item_validator("dns.servers", dns::validate_server_entry);
  settings::register_item_validator("search.language", [](std::string_view v) -> result<void> {
    if (search::engine::parse_language(v)) return {};
    return make_error(errc::invalid_argument, "search.language is english, french, russian or none");
  });
  settings::register_item_validator("relay.smarthost", [](std::string_view v) -> result<void> {
    POSTA_TRY(mail::queue::parse_smarthost(v));
    return {};
  });
  settings::register_item_validator("relay.smarthost_tls", [](std::string_view v) -> result<void> {
    POSTA_TRY(mail::queue::parse_smarthost_tls(v));
    return {};
  });
  {
    POSTA_CO_TRY_ASSIGN(auto conn, co_await pool.acquire());
    POSTA_CO_TRY(co_await db::check_server_durability(*conn, cfg.allow_fsync_off));
    // A migration may rewrite big tables: it gets an hour, not a statement's
    // bound (the pool re-applies the setting when the lease comes back).
    POSTA_CO_TRY(co_await conn->apply(db::connection_options{std::chrono::hours(1)}));
    POSTA_CO_TRY(co_await db::migrate(*conn, db::builtin_migrations()));
  }
  POSTA_CO_TRY(blobs.open_blocking());
  POSTA_CO_TRY(co_await settings.reload());
  descriptor_limit_ = net::raise_descriptor_limit();
  // SECURITY: bounded pools, sized once (pools.disk_threads, pools.cpu_threads).
  if (!net::configure_pools(static_cast<std::size_t>(settings.get_int("pools.disk_threads")),
                            static_cast<std::size_t>(settings.get_int("pools.cpu_threads"))))
    journal::log(journal::level::warning, "thread pools were in use before start-up: pools.* settings not applied");
  settings.on_change([this] { apply_settings(); });
  apply_settings();
  notifier.subscribe(settings::notify_channel, [this](std::string const&, std::string const&) {
    asio::co_spawn(io, [this]() -> asio::awaitable<void> { co_await settings.reload(); }, log_if_failed);
  });
  notifier.subscribe("posta_identity", [this](std::string const&, std::string const&) {
    resolver.forget_cached();
    asio::co_spawn(io, xmpp_accounts.check(), log_if_failed);
  });
  notifier.subscribe(jabber::server::roster_notify_channel, [this](std::string const&, std::string const& payload) {
    asio::co_spawn(io, xmpp_follow.on_notify(payload), log_if_failed);
  });
  // Identity changes made while the notifier was reconnecting were not heard.
  notifier.on_connected([this] {
    resolver.forget_cached();
    asio::co_spawn(io, xmpp_accounts.check(), log_if_failed);
  });
  asio::co_spawn(io, notifier.run(), log_if_failed);
  journal::install_sink(&journal_sink);
  asio::co_spawn(io, journal_sink.run(), log_if_failed);

  router.set_token(cfg.admin_token);
  api::add_routes(router, api);
  mail::queue::add_queue_routes(router, pool);
  mail::index::add_search_routes(router, pool, identity, indexer);
  jabber::server::add_admin_routes(router, xmpp_sessions, cfg.hostname);
  directory::api::add_source_routes(router, directory_sources, directory_sync);
  directory::api::add_signature_routes(router, pool, settings);
  addressbook::dav::mount_carddav(router, carddav);
  add_directory_service();
  add_http_listeners();
  using mail::smtp::server::listener_kind;
  // A connection over the global cap hears why (RFC 5321 3.8); the implicit
  // TLS port expects a handshake, so it is only closed.
  std::string const busy = "421 4.7.0 " + cfg.hostname + " too many connections, try again later\r\n";
  add_listener_service("smtp", smtp.handler(listener_kind::mx), true, false, busy);
  add_listener_service("submission", smtp.handler(listener_kind::submission), true, false, busy);
  add_listener_service("submissions", smtp.handler(listener_kind::submissions));
  std::string const imap_busy = "* BYE " + cfg.hostname + " too many connections, try again later\r\n";
  add_listener_service("imap", imap.handler(mail::imap::server::listener_kind::imap), true, false, imap_busy);
  add_listener_service("imaps", imap.handler(mail::imap::server::listener_kind::imaps));
  using pop3_kind = mail::pop3::server::listener_kind;
  add_listener_service("pop3", pop3.handler(pop3_kind::pop3), true, false,
                       "-ERR [SYS/TEMP] Too many connections, try again later\r\n");
  add_listener_service("pop3s", pop3.handler(pop3_kind::pop3s));
  add_listener_service("xmpp", xmpp.handler(jabber::server::listener_kind::xmpp));
  add_listener_service("xmpps", xmpp.handler(jabber::server::listener_kind::xmpps));
  POSTA_CO_TRY(co_await start_outbound());
  add_indexer();
  committer.start(io.get_executor());
  co_await end_earlier_xmpp_presence();
  co_await services.start_enabled();
  asio::co_spawn(io, maintenance(), log_if_failed);
  asio::co_spawn(io, maildrop_locks.keep_alive(), log_if_failed);
  journal::record(journal::level::info, "core", "posta started", {{"hostname", cfg.hostname}});
  co_return result<void>{};
}

// Before the XMPP listeners open: the presence a killed earlier run of this
// node never ended is ended now (jabber/store/online_store.hpp).
asio::awaitable<void> server::end_earlier_xmpp_presence() {
  auto ended = co_await jabber::store::end_resources_of_earlier_run(pool, cfg.hostname);
  if (!ended)
    journal::record(journal::level::warning, "xmpp", "presence of an earlier run not ended",
                    {{"detail", ended.error().message()}});
  else if (*ended > 0)
    journal::record(journal::level::info, "xmpp", "presence of an earlier run ended",
                    {{"resources", std::to_string(*ended)}});
}

// The resolver and the queue runner (service "queue"): rows the committer
// queues, or a flush on any node (NOTIFY posta_queue), wake the runner.
asio::awaitable<result<void>> server::start_outbound() {
  dns_servers_ = settings.get_list("dns.servers");
  POSTA_CO_TRY_ASSIGN(dns, dns::resolver::create(io.get_executor(), dns::resolver_options{dns_servers_}));
  queue_runner = std::make_unique<mail::queue::runner>(
      mail::queue::runner_context{pool, settings, blobs, committer, *dns, cfg.hostname, dkim_keys}, cfg.hostname);
  committer.on_queued([this] { queue_runner->wake(); });
  notifier.subscribe(mail::queue::notify_channel, [this](std::string const&, std::string const& payload) {
    if (payload == mail::queue::flush_payload)
      queue_runner->flush();
    else
      queue_runner->wake();
  });
  // A key rotated on any node: the next message is signed with the new one.
  notifier.subscribe("posta_dkim", [this](std::string const&, std::string const&) { queue_runner->forget_dkim_keys(); });
  notifier.on_connected([this] { queue_runner->forget_dkim_keys(); });
  service::hooks h;
  h.start = [this]() -> asio::awaitable<result<std::string>> { co_return co_await queue_runner->start(io.get_executor()); };
  h.stop = [this]() -> asio::awaitable<void> { co_await queue_runner->stop(); };
  services.add("queue", std::move(h));
  co_return result<void>{};
}

void server::add_directory_service() {
  service::hooks h;
  h.start = [this]() -> asio::awaitable<result<std::string>> { co_return co_await directory_scheduler.start(io.get_executor()); };
  h.stop = [this]() -> asio::awaitable<void> { co_await directory_scheduler.stop(); };
  services.add("directory", std::move(h));
}

// The full-text indexer (service "indexer"): stopped, IMAP SEARCH scans
// and the search API answers from what is indexed.
void server::add_indexer() {
  service::hooks h;
  h.start = [this]() -> asio::awaitable<result<std::string>> { co_return co_await indexer.start(); };
  h.stop = [this]() -> asio::awaitable<void> { co_await indexer.stop(); };
  services.add("indexer", std::move(h));
}

// Periodic housekeeping: unreferenced blobs and old journal entries.
asio::awaitable<void> server::maintenance() {
  asio::steady_timer timer(io);
  for (int round = 0; !stopping_; ++round) {
    timer.expires_after(std::chrono::minutes(round == 0 ? 1 : 10));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopping_) co_return;
    if (auto conn = co_await pool.acquire()) {
      auto grace = std::chrono::seconds(settings.get_int("blobs.gc_grace_seconds"));
      auto gc = co_await blobs.collect_garbage(**conn, grace);
      if (gc && gc->blobs_deleted)
        journal::record(journal::level::info, "core", "deleted unreferenced message bodies",
                        {{"count", gc->blobs_deleted}});
      co_await move_small_blobs_inline(**conn);
    }
    // Delivery ids only matter to a retry seconds after its commit (schema/004).
    (void)co_await pool.q("DELETE FROM deliveries WHERE committed_at < now() - interval '1 day'");
    if (auto days = settings.get_int("journal.retention_days"); days > 0) {
      co_await journal::purge_older_than(pool, static_cast<int>(days));
      (void)co_await pool.q("DELETE FROM queue_attempts WHERE attempted_at < now() - $1::int * interval '1 day'", days);
    }
    if (auto dropped = journal::dropped_stderr_lines(); dropped != dropped_log_lines_) {
      journal::record(journal::level::warning, "core", "log lines dropped: stderr could not keep up",
                      {{"dropped_total", dropped}});
      dropped_log_lines_ = dropped;
    }
  }
}

// Small bodies written as files (before bodies lived in the database, or
// while the inline limit was lower) move into the database, a batch at a time.
asio::awaitable<void> server::move_small_blobs_inline(db::connection& conn) {
  int total = 0;
  for (int round = 0; round < 50 && !stopping_; ++round) {
    auto moved = co_await blobs.move_small_files_inline(conn);
    if (!moved || *moved == 0) break;
    total += *moved;
  }
  if (total > 0)
    journal::record(journal::level::info, "core", "moved small message bodies into the database", {{"count", total}});
}

asio::awaitable<void> server::reload(std::string const& config_path) {
  auto fresh = config::load_bootstrap(config_path);
  if (!fresh) {
    journal::record(journal::level::error, "core", "configuration not reloaded: " + fresh.error().message());
    co_return;
  }
  if (auto r = tls->load(tls_files_of(*fresh)); !r) {
    journal::record(journal::level::error, "core", "certificates not reloaded: " + r.error().message());
  } else {
    cfg.tls = fresh->tls;
    cfg.tls_per_protocol = fresh->tls_per_protocol;
    cfg.tls_per_domain = fresh->tls_per_domain;
    journal::record(journal::level::info, "core", "certificates reloaded");
  }
  co_await reload_listeners(*fresh);
}

asio::awaitable<void> server::reload_listeners(config::bootstrap const& fresh) {
  cfg.allow_remote_plain_http = fresh.allow_remote_plain_http;
  for (auto const& [name, address] : fresh.listeners) {
    if (cfg.listeners[name] == address) continue;
    journal::record(journal::level::info, "core", "listener " + name + " moves to " + (address.empty() ? "off" : address));
    cfg.listeners[name] = address;
    co_await services.restart(name);
  }
}

// Sessions say goodbye: idle ones at once (421 4.3.2), those receiving a
// message once it is stored, within net.shutdown_grace_seconds; then the
// rest are closed, and waited for, since one may be awaiting its commit.
asio::awaitable<void> server::drain_sessions() {
  sessions.begin_shutdown();
  auto const grace = std::chrono::seconds(settings.get_int("net.shutdown_grace_seconds"));
  bool const drained = co_await sessions.wait_until_empty(grace);
  if (drained) co_return;
  journal::record(journal::level::warning, "core", "closing sessions still open after the grace period",
                  {{"sessions", sessions.size()}});
  sessions.force_close();
  co_await sessions.wait_until_empty(std::chrono::seconds(30));
}

asio::awaitable<void> server::stop() {
  stopping_ = true;
  journal::record(journal::level::info, "core", "posta stopping");
  co_await services.stop_all();
  listeners.stop();
  co_await drain_sessions();
  maildrop_locks.stop();  // every POP3 session has released its lock
  // DURABILITY: only now, with no session left to await an answer, does the
  // committer stop; every job it took was answered.
  committer.stop();
  if (dns) dns->cancel();
  journal_sink.stop();
  co_await journal_sink.flush_now();
  journal::install_sink(nullptr);
}

}  // namespace posta::app
