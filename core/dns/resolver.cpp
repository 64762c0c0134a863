// c-ares on the io_context. c-ares opens its own sockets and says through
// ARES_OPT_SOCK_STATE_CB which ones it wants watched; we watch them with
// non-owning descriptors (c-ares closes them itself), call ares_process_fd
// when one is ready and keep one timer at ares_timeout() for its retries.
// The channel is not thread-safe: everything touching it runs on one strand.
#include "core/dns/resolver.hpp"

#include "core/dns/answers.hpp"
#include "core/dns/errors.hpp"
#include "core/dns/names.hpp"
#include "core/dns/servers.hpp"

#include <ares.h>
#include <arpa/nameser.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <mutex>

namespace posta::dns {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using strand_type = asio::strand<asio::any_io_executor>;

void library_init() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

// One socket c-ares asked us to watch. The descriptor never owns the fd.
struct watcher {
  watcher(strand_type const& s, int fd) : descriptor(s, fd), fd(fd) {}
  ~watcher() { release(); }
  void release() {
    if (descriptor.is_open()) descriptor.release();  // cancels pending waits
    closed = true;
  }
  asio::posix::stream_descriptor descriptor;
  int fd;
  bool want_read = false, want_write = false;
  bool reading = false, writing = false;  // a wait is pending
  bool closed = false;
};

// One query between ares_query and its callback. The callback may come after
// the awaiting coroutine gave up (timeout): then `waiter` is null.
struct query_state {
  bool done = false;
  int status = ARES_ETIMEOUT;
  std::string answer;
  asio::steady_timer* waiter = nullptr;
};

}  // namespace

struct resolver::impl : std::enable_shared_from_this<impl> {
  explicit impl(asio::any_io_executor ex, resolver_options opts)
      : strand(asio::make_strand(ex)), timer(strand), options(std::move(opts)) {}
  ~impl() {
    if (channel) ares_destroy(channel);  // ends queries (ARES_EDESTRUCTION) and closes sockets
    if (system_servers) ares_free_data(system_servers);
  }

  result<void> init();
  result<void> apply_servers(std::vector<std::string> const& servers);
  asio::awaitable<result<std::string>> query(std::string name, int type, std::string what);
  void watch(int fd, bool readable, bool writable);
  void arm(std::shared_ptr<watcher> const& w);
  void on_ready(std::shared_ptr<watcher> const& w, bool read, boost::system::error_code ec);
  void arm_timeout();

  strand_type strand;
  asio::steady_timer timer;  // at ares_timeout(): c-ares' retries and its own timeouts
  resolver_options options;
  ares_channel channel = nullptr;
  ares_addr_port_node* system_servers = nullptr;
  std::map<int, std::shared_ptr<watcher>> watchers;
};

namespace {

void on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
  static_cast<resolver::impl*>(data)->watch(fd, readable != 0, writable != 0);
}

void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  std::unique_ptr<std::shared_ptr<query_state>> holder(static_cast<std::shared_ptr<query_state>*>(arg));
  if (status == ARES_EDESTRUCTION) return;  // the resolver is going away: touch nothing else
  auto& state = **holder;
  state.done = true;
  state.status = status;
  if (status == ARES_SUCCESS && abuf && alen > 0) state.answer.assign(reinterpret_cast<char*>(abuf), alen);
  if (state.waiter) state.waiter->cancel();
}

}  // namespace

result<void> resolver::impl::init() {
  library_init();
  ares_options o{};
  o.sock_state_cb = &on_sock_state;
  o.sock_state_cb_data = this;
  o.timeout = static_cast<int>(options.attempt_timeout.count());
  o.tries = std::max(1, options.tries);
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  int status = ares_init_options(&channel, &o, mask);
  if (status != ARES_SUCCESS) {
    channel = nullptr;
    return make_error(errc::internal, std::string("DNS resolver: ") + ares_strerror(status));
  }
  // Kept so that an emptied dns.servers can go back to them.
  if (ares_get_servers_ports(channel, &system_servers) != ARES_SUCCESS) system_servers = nullptr;
  return apply_servers(options.servers);
}

result<void> resolver::impl::apply_servers(std::vector<std::string> const& servers) {
  std::string csv;
  if (!servers.empty()) csv = POSTA_TRY(servers_csv(servers));
  auto set = [&] {
    return servers.empty() ? ares_set_servers_ports(channel, system_servers)
                           : ares_set_servers_ports_csv(channel, csv.c_str());
  };
  int status = set();
  if (status == ARES_ENOTIMP) {  // c-ares 1.18 refuses while queries are pending: end them first
    ares_cancel(channel);
    status = set();
  }
  if (status != ARES_SUCCESS)
    return make_error(errc::invalid_argument, std::string("DNS servers: ") + ares_strerror(status));
  return {};
}

// Runs on the strand. The steady_timer is both the query's deadline and the
// signal of its answer: the callback cancels it.
asio::awaitable<result<std::string>> resolver::impl::query(std::string name, int type, std::string what) {
  auto self = shared_from_this();
  auto state = std::make_shared<query_state>();
  asio::steady_timer waiter(strand, options.query_timeout);
  state->waiter = &waiter;
  ares_query(channel, name.c_str(), ns_c_in, type, &on_answer, new std::shared_ptr<query_state>(state));
  arm_timeout();
  if (!state->done) co_await waiter.async_wait(use_tuple);
  state->waiter = nullptr;
  if (!state->done)
    co_return make_error(dns_errc::timeout, what + ": no answer within " + std::to_string(options.query_timeout.count()) + " ms");
  if (state->status != ARES_SUCCESS) co_return error_from_status(state->status, what);
  co_return std::move(state->answer);
}

void resolver::impl::watch(int fd, bool readable, bool writable) {
  if (!readable && !writable) {  // c-ares is about to close it
    auto it = watchers.find(fd);
    if (it != watchers.end()) {
      it->second->release();
      watchers.erase(it);
    }
    return;
  }
  auto& w = watchers[fd];
  if (!w) w = std::make_shared<watcher>(strand, fd);
  w->want_read = readable;
  w->want_write = writable;
  arm(w);
}

void resolver::impl::arm(std::shared_ptr<watcher> const& w) {
  using sd = asio::posix::stream_descriptor;
  if (w->closed) return;
  if (w->want_read && !w->reading) {
    w->reading = true;
    w->descriptor.async_wait(sd::wait_read, [self = shared_from_this(), w](boost::system::error_code ec) {
      self->on_ready(w, true, ec);
    });
  }
  if (w->want_write && !w->writing) {
    w->writing = true;
    w->descriptor.async_wait(sd::wait_write, [self = shared_from_this(), w](boost::system::error_code ec) {
      self->on_ready(w, false, ec);
    });
  }
}

void resolver::impl::on_ready(std::shared_ptr<watcher> const& w, bool read, boost::system::error_code ec) {
  (read ? w->reading : w->writing) = false;
  if (w->closed || ec == asio::error::operation_aborted) return;
  // On another error c-ares finds it out itself when it reads or writes.
  ares_process_fd(channel, read ? w->fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : w->fd);
  arm(w);
  arm_timeout();
}

void resolver::impl::arm_timeout() {
  timeval tv{};
  if (!ares_timeout(channel, nullptr, &tv)) {
    timer.cancel();
    return;
  }
  timer.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
  timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec == asio::error::operation_aborted) return;
    ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // handles timeouts
    self->arm_timeout();
  });
}

// ---- resolver -----------------------------------------------------------

namespace {

template <class T, class Parse>
asio::awaitable<result<T>> ask(std::shared_ptr<resolver::impl> impl, std::string name, int type,
                               std::string what, Parse parse) {
  auto q = normalise_query_name(name);
  if (!q) co_return make_error(dns_errc::bad_name, what + " '" + name.substr(0, 300) + "'");
  what += " " + *q;
  auto answer = co_await asio::co_spawn(impl->strand, impl->query(*q, type, what), asio::use_awaitable);
  if (!answer) co_return std::move(answer).error();
  co_return parse(*answer, what);
}

}  // namespace

resolver::resolver(std::shared_ptr<impl> i) : impl_(std::move(i)) {}

resolver::~resolver() {
  // Pending waits hold the impl; they end once c-ares closes its sockets.
  asio::post(impl_->strand, [i = impl_] { ares_cancel(i->channel); });
}

result<std::unique_ptr<resolver>> resolver::create(asio::any_io_executor executor, resolver_options options) {
  auto i = std::make_shared<impl>(std::move(executor), std::move(options));
  POSTA_TRY(i->init());
  return std::unique_ptr<resolver>(new resolver(std::move(i)));
}

asio::awaitable<result<std::vector<mx_record>>> resolver::mx(std::string domain) {
  co_return co_await ask<std::vector<mx_record>>(impl_, std::move(domain), ns_t_mx, "MX", parse_mx_answer);
}

asio::awaitable<result<ipv4_list>> resolver::a(std::string host) {
  co_return co_await ask<ipv4_list>(impl_, std::move(host), ns_t_a, "A", parse_a_answer);
}

asio::awaitable<result<ipv6_list>> resolver::aaaa(std::string host) {
  co_return co_await ask<ipv6_list>(impl_, std::move(host), ns_t_aaaa, "AAAA", parse_aaaa_answer);
}

asio::awaitable<result<txt_list>> resolver::txt(std::string name) {
  co_return co_await ask<txt_list>(impl_, std::move(name), ns_t_txt, "TXT", parse_txt_answer);
}

namespace {
// A function, not a capturing lambda: the coroutine frame must own its arguments.
asio::awaitable<result<void>> apply_on_strand(std::shared_ptr<resolver::impl> impl, std::vector<std::string> servers) {
  co_return impl->apply_servers(servers);
}
}  // namespace

asio::awaitable<result<void>> resolver::set_servers(std::vector<std::string> servers) {
  co_return co_await asio::co_spawn(impl_->strand, apply_on_strand(impl_, std::move(servers)), asio::use_awaitable);
}

void resolver::cancel() {
  asio::post(impl_->strand, [i = impl_] { ares_cancel(i->channel); });
}

}  // namespace posta::dns
