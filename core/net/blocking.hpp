// The one way to call blocking code (argon2, libldap, Xapian, GMime on large
// messages, fsync) from a session: run it on a shared thread pool and resume
// the calling coroutine on its own executor (its strand) afterwards.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <type_traits>
#include <utility>

namespace posta::net {

// The executor of the process-wide blocking pool (2–4 threads, by core
// count), created on first use.
boost::asio::any_io_executor blocking_executor();

// Joins the pool's threads after finishing queued work (at process exit).
void stop_blocking_pool();

namespace detail {
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> invoke_as_awaitable(F fn) {
  co_return std::invoke(fn);
}
}  // namespace detail

// `auto r = co_await run_blocking([&] { return verify_password_blocking(...); });`
// fn should report failures as a result<T>; an exception it throws reaches
// the awaiting coroutine. References it captures must outlive the await,
// which they do when they point into the awaiting coroutine's frame.
// fn is taken by value: the coroutine frame must own it, since the awaitable
// may be started after the caller's temporaries are gone.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> run_blocking(F fn) {
  co_return co_await boost::asio::co_spawn(blocking_executor(), detail::invoke_as_awaitable(std::move(fn)),
                                           boost::asio::use_awaitable);
}

}  // namespace posta::net
