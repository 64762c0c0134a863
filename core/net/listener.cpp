// Named listeners with accept loops and live rebinding: see listener.hpp.
#include "core/net/listener.hpp"

#include "core/net/listen_address.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

namespace posta::net {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct listener_set::entry {
  std::string name;
  std::shared_ptr<connection_handler> handler;
  std::shared_ptr<tcp::acceptor> acceptor;  // null when off
  std::optional<tcp::endpoint> bound;
};

namespace {

constexpr auto as_value = asio::as_tuple(asio::use_awaitable);

// Completion of a spawned coroutine: never lose an exception.
auto log_exceptions(std::string what) {
  return [what = std::move(what)](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (std::exception const& x) {
      spdlog::error("{}: unhandled exception: {}", what, x.what());
    } catch (...) {
      spdlog::error("{}: unhandled non-standard exception", what);
    }
  };
}

// Parameters by value: the frame owns the handler (whose lambda captures a
// coroutine may use) and the socket for the connection's whole life.
asio::awaitable<void> run_connection(std::shared_ptr<connection_handler> handler, tcp::socket socket) {
  co_await (*handler)(std::move(socket));
}

asio::awaitable<void> close_acceptor(std::shared_ptr<tcp::acceptor> acceptor) {
  error_code ignored;
  acceptor->close(ignored);
  co_return;
}

// Out of descriptors (EMFILE) or similar: pause instead of spinning.
asio::awaitable<void> back_off(asio::any_io_executor ex) {
  asio::steady_timer timer(ex, std::chrono::milliseconds(100));
  co_await timer.async_wait(as_value);
}

asio::awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor,
                                  std::shared_ptr<connection_handler> handler, std::string name,
                                  asio::any_io_executor io) {
  for (;;) {
    asio::any_io_executor const strand = asio::make_strand(io);
    auto [ec, socket] = co_await acceptor->async_accept(strand, as_value);
    if (!acceptor->is_open() || ec == asio::error::operation_aborted) break;
    if (ec) {
      spdlog::warn("listener {}: accept: {}", name, ec.message());
      co_await back_off(acceptor->get_executor());
      continue;
    }
    asio::co_spawn(strand, run_connection(handler, std::move(socket)),
                   log_exceptions("listener " + name + " connection"));
  }
  spdlog::debug("listener {}: accept loop ended", name);
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

listener_set::listener_set(asio::any_io_executor io) : io_(std::move(io)) {}

listener_set::~listener_set() { stop(); }

result<void> listener_set::bind_entry(entry& e, tcp::endpoint const& at) {
  auto acceptor = open_acceptor(io_, at);
  if (!acceptor)
    return make_error(acceptor.error().code, "listener " + e.name + ": " + acceptor.error().context);
  close_entry(e);
  e.acceptor = *acceptor;
  error_code ec;
  e.bound = e.acceptor->local_endpoint(ec);
  spdlog::info("listener {}: listening on {}", e.name, endpoint_text(*e.bound));
  asio::co_spawn(e.acceptor->get_executor(), accept_loop(e.acceptor, e.handler, e.name, io_),
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
      spdlog::info("listener {}: off", name);
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
