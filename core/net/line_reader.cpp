// Async bounded line reading over a stream: see line_reader.hpp.
#include "core/net/line_reader.hpp"

#include "core/net/errors.hpp"

#include <chrono>

namespace posta::net {
namespace asio = boost::asio;

line_reader::line_reader(stream& s, line_limits limits) : stream_(s), splitter_(limits) {}

asio::awaitable<result<std::string_view>> line_reader::read_line(stream::duration timeout) {
  // SECURITY: one deadline for the whole line, not a timer that restarts on
  // every read: a client sending a byte now and then (slowloris) still meets it.
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto const got = splitter_.next();
    if (got.what == line_splitter::status::line) co_return got.line;
    if (got.what == line_splitter::status::too_long)
      co_return make_error(net_errc::line_too_long, "line over " + std::to_string(limits().max_line));
    stream::duration left = timeout;
    if (timeout != stream::duration::zero()) {
      left = deadline - std::chrono::steady_clock::now();
      if (left <= stream::duration::zero()) co_return make_error(net_errc::timeout, "line deadline");
    }
    auto space = splitter_.prepare(read_chunk_size);
    auto n = co_await stream_.read_some(space, left);
    splitter_.commit(n ? *n : 0);
    if (!n) co_return n.error();
  }
}

asio::awaitable<result<std::string_view>> line_reader::read_chunk(stream::duration idle_timeout) {
  if (!splitter_.buffered().empty()) {
    chunk_ = splitter_.take_buffered();
    co_return std::string_view(chunk_);
  }
  chunk_.resize(read_chunk_size);
  auto n = co_await stream_.read_some(std::span<char>(chunk_.data(), chunk_.size()), idle_timeout);
  if (!n) co_return n.error();
  chunk_.resize(*n);
  co_return std::string_view(chunk_);
}

void line_reader::give_back(std::string_view bytes) {
  std::string rest = splitter_.take_buffered();
  splitter_.feed(bytes);
  splitter_.feed(rest);
}

asio::awaitable<result<void>> line_reader::start_tls(asio::ssl::context& ctx,
                                                    stream::duration handshake_timeout) {
  discard_buffered();
  co_return co_await stream_.start_tls(ctx, handshake_timeout);
}

}  // namespace posta::net
