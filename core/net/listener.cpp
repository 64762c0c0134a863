// Named listeners with accept loops and live rebinding: see listener.hpp.
#include "core/net/listener.hpp"

#include "core/net/listen_address.hpp"
#include "core/journal/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>

namespace posta::net {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct listener_set::entry {
  std::string name;
  std::shared_ptr<connection_handler> handler;
  bool reserved = false;
  std::string refusal;
  std::shared_ptr<tcp::acceptor> acceptor;  // null when off
  std::optional<tcp::endpoint> bound;
};

namespace {

// What an accept loop needs of its listener, shared with it (the entry may
// be rebound meanwhile).
struct entry_view {
  std::string name;
  std::shared_ptr<connection_handler> handler;
  bool reserved = false;
  std::string refusal;
};

constexpr auto as_value = asio::as_tuple(asio::use_awaitable);

// Completion of a spawned coroutine: never lose an exception.
auto log_exceptions(std::string what) {
  return [what = std::move(what)](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (std::exception const& x) {
      journal::log(journal::level::error, "{}: unhandled exception: {}", what, x.what());
    } catch (...) {
      journal::log(journal::level::error, "{}: unhandled non-standard exception", what);
    }
  };
}

// Parameters by value: the frame owns the handler (whose lambda captures a
// coroutine may use), the socket and the connection's slot of the global cap
// for the connection's whole life.
asio::awaitable<void> run_connection(std::shared_ptr<connection_handler> handler, tcp::socket socket,
                                     std::optional<connection_cap::slot> slot) {
  co_await (*handler)(std::move(socket));
  slot.reset();  // released when the connection ends, not before
}

asio::awaitable<void> close_acceptor(std::shared_ptr<tcp::acceptor> acceptor) {
  error_code ignored;
  acceptor->close(ignored);
  co_return;
}

// Out of descriptors (EMFILE) or similar: pause instead of spinning, longer
// each time it happens again, and accept again afterwards.
asio::awaitable<void> back_off(asio::steady_timer& timer, int failures) {
  timer.expires_after(std::chrono::milliseconds(std::min(1000, 50 << std::min(failures, 5))));
  co_await timer.async_wait(as_value);
}

// A refused connection gets its one line (a fresh socket's send buffer is
// empty, so a non-blocking send does not fail for want of room) and is closed.
void refuse(tcp::socket& socket, std::string const& refusal) {
  error_code ec;
  if (!refusal.empty()) {
    socket.non_blocking(true, ec);
    if (!ec) socket.write_some(asio::buffer(refusal), ec);
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

// Logged once, then at most once a minute with the count, so that a flood of
// refusals or accept errors cannot flood the log.
struct throttled_log {
  std::chrono::steady_clock::time_point last{};
  std::size_t suppressed = 0;
  template <class... A>
  void warn(fmt::format_string<A...> f, A&&... a) {
    auto const now = std::chrono::steady_clock::now();
    if (last != std::chrono::steady_clock::time_point{} && now - last < std::chrono::minutes(1)) {
      ++suppressed;
      return;
    }
    if (suppressed) journal::log(journal::level::warning, "({} similar messages suppressed)", suppressed);
    journal::log(journal::level::warning, f, std::forward<A>(a)...);
    last = now;
    suppressed = 0;
  }
};

asio::awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor, std::shared_ptr<entry_view> e,
                                  asio::any_io_executor io, connection_cap* cap) {
  throttled_log accept_errors, refusals;
  int failures = 0;
  // Made before descriptors can run out: the first timer of an io_context
  // sets up its timer service, which must not happen half-way under EMFILE.
  asio::steady_timer pause(acceptor->get_executor());
  for (;;) {
    asio::any_io_executor const strand = asio::make_strand(io);
    auto [ec, socket] = co_await acceptor->async_accept(strand, as_value);
    if (!acceptor->is_open() || ec == asio::error::operation_aborted) break;
    if (ec) {
      accept_errors.warn("listener {}: accept: {}; pausing", e->name, ec.message());
      int const attempt = failures++;
      co_await back_off(pause, attempt);
      continue;
    }
    failures = 0;
    std::optional<connection_cap::slot> slot;
    if (cap) {
      slot = cap->try_acquire(e->reserved);
      if (!slot) {
        // SECURITY: the global connection cap (net.max_connections).
        refusals.warn("listener {}: connection refused: {} connections open (net.max_connections)", e->name,
                      cap->in_use());
        refuse(socket, e->refusal);
        continue;
      }
    }
    // Every protocol here buffers a whole answer and writes it at once, so
    // Nagle's algorithm only delays the rare second write of one answer by a
    // client's delayed ACK (40 ms).
    error_code nodelay_ignored;
    socket.set_option(tcp::no_delay(true), nodelay_ignored);
    asio::co_spawn(strand, run_connection(e->handler, std::move(socket), std::move(slot)),
                   log_exceptions("listener " + e->name + " connection"));
  }
  journal::log(journal::level::debug, "listener {}: accept loop ended", e->name);
}

std::string endpoint_text(tcp::endpoint const& at) {
  std::string const host = at.address().to_string();
  return (at.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(at.port());
}

result<std::shared_ptr<tcp::acceptor>> open_acceptor(asio::any_io_executor io, tcp::endpoint at) {
  auto acceptor = std::make_shared<tcp::acceptor>(asio::make_strand(io));
  error_code ec;
  acceptor->open(at.protocol(), ec);
  if (ec && at.address().is_v6() && at.address().is_unspecified()) {
    at = tcp::endpoint(tcp::v4(), at.port());  // a host without IPv6: fall back to 0.0.0.0
    ec.clear();
    acceptor->open(at.protocol(), ec);
  }
  // A wildcard IPv6 listener also takes IPv4 (as ::ffff:a.b.c.d).
  bool const v6_only = !at.address().is_unspecified();
  if (!ec && at.address().is_v6()) acceptor->set_option(asio::ip::v6_only(v6_only), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(at, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(ec, "listen on " + endpoint_text(at));
  return acceptor;
}

}  // namespace

listener_set::listener_set(asio::any_io_executor io, connection_cap* cap) : io_(std::move(io)), cap_(cap) {}

listener_set::~listener_set() { stop(); }

result<void> listener_set::bind_entry(entry& e, tcp::endpoint const& at) {
  auto acceptor = open_acceptor(io_, at);
  if (!acceptor)
    return make_error(acceptor.error().code, "listener " + e.name + ": " + acceptor.error().context);
  close_entry(e);
  e.acceptor = *acceptor;
  error_code ec;
  e.bound = e.acceptor->local_endpoint(ec);
  journal::log(journal::level::info, "listener {}: listening on {}", e.name, endpoint_text(*e.bound));
  auto view = std::make_shared<entry_view>(entry_view{e.name, e.handler, e.reserved, e.refusal});
  asio::co_spawn(e.acceptor->get_executor(), accept_loop(e.acceptor, std::move(view), io_, cap_),
                 log_exceptions("listener " + e.name));
  return {};
}

// The acceptor belongs to its strand: close it there, which ends the pending
// accept with operation_aborted and so the loop.
void listener_set::close_entry(entry& e) {
  if (!e.acceptor) return;
  asio::post(e.acceptor->get_executor(), [acceptor = e.acceptor] {
    error_code ignored;
    acceptor->close(ignored);
  });
  e.acceptor.reset();
  e.bound.reset();
}

result<void> listener_set::add(listener_spec spec) {
  auto at = parse_listen_address(spec.address);
  if (!at) return make_error(at.error().code, "listener " + spec.name + ": " + at.error().context);
  std::lock_guard lock(mutex_);
  if (entries_.count(spec.name) != 0) return make_error(errc::already_exists, "listener " + spec.name);
  auto e = std::make_unique<entry>();
  e->name = spec.name;
  e->handler = std::make_shared<connection_handler>(std::move(spec.handler));
  e->reserved = spec.reserved;
  e->refusal = std::move(spec.refusal);
  if (*at) {
    if (auto r = bind_entry(*e, **at); !r) return r;
  }
  entries_.emplace(spec.name, std::move(e));
  return {};
}

result<void> listener_set::start(std::vector<listener_spec> specs) {
  std::string failures;
  error first;
  for (auto& spec : specs) {
    auto r = add(std::move(spec));
    if (r) continue;
    if (failures.empty()) first = r.error();
    failures += (failures.empty() ? "" : "; ") + r.error().message();
  }
  if (failures.empty()) return {};
  return make_error(first.code, failures);
}

asio::awaitable<result<void>> listener_set::rebind(std::string name, std::string address) {
  auto at = parse_listen_address(address);
  if (!at) co_return make_error(at.error().code, "listener " + name + ": " + at.error().context);
  std::shared_ptr<tcp::acceptor> old;
  tcp::endpoint old_at;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it == entries_.end()) co_return make_error(errc::not_found, "listener " + name);
    entry& e = *it->second;
    if (!*at) {
      close_entry(e);
      journal::log(journal::level::info, "listener {}: off", name);
      co_return result<void>{};
    }
    auto r = bind_entry(e, **at);  // closes the old acceptor on success
    if (r || !e.bound || r.error().code != std::error_code(error_code(asio::error::address_in_use)))
      co_return r;
    old = std::move(e.acceptor);
    old_at = *e.bound;
    e.bound.reset();
  }
  // The new address overlaps the old one (*:25 -> 192.0.2.7:25): close the
  // old acceptor on its strand, and wait for that, before binding again.
  co_await asio::co_spawn(old->get_executor(), close_acceptor(old), asio::use_awaitable);
  std::lock_guard lock(mutex_);
  entry& e = *entries_.find(name)->second;  // entries are never removed
  auto r = bind_entry(e, **at);
  if (!r && !e.acceptor) (void)bind_entry(e, old_at);  // back to where we were
  co_return r;
}

void listener_set::stop() {
  std::lock_guard lock(mutex_);
  for (auto& [name, e] : entries_) close_entry(*e);
}

std::optional<tcp::endpoint> listener_set::local_endpoint(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return it->second->bound;
}

}  // namespace posta::net
