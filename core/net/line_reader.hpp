// Bounded line reading over a stream for the text protocols (SMTP, IMAP, POP3,
// ManageSieve): the async driver of line_splitter, with a deadline per line.
#pragma once

#include "core/net/line_splitter.hpp"
#include "core/net/stream.hpp"

#include <string>

namespace posta::net {

class line_reader {
 public:
  static constexpr std::size_t read_chunk_size = 4096;

  explicit line_reader(stream& s, line_limits limits = {});

  // The next line, without its terminator; the view is valid until the next
  // call on this reader. Errors (see errors.hpp):
  //  - net_errc::line_too_long: the line was over limits().max_line and has
  //    been skipped; answer with the protocol's error and read on;
  //  - net_errc::end_of_stream, net_errc::timeout (the whole line did not
  //    arrive within `timeout` of this call, however many bytes trickled in;
  //    zero means no deadline), or an I/O error: end the session.
  boost::asio::awaitable<result<std::string_view>> read_line(stream::duration timeout);

  // Raw bytes for payloads that follow a command (DATA, BDAT, IMAP literals):
  // what is buffered if anything, else whatever the next read brings. The
  // view is valid until the next call on this reader.
  boost::asio::awaitable<result<std::string_view>> read_chunk(stream::duration idle_timeout);

  // Returns bytes that read_chunk() handed out but the payload did not use
  // (pipelined commands after DATA's final dot) to the front of the input.
  void give_back(std::string_view bytes);

  std::string_view buffered() const { return splitter_.buffered(); }
  void consume(std::size_t n) { splitter_.consume(n); }
  std::string take_buffered() { return splitter_.take_buffered(); }

  // SECURITY: drops every buffered byte; returns how many (worth logging: a
  // well-behaved client never pipelines past STARTTLS).
  std::size_t discard_buffered() { return splitter_.clear(); }

  // STARTTLS made safe: discards the plaintext buffer, then performs the
  // server handshake (CVE-2011-0411: commands injected after STARTTLS in the
  // same packet must not run as if they came inside TLS). Call it after
  // writing the protocol's "go ahead" reply.
  boost::asio::awaitable<result<void>> start_tls(boost::asio::ssl::context& ctx,
                                                stream::duration handshake_timeout);

  line_limits const& limits() const { return splitter_.limits(); }
  void set_limits(line_limits limits) { splitter_.set_limits(limits); }
  stream& get_stream() { return stream_; }

 private:
  stream& stream_;
  line_splitter splitter_;
  std::string chunk_;
};

}  // namespace posta::net
