#include "mail/queue/notices.hpp"

#include "core/util/crypto_random.hpp"
#include "core/util/date.hpp"
#include "mail/delivery/bounce.hpp"
#include "mail/delivery/dsn.hpp"

namespace posta::mail::queue {

std::string report_status(smtp::proto::reply const& r, bool expired) {
  if (!r.enhanced.empty()) return r.enhanced;
  if (expired || r.is_transient()) return "4.4.7";
  return "5.0.0";
}

std::string reply_text(smtp::proto::reply const& r) {
  std::string text = std::to_string(r.code);
  if (!r.enhanced.empty()) text += " " + r.enhanced;
  for (auto const& line : r.lines) text += " " + line;
  return text;
}

std::string diagnostic_of(smtp::proto::reply const& r) { return "smtp; " + reply_text(r); }

std::optional<delivery::request> sender_report(notice_input const& in) {
  if (in.failed.empty()) return std::nullopt;
  auto const& first = *in.failed.front().recipient;
  if (first.sender.empty()) return std::nullopt;
  delivery::dsn_input dsn;
  dsn.reporting_mta = in.reporting_mta;
  dsn.envelope_id = first.envid;
  dsn.arrival_date = util::rfc5322_date(std::chrono::system_clock::now() - first.age);
  dsn.original_sender = first.sender;
  dsn.original_message = in.original;
  dsn.ret = first.ret && *first.ret == "FULL" && in.original_is_whole ? delivery::dsn_ret::full : delivery::dsn_ret::headers;
  dsn.max_full_return = in.max_full_return;
  for (auto const& f : in.failed) {
    delivery::dsn_recipient r;
    r.final_recipient = f.recipient->recipient;
    if (f.recipient->orcpt) r.original_recipient = *f.recipient->orcpt;
    r.notify = delivery::parse_notify(f.recipient->notify);
    r.status = f.relayed ? "2.0.0" : report_status(f.reply, f.expired);
    r.diagnostic = diagnostic_of(f.reply);
    r.remote_mta = f.host.substr(0, f.host.find(' '));  // "mx.example.net [192.0.2.25]:25": the name
    if (f.relayed) r.action = "relayed";
    if (f.delayed) {
      r.action = "delayed";
      r.will_retry_until = util::rfc5322_date(std::chrono::system_clock::now() + f.retry_for);
    }
    dsn.recipients.push_back(std::move(r));
  }
  auto id = util::random_token(12);
  auto boundary = util::random_token(18);
  if (!id || !boundary) return std::nullopt;
  auto notice = delivery::build_failure_dsn(dsn, "<" + *id + "@" + in.reporting_mta + ">",
                                            util::rfc5322_date(std::chrono::system_clock::now()), "posta-" + *boundary);
  if (!notice) return std::nullopt;
  auto req = delivery::notice_request(std::move(*notice), first.sender, in.reporting_mta);
  auto const& kind = in.failed.front();
  std::string const prefix = kind.relayed ? "queue-relayed-" : kind.delayed ? "queue-delayed-" : "queue-report-";
  if (req) req->delivery_id = prefix + std::to_string(first.id);
  return req;
}

}  // namespace posta::mail::queue
