// The one way to call blocking code from a session: run it on a bounded
// thread pool and resume the calling coroutine on its own executor (its
// strand) afterwards. Three pools, so that one kind of work cannot delay the
// others (a burst of logins must not delay every 250):
//  - run_disk: fsync, file creation, reads and unlinks, garbage collection;
//  - run_cpu: argon2, MIME parsing, other CPU-bound work;
//  - run_blocking: calls that wait on something else (libldap, Xapian).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>

namespace posta::net {

enum class pool_kind { general, disk, cpu };

// SECURITY: sizes the disk and CPU pools (settings pools.disk_threads,
// pools.cpu_threads); must be called before their first use (at start-up),
// later calls change nothing and return false. Defaults otherwise: 4 and 2.
bool configure_pools(std::size_t disk_threads, std::size_t cpu_threads);

// The executor of one pool, created on first use. The general pool has 2–4
// threads, by core count.
boost::asio::any_io_executor blocking_executor(pool_kind kind = pool_kind::general);

// Joins every pool's threads after finishing queued work (at process exit).
void stop_blocking_pool();

namespace detail {
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> invoke_as_awaitable(F fn) {
  co_return std::invoke(fn);
}

template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> run_on(pool_kind kind, F fn) {
  co_return co_await boost::asio::co_spawn(blocking_executor(kind), invoke_as_awaitable(std::move(fn)),
                                           boost::asio::use_awaitable);
}
}  // namespace detail

// `auto r = co_await run_cpu([&] { return verify_password_blocking(...); });`
// fn should report failures as a result<T>; an exception it throws reaches
// the awaiting coroutine. References it captures must outlive the await,
// which they do when they point into the awaiting coroutine's frame.
// fn is taken by value: the coroutine frame must own it, since the awaitable
// may be started after the caller's temporaries are gone.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> run_blocking(F fn) {
  co_return co_await detail::run_on(pool_kind::general, std::move(fn));
}
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> run_disk(F fn) {
  co_return co_await detail::run_on(pool_kind::disk, std::move(fn));
}
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> run_cpu(F fn) {
  co_return co_await detail::run_on(pool_kind::cpu, std::move(fn));
}

}  // namespace posta::net
