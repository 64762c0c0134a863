// One mail transaction as the client runs it: MAIL, RCPT for each recipient,
// DATA or BDAT, and which reply belongs to which command. With PIPELINING
// (RFC 2920 3.1) MAIL, every RCPT and DATA go in one group, DATA last, and
// the body waits for 354; without it every command waits for its reply.
// With CHUNKING (RFC 3030) the RCPT replies are awaited before any BDAT, so
// no body is sent for a message nobody takes. Each recipient ends with the
// reply that decides it: its RCPT reply if refused, else the reply after the
// body (or the MAIL / DATA refusal). RFC 5321 3.3, 4.1.1.
#pragma once

#include "mail/smtp/proto/command.hpp"
#include "mail/smtp/proto/reply.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace posta::mail::smtp::client::proto {

using smtp::proto::capabilities;
using smtp::proto::reply;

struct envelope_recipient {
  smtp::proto::path forward_path;
  smtp::proto::rcpt_params params;
};

struct transaction_request {
  smtp::proto::path sender;
  smtp::proto::mail_params params;              // sent as far as the peer offers them
  std::vector<envelope_recipient> recipients;   // at least one
  bool reset_first = false;  // RSET before MAIL: the previous transaction left state behind
  bool use_chunking = true;  // BDAT when the peer offers CHUNKING
};

// SECURITY: recipients in one pipelined group (see queue_recipient_group).
inline constexpr std::size_t max_pipelined_recipients = 100;

class transaction {
 public:
  enum class step {
    write,       // take_output() and write it
    read_reply,  // read one reply and give it to on_reply()
    send_body,   // DATA: write encode_data(body) then on_body_sent();
                 // BDAT: bdat_header() + chunk for each chunk, then on_body_sent()
    done,
  };

  transaction(transaction_request const& request, capabilities const& peer);

  step next() const;
  std::string take_output();
  void on_reply(reply const& r);

  bool uses_bdat() const noexcept { return bdat_; }
  // BDAT: the header of the next chunk; its reply is read later (at once
  // without PIPELINING: next() says read_reply). False from can_send_chunk()
  // once a chunk was refused: RFC 3030 2 forbids further chunks.
  std::string bdat_header(std::uint64_t size, bool last);
  bool can_send_chunk() const noexcept { return !body_refused_ && !closed_; }
  void on_body_sent();

  // The connection broke, or a step could not be taken (timeout, TLS
  // failure): every recipient still open gets `r` (a local 4xx) and the
  // transaction is done.
  void abandon(reply const& r);

  std::size_t recipients() const noexcept { return recipients_.size(); }
  // Once done: the reply that decides recipient i.
  reply const& outcome(std::size_t i) const { return *recipients_[i].final_reply; }
  bool is_delivered(std::size_t i) const;
  // The server may still hold this transaction (MAIL accepted, no body
  // finished): RSET before the next MAIL on this connection.
  bool needs_rset() const noexcept { return needs_rset_; }
  // The server said 421 or the replies fell out of step: close the connection.
  bool is_closed() const noexcept { return closed_; }

 private:
  enum class kind { rset, mail, rcpt, data, data_end, bdat, bdat_last, abort_end };
  struct pending {
    kind what;
    std::size_t index = 0;  // rcpt: which recipient
  };
  struct recipient {
    std::string command;
    std::optional<reply> final_reply;
    bool accepted = false;
  };

  void queue(kind what, std::string command, std::size_t index = 0);
  void queue_recipient_group();
  void on_mail(reply const& r);
  void on_rcpt(std::size_t i, reply const& r);
  void after_recipients();
  void on_data(reply const& r);
  void on_body_reply(reply const& r, bool last);
  void settle_accepted(reply const& r);
  bool any_accepted() const;

  bool pipelining_;
  bool bdat_;
  std::vector<recipient> recipients_;
  std::string output_;
  std::string mail_after_rset_;  // without PIPELINING: MAIL waits for the RSET reply
  std::deque<pending> pending_;
  std::size_t next_rcpt_ = 0;  // without PIPELINING: the next RCPT to send
  bool mail_failed_ = false;
  bool body_ready_ = false;
  bool body_sent_ = false;
  bool body_refused_ = false;
  bool needs_rset_ = false;
  bool closed_ = false;
};

}  // namespace posta::mail::smtp::client::proto
