// The client's transaction state machine. RFC 5321 3.3, RFC 2920 3.1,
// RFC 3030 2-4.
#include "mail/smtp/client/proto/transaction.hpp"

#include "mail/smtp/client/proto/commands.hpp"

#include <algorithm>
#include <cstdlib>

namespace posta::mail::smtp::client::proto {
namespace {

void require(bool condition) {
  if (!condition) std::abort();  // a bug in the session loop that drives the machine
}

}  // namespace

transaction::transaction(transaction_request const& request, capabilities const& peer)
    : pipelining_(peer.pipelining), bdat_(request.use_chunking && peer.chunking) {
  require(!request.recipients.empty());
  for (auto const& r : request.recipients) recipients_.push_back({rcpt_command(r.forward_path, r.params, peer), {}, false});
  std::string mail = mail_command(request.sender, request.params, peer);
  if (request.reset_first) queue(kind::rset, std::string(rset_command));
  if (request.reset_first && !pipelining_) {
    mail_after_rset_ = std::move(mail);  // without PIPELINING, one command at a time
    return;
  }
  queue(kind::mail, std::move(mail));
  if (pipelining_) queue_recipient_group();
}

// RFC 2920 3.1: MAIL and RCPT may go anywhere in a group, DATA only last.
// Groups hold at most max_pipelined_recipients, so that neither side's
// socket buffer fills up while the other is still writing (RFC 2920 3.1's
// deadlock warning).
void transaction::queue_recipient_group() {
  std::size_t const end = std::min(recipients_.size(), next_rcpt_ + max_pipelined_recipients);
  for (; next_rcpt_ < end; ++next_rcpt_) queue(kind::rcpt, recipients_[next_rcpt_].command, next_rcpt_);
  if (next_rcpt_ == recipients_.size() && !bdat_) queue(kind::data, std::string(data_command));
}

void transaction::queue(kind what, std::string command, std::size_t index) {
  output_ += command;
  pending_.push_back({what, index});
}

transaction::step transaction::next() const {
  if (!output_.empty()) return step::write;
  if (!pending_.empty()) return step::read_reply;
  if (body_ready_ && !body_sent_) return step::send_body;
  return step::done;
}

std::string transaction::take_output() { return std::exchange(output_, {}); }

void transaction::on_reply(reply const& r) {
  if (pending_.empty()) return abandon(r);  // a reply to nothing: out of step
  auto p = pending_.front();
  pending_.pop_front();
  if (r.code == 421) {  // RFC 5321 3.8: the server is closing the connection
    closed_ = true;
    return abandon(r);
  }
  switch (p.what) {
    case kind::rset:  // a refused RSET shows in the MAIL reply that follows
      if (!mail_after_rset_.empty()) queue(kind::mail, std::exchange(mail_after_rset_, {}));
      return;
    case kind::mail: return on_mail(r);
    case kind::rcpt: return on_rcpt(p.index, r);
    case kind::data: return on_data(r);
    case kind::data_end: return settle_accepted(r);
    case kind::bdat: return on_body_reply(r, false);
    case kind::bdat_last: return on_body_reply(r, true);
    case kind::abort_end: return;  // recipients keep their RCPT refusals
  }
}

void transaction::on_mail(reply const& r) {
  if (!r.is_positive()) {
    mail_failed_ = true;  // pipelined RCPTs and DATA still get (503) replies
    for (auto& rc : recipients_) rc.final_reply = r;
    return;
  }
  needs_rset_ = true;  // until a body ends the transaction
  if (!pipelining_) after_recipients();
}

void transaction::on_rcpt(std::size_t i, reply const& r) {
  if (mail_failed_) return;
  recipients_[i].accepted = r.is_positive();
  if (!r.is_positive()) recipients_[i].final_reply = r;
  if (!pipelining_) return after_recipients();
  if (!pending_.empty()) return;  // more replies of this group to come (DATA's, in the last one)
  if (next_rcpt_ < recipients_.size()) return queue_recipient_group();
  if (bdat_) after_recipients();
}

// Without PIPELINING: the next RCPT, then DATA; with BDAT: the body once
// every RCPT is answered.
void transaction::after_recipients() {
  if (!pipelining_ && next_rcpt_ < recipients_.size()) {
    queue(kind::rcpt, recipients_[next_rcpt_].command, next_rcpt_);
    ++next_rcpt_;
    return;
  }
  if (!any_accepted()) return;  // nothing to send; MAIL is still open (needs_rset)
  if (bdat_) body_ready_ = true;
  else queue(kind::data, std::string(data_command));
}

void transaction::on_data(reply const& r) {
  if (r.code == 354 && any_accepted() && !mail_failed_) {
    body_ready_ = true;
    return;
  }
  if (r.code == 354) {  // COMPAT(server): 354 although every RCPT failed: end it empty
    queue(kind::abort_end, ".\r\n");
    needs_rset_ = false;
    return;
  }
  settle_accepted(r);
  needs_rset_ = !mail_failed_;
}

std::string transaction::bdat_header(std::uint64_t size, bool last) {
  require(bdat_ && body_ready_ && !body_sent_ && can_send_chunk());
  pending_.push_back({last ? kind::bdat_last : kind::bdat, 0});
  if (last) body_sent_ = true;
  return bdat_command(size, last);
}

void transaction::on_body_sent() {
  require(body_ready_);
  if (!bdat_) pending_.push_back({kind::data_end, 0});
  body_sent_ = true;
}

void transaction::on_body_reply(reply const& r, bool last) {
  if (r.is_positive() && !last) return;
  if (!r.is_positive() && !body_refused_) {
    body_refused_ = true;
    settle_accepted(r);
    needs_rset_ = true;  // RFC 3030 2: the client should RSET after a refused chunk
    return;
  }
  if (last && !body_refused_) settle_accepted(r);
}

void transaction::settle_accepted(reply const& r) {
  for (auto& rc : recipients_)
    if (rc.accepted && !rc.final_reply) rc.final_reply = r;
  needs_rset_ = false;
}

void transaction::abandon(reply const& r) {
  for (auto& rc : recipients_)
    if (!rc.final_reply) rc.final_reply = r;
  pending_.clear();
  output_.clear();
  body_ready_ = false;
  closed_ = true;
}

bool transaction::any_accepted() const {
  return std::any_of(recipients_.begin(), recipients_.end(), [](auto const& rc) { return rc.accepted; });
}

bool transaction::is_delivered(std::size_t i) const {
  auto const& f = recipients_[i].final_reply;
  return recipients_[i].accepted && f && f->is_positive();
}

}  // namespace posta::mail::smtp::client::proto
