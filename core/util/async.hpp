// The coroutine vocabulary shared by every module: asio::awaitable<T>.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace posta {
namespace asio = boost::asio;
}  // namespace posta
