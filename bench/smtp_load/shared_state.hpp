// State shared by the connections of one load run (one thread: no locks).
#pragma once

#include "bench/smtp_load/message.hpp"
#include "bench/smtp_load/options.hpp"
#include "bench/smtp_load/stats.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace posta::bench::smtp_load {

using clock = std::chrono::steady_clock;

struct shared_state {
  shared_state(options const& o, message_factory const& m, boost::asio::ip::tcp::endpoint e)
      : opts(o), messages(m), server(e) {}

  options const& opts;
  message_factory const& messages;
  boost::asio::ip::tcp::endpoint server;
  run_stats stats;
  std::size_t next_slot = 0;
  std::size_t next_rcpt = 0;
  bool stopping = false;  // the hard timeout fired
  clock::time_point start = clock::now();
  clock::time_point last_done = start;
  std::vector<boost::asio::ip::tcp::socket*> sockets;  // closed by the hard timeout

  // The next message number, or nothing once M were taken or time is up.
  std::optional<std::size_t> claim() {
    if (stopping || next_slot >= opts.messages) return std::nullopt;
    ++stats.attempted;
    return next_slot++;
  }

  // user1..userN of the recipient domain, round robin across messages.
  std::vector<std::string> next_recipients() {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < opts.recipients; ++i)
      out.push_back("user" + std::to_string(next_rcpt++ % opts.rcpt_count + 1) + "@" + opts.rcpt_domain);
    return out;
  }

  void fail(std::string const& stage, std::string const& code) {
    ++stats.failures[stage + " " + code];
    last_done = clock::now();
  }

  // `latency`: final "." to its reply; `transaction`: MAIL sent to that reply.
  void accept(clock::duration latency, clock::duration transaction) {
    ++stats.accepted;
    last_done = clock::now();
    stats.latency_us.push_back(to_us(latency));
    stats.transaction_us.push_back(to_us(transaction));
  }

  static std::uint32_t to_us(clock::duration d) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    return static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX));
  }
};

}  // namespace posta::bench::smtp_load
