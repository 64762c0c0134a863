// The coroutine vocabulary shared by every module: asio::awaitable<T>.
//
// g++ 12 miscompiles some co_await placements (crashes seen: a coroutine
// resumed after it finished). House rule: never co_await inside ?:, && or ||,
// and bind an awaited value to a variable before testing it, rather than
// `if (!co_await f())` or `co_return co_await std::visit(...)`.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace posta {
namespace asio = boost::asio;
}  // namespace posta
