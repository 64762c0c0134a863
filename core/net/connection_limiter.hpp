// Bounds on concurrent connections: per client address and in total.
// Thread-safe; the limits are runtime settings and may change at any time.
#pragma once

#include "core/util/result.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstddef>
#include <memory>

namespace posta::net {

class connection_limiter {
  struct state;

 public:
  // Holds one connection slot; releases it when destroyed. Move-only.
  class guard {
   public:
    guard() = default;
    guard(guard&&) noexcept = default;
    guard& operator=(guard&& other) noexcept;
    guard(guard const&) = delete;
    guard& operator=(guard const&) = delete;
    ~guard();
    void release();

   private:
    friend class connection_limiter;
    guard(std::shared_ptr<state> s, boost::asio::ip::address key);
    std::shared_ptr<state> state_;
    boost::asio::ip::address key_;
  };

  // SECURITY: 0 means "no limit" for either bound.
  connection_limiter(std::size_t max_per_ip, std::size_t max_total);

  // A slot for a connection from `peer`, or errc::limit_exceeded (whose
  // context says which bound refused). SECURITY: IPv6 peers are counted per
  // /64, since one host usually owns a whole /64; IPv4-mapped IPv6 addresses
  // count as their IPv4 address.
  result<guard> try_acquire(boost::asio::ip::address const& peer);

  void set_max_per_ip(std::size_t n);
  void set_max_total(std::size_t n);
  std::size_t count(boost::asio::ip::address const& peer) const;
  std::size_t total() const;

  // The key connections from `peer` are counted under.
  static boost::asio::ip::address counting_key(boost::asio::ip::address const& peer);

 private:
  std::shared_ptr<state> state_;
};

}  // namespace posta::net
