// Failure notices: the report from dsn.cpp, with its blob (inline) and parsed
// structure, as a delivery request to the original sender.
#include "mail/delivery/bounce.hpp"

#include "core/blob/blob_store.hpp"
#include "core/util/crypto_random.hpp"
#include "core/util/date.hpp"
#include "mail/delivery/dsn.hpp"
#include "mail/mime/parse_message.hpp"
#include "mail/mime/structure_json.hpp"

namespace posta::mail::delivery {
std::optional<notify_flags> parse_notify(std::optional<std::string> const& text) {
  if (!text) return std::nullopt;
  notify_flags f;
  f.never = text->find("NEVER") != std::string::npos;
  f.success = text->find("SUCCESS") != std::string::npos;
  f.failure = text->find("FAILURE") != std::string::npos;
  f.delay = text->find("DELAY") != std::string::npos;
  return f;
}

namespace {

dsn_input make_input(request const& original, std::vector<failed_recipient> const& failed) {
  dsn_input in;
  in.reporting_mta = original.reporting_mta;
  in.envelope_id = original.envid;
  in.arrival_date = util::rfc5322_date(std::chrono::system_clock::now());
  in.original_sender = original.sender;
  in.original_message = original.original_headers;
  in.ret = dsn_ret::headers;
  for (auto const& f : failed) {
    dsn_recipient r;
    r.final_recipient = f.address;
    for (auto const& rcpt : original.recipients) {
      if (rcpt.address != f.address) continue;
      r.original_recipient = rcpt.orcpt;
      r.notify = parse_notify(rcpt.notify);
    }
    r.status = f.status;
    r.diagnostic = "smtp; " + f.reply;
    in.recipients.push_back(std::move(r));
  }
  return in;
}

}  // namespace

std::optional<request> failure_notice(request const& original, std::vector<failed_recipient> const& failed) {
  if (!original.sender_authenticated || original.sender.empty() || failed.empty()) return std::nullopt;
  auto id = util::random_token(12);
  auto boundary = util::random_token(18);
  if (!id || !boundary) return std::nullopt;
  auto notice = build_failure_dsn(make_input(original, failed), "<" + *id + "@" + original.reporting_mta + ">",
                                  util::rfc5322_date(std::chrono::system_clock::now()), "posta-" + *boundary);
  if (!notice) return std::nullopt;  // NOTIFY says no
  return notice_request(std::move(*notice), original.sender, original.reporting_mta);
}

std::optional<request> notice_request(std::string notice, std::string to, std::string reporting_mta) {
  auto structure = mime::parse_message(notice);
  if (!structure) return std::nullopt;
  request out;
  auto const size = static_cast<std::int64_t>(notice.size());
  auto hash = blob::sha256_hex(notice);
  out.blob = {std::move(hash), size, std::make_shared<std::string const>(std::move(notice))};
  out.structure_json = mime::to_json_text(*structure);
  out.recipients.push_back({std::move(to), std::string("NEVER"), std::nullopt});
  out.reporting_mta = std::move(reporting_mta);
  return out;
}

}  // namespace posta::mail::delivery
