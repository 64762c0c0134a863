// Over-quota failure notices: built by dsn.cpp, stored like any message (a
// blob, its structure) and delivered with the null sender.
#include "mail/delivery/bounce.hpp"

#include "core/journal/journal.hpp"
#include "core/net/blocking.hpp"
#include "core/util/crypto_random.hpp"
#include "core/util/date.hpp"
#include "mail/delivery/dsn.hpp"
#include "mail/mime/parse_message.hpp"
#include "mail/mime/structure_json.hpp"

namespace posta::mail::delivery {
namespace {

std::optional<notify_flags> parse_notify(std::optional<std::string> const& text) {
  if (!text) return std::nullopt;
  notify_flags f;
  f.never = text->find("NEVER") != std::string::npos;
  f.success = text->find("SUCCESS") != std::string::npos;
  f.failure = text->find("FAILURE") != std::string::npos;
  f.delay = text->find("DELAY") != std::string::npos;
  return f;
}

dsn_input make_input(std::string const& mta, request const& original, std::vector<std::string> const& failed,
                     std::string const& text) {
  dsn_input in;
  in.reporting_mta = mta;
  in.envelope_id = original.envid;
  in.arrival_date = util::rfc5322_date(std::chrono::system_clock::now());
  in.original_sender = original.sender;
  in.original_message = text;
  in.ret = original.ret == "FULL" ? dsn_ret::full : original.ret == "HDRS" ? dsn_ret::headers : dsn_ret::unspecified;
  for (auto const& address : failed) {
    dsn_recipient r;
    r.final_recipient = address;
    for (auto const& rcpt : original.recipients) {
      if (rcpt.address != address) continue;
      r.original_recipient = rcpt.orcpt;
      r.notify = parse_notify(rcpt.notify);
    }
    r.status = "5.2.2";
    r.diagnostic = "smtp; 552 5.2.2 Mailbox full";
    in.recipients.push_back(std::move(r));
  }
  return in;
}

struct stored_notice {
  blob::blob_ref ref;
  std::string structure_json;
};

result<stored_notice> store_blocking(blob::store const& blobs, std::string const& notice) {
  stored_notice out;
  out.ref = POSTA_TRY(blobs.put_blocking(notice));
  out.structure_json = mime::to_json_text(POSTA_TRY(mime::parse_message(notice)));
  return out;
}

}  // namespace

asio::awaitable<void> bounce_over_quota(committer& delivery, blob::store const& blobs, std::string const& reporting_mta,
                                        request const& original, std::vector<std::string> const& failed,
                                        std::string const& original_text) {
  auto id = util::random_token(12);
  auto boundary = util::random_token(18);
  if (!id || !boundary) co_return;
  auto notice = build_failure_dsn(make_input(reporting_mta, original, failed, original_text),
                                  "<" + *id + "@" + reporting_mta + ">",
                                  util::rfc5322_date(std::chrono::system_clock::now()), "posta-" + *boundary);
  if (!notice) co_return;  // null sender or NOTIFY says no
  auto stored = co_await net::run_blocking([&] { return store_blocking(blobs, *notice); });
  if (!stored) {
    journal::record(journal::level::error, "delivery", "cannot store a failure notice",
                    {{"sender", original.sender}, {"error", stored.error().message()}});
    co_return;
  }
  request dsn;
  dsn.blob = stored->ref;
  dsn.structure_json = std::move(stored->structure_json);
  dsn.recipients.push_back({original.sender, std::string("NEVER"), std::nullopt});
  auto sent = co_await delivery.deliver(std::move(dsn));
  journal::record(sent ? journal::level::info : journal::level::error, "delivery",
                  sent ? "failure notice sent" : "failure notice not delivered",
                  {{"to", original.sender}, {"failed_recipients", static_cast<std::int64_t>(failed.size())}});
}

}  // namespace posta::mail::delivery
