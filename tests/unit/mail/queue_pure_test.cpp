// The queue runner's pure decisions: retry times, which recipients share a
// transaction, how stored rows become an envelope, relay settings, reports.
#include "mail/queue/envelope.hpp"
#include "mail/queue/grouping.hpp"
#include "mail/queue/notices.hpp"
#include "mail/queue/outcomes.hpp"
#include "mail/queue/retry.hpp"
#include "mail/queue/route.hpp"

#include <gtest/gtest.h>

namespace posta::mail::queue {
namespace {

using namespace std::chrono_literals;

queued_recipient row(std::int64_t id, std::string rcpt, std::string hash = "h1", std::string sender = "a@local.test") {
  queued_recipient r;
  r.id = id;
  r.recipient = rcpt;
  r.domain = rcpt.substr(rcpt.find('@') + 1);
  r.blob_hash = std::move(hash);
  r.sender = std::move(sender);
  r.size = 100;
  return r;
}

TEST(queue_retry, backs_off_doubling_up_to_the_interval) {
  retry_policy p{5min, 30min, 120h};
  EXPECT_EQ(after_temporary_failure(p, 1, 0s).wait, 5min);
  EXPECT_EQ(after_temporary_failure(p, 2, 10min).wait, 10min);
  EXPECT_EQ(after_temporary_failure(p, 3, 20min).wait, 20min);
  EXPECT_EQ(after_temporary_failure(p, 4, 40min).wait, 30min);
  EXPECT_EQ(after_temporary_failure(p, 1000, 2h).wait, 30min);
  EXPECT_FALSE(after_temporary_failure(p, 1000, 2h).give_up);
}

TEST(queue_retry, the_last_retry_falls_on_the_expiry_and_then_gives_up) {
  retry_policy p{5min, 30min, 1h};
  auto near_end = after_temporary_failure(p, 5, 50min);
  EXPECT_FALSE(near_end.give_up);
  EXPECT_EQ(near_end.wait, 10min);
  EXPECT_TRUE(after_temporary_failure(p, 6, 1h).give_up);
  EXPECT_TRUE(after_temporary_failure(p, 1, 2h).give_up);
}

TEST(queue_retry, a_first_retry_longer_than_the_interval_is_kept) {
  retry_policy p{60min, 30min, 120h};
  EXPECT_EQ(after_temporary_failure(p, 1, 0s).wait, 60min);
  EXPECT_EQ(after_temporary_failure(p, 3, 0s).wait, 60min);
}

TEST(queue_grouping, recipients_of_one_message_share_a_transaction_per_destination) {
  std::vector<queued_recipient> rows{row(1, "x@a.test"), row(2, "y@b.test"), row(3, "z@a.test"),
                                     row(4, "w@a.test", "h2"), row(5, "v@a.test", "h1", "other@local.test")};
  auto groups = group_by_destination(rows, [](queued_recipient const& r) { return r.domain; }, 100);
  ASSERT_EQ(groups.size(), 2u);
  auto const& a = groups["a.test"];
  ASSERT_EQ(a.size(), 3u);  // h1 from a@ (x, z), h2, h1 from other@
  EXPECT_EQ(a[0].recipients.size(), 2u);
  EXPECT_EQ(a[0].recipients[1].id, 3);
  EXPECT_EQ(a[1].message().blob_hash, "h2");
  EXPECT_EQ(a[2].message().sender, "other@local.test");
  EXPECT_EQ(groups["b.test"].size(), 1u);
}

TEST(queue_grouping, a_transaction_holds_at_most_the_bound) {
  std::vector<queued_recipient> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(row(i, "r" + std::to_string(i) + "@a.test"));
  auto groups = group_by_destination(rows, [](queued_recipient const&) { return std::string("[relay]"); }, 2);
  ASSERT_EQ(groups["[relay]"].size(), 3u);
  EXPECT_EQ(groups["[relay]"][2].recipients.size(), 1u);
}

TEST(queue_grouping, different_dsn_envelopes_do_not_share) {
  auto a = row(1, "x@a.test");
  auto b = row(2, "y@a.test");
  b.envid = "E1";
  EXPECT_FALSE(same_message(a, b));
  b.envid.reset();
  b.ret = "FULL";
  EXPECT_FALSE(same_message(a, b));
  b.ret.reset();
  EXPECT_TRUE(same_message(a, b));
}

TEST(queue_envelope, dsn_parameters_are_passed_on) {
  outbound_transaction t;
  auto r = row(1, "x@a.test");
  r.envid = "env-1";
  r.ret = "HDRS";
  r.notify = "SUCCESS,FAILURE";
  r.orcpt = "rfc822;X@A.test";
  r.smtputf8 = true;
  r.body_type = "8BITMIME";
  t.recipients.push_back(r);
  auto r2 = row(2, "y@a.test");
  r2.smtputf8 = true;
  r2.body_type = "8BITMIME";
  t.recipients.push_back(r2);
  auto e = envelope_of(t, nullptr);
  ASSERT_FALSE(e.sender_refused);
  EXPECT_EQ(e.message.sender.mailbox->local_part, "a");
  EXPECT_EQ(e.message.params.envid, "env-1");
  EXPECT_EQ(e.message.params.ret, smtp::proto::dsn_return::headers);
  EXPECT_TRUE(e.message.params.smtputf8);
  EXPECT_EQ(e.message.params.body, smtp::proto::body_type::eight_bit_mime);
  ASSERT_EQ(e.message.recipients.size(), 2u);
  auto const& p = e.message.recipients[0].params;
  ASSERT_TRUE(p.notify);
  EXPECT_TRUE(p.notify->success && p.notify->failure && !p.notify->delay && !p.notify->never);
  ASSERT_TRUE(p.orcpt);
  EXPECT_EQ(p.orcpt->address_type, "rfc822");
  EXPECT_EQ(p.orcpt->address, "X@A.test");
  EXPECT_FALSE(e.message.recipients[1].params.notify);
}

TEST(queue_envelope, the_null_sender_and_a_bad_recipient) {
  outbound_transaction t;
  t.recipients.push_back(row(1, "x@a.test", "h", ""));
  t.recipients.push_back(row(2, "not an address@a.test", "h", ""));
  auto e = envelope_of(t, nullptr);
  EXPECT_TRUE(e.message.sender.is_null());
  ASSERT_EQ(e.refused.size(), 1u);
  EXPECT_EQ(e.refused[0].first, 1u);
  EXPECT_TRUE(e.refused[0].second.is_permanent());
  EXPECT_EQ(e.sent, std::vector<std::size_t>{0});
}

TEST(queue_route, smarthost_forms) {
  auto a = parse_smarthost("relay.example.net:2525");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "relay.example.net");
  EXPECT_EQ(a->port, 2525);
  auto b = parse_smarthost("relay.example.net");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->port, 587);
  auto c = parse_smarthost("[192.0.2.7]:465");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "[192.0.2.7]");
  EXPECT_EQ(c->port, 465);
  EXPECT_TRUE(parse_smarthost("[IPv6:2001:db8::1]:25"));
  for (auto bad : {"", ":25", "relay:0", "relay:70000", "relay:x", "[nothost]:25", "[192.0.2.7", "bad host:25",
                   "relay\r\n:25"})
    EXPECT_FALSE(parse_smarthost(bad)) << bad;
}

TEST(queue_route, smarthost_tls_names) {
  EXPECT_EQ(*parse_smarthost_tls("starttls"), smtp::client::tls_policy::required);
  EXPECT_EQ(*parse_smarthost_tls("implicit"), smtp::client::tls_policy::implicit);
  EXPECT_EQ(*parse_smarthost_tls("none"), smtp::client::tls_policy::none);
  EXPECT_FALSE(parse_smarthost_tls("opportunistic"));
}

TEST(queue_route, a_relay_takes_every_destination) {
  route_settings s;
  EXPECT_EQ(destination_of(s, "a.test"), "a.test");
  s.relay = relay_host{"relay.test", 587, smtp::client::tls_policy::required, std::nullopt};
  EXPECT_EQ(destination_of(s, "a.test"), relay_destination);
}

TEST(queue_notices, status_and_diagnostic_come_from_the_reply) {
  smtp::proto::reply refused{550, "5.1.1", {"<x@a.test>: no such user"}};
  EXPECT_EQ(report_status(refused, false), "5.1.1");
  EXPECT_EQ(diagnostic_of(refused), "smtp; 550 5.1.1 <x@a.test>: no such user");
  smtp::proto::reply bare{554, "", {"go away"}};
  EXPECT_EQ(report_status(bare, false), "5.0.0");
  smtp::proto::reply waiting{451, "", {"later"}};
  EXPECT_EQ(report_status(waiting, true), "4.4.7");
}

TEST(queue_notices, a_report_goes_to_the_sender_with_the_remote_text) {
  auto r = row(7, "x@a.test");
  r.age = 3600s;
  notice_input in;
  in.reporting_mta = "mx.local.test";
  in.original = "Subject: hello\r\nFrom: a@local.test\r\n\r\n";
  in.failed.push_back({&r, smtp::proto::reply{550, "5.1.1", {"no such user here"}}, false, "mx.a.test [192.0.2.1]:25"});
  auto req = sender_report(in);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->sender, "");
  ASSERT_EQ(req->recipients.size(), 1u);
  EXPECT_EQ(req->recipients[0].address, "a@local.test");
  EXPECT_EQ(req->delivery_id, "queue-report-7");
  std::string body = *req->blob.inline_body;
  EXPECT_NE(body.find("Final-Recipient: rfc822; x@a.test"), std::string::npos) << body;
  EXPECT_NE(body.find("Status: 5.1.1"), std::string::npos);
  EXPECT_NE(body.find("550 5.1.1 no such user here"), std::string::npos);
  EXPECT_NE(body.find("Subject: hello"), std::string::npos);
}

TEST(queue_notices, no_report_for_the_null_sender_or_notify_never) {
  auto bounce = row(1, "x@a.test", "h", "");
  notice_input in;
  in.reporting_mta = "mx.local.test";
  in.failed.push_back({&bounce, smtp::proto::reply{550, "5.1.1", {"no"}}, false, ""});
  EXPECT_FALSE(sender_report(in));
  auto quiet = row(2, "x@a.test");
  quiet.notify = "NEVER";
  in.failed = {{&quiet, smtp::proto::reply{550, "5.1.1", {"no"}}, false, ""}};
  EXPECT_FALSE(sender_report(in));
}

TEST(queue_notices, a_relayed_report_is_a_success_report) {
  auto r = row(9, "x@a.test");
  r.notify = "SUCCESS";
  notice_input in;
  in.reporting_mta = "mx.local.test";
  in.original = "Subject: hello\r\n\r\n";
  in.failed.push_back({&r, smtp::proto::reply{250, "2.0.0", {"queued as 7"}}, false, "mx.a.test", true});
  auto req = sender_report(in);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->delivery_id, "queue-relayed-9");
  std::string body = *req->blob.inline_body;
  EXPECT_NE(body.find("Subject: Successful Mail Delivery Report"), std::string::npos) << body;
  EXPECT_NE(body.find("Action: relayed"), std::string::npos);
  EXPECT_NE(body.find("Status: 2.0.0"), std::string::npos);
  EXPECT_EQ(body.find("could not be delivered"), std::string::npos);
  EXPECT_NE(body.find("Delivered message headers"), std::string::npos);
  r.notify = "FAILURE";  // no success report asked for
  EXPECT_FALSE(sender_report(in));
}

TEST(queue_notices, a_delay_report_warns_and_says_until_when_it_is_retried) {
  auto r = row(11, "x@a.test");
  notice_input in;
  in.reporting_mta = "mx.local.test";
  in.original = "Subject: hello\r\n\r\n";
  given_up d{&r, smtp::proto::reply{451, "4.2.1", {"mailbox busy"}}, false, "mx.a.test"};
  d.delayed = true;
  d.retry_for = std::chrono::hours(100);
  in.failed.push_back(d);
  auto req = sender_report(in);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->delivery_id, "queue-delayed-11");
  std::string body = *req->blob.inline_body;
  EXPECT_NE(body.find("Subject: Delayed Mail (still being retried)"), std::string::npos) << body;
  EXPECT_NE(body.find("Action: delayed"), std::string::npos);
  EXPECT_NE(body.find("Status: 4.2.1"), std::string::npos);
  EXPECT_NE(body.find("Will-Retry-Until: "), std::string::npos);
  EXPECT_NE(body.find("Remote-MTA: dns; mx.a.test\r\n"), std::string::npos);
  EXPECT_NE(body.find("still being attempted"), std::string::npos);
  EXPECT_NE(body.find("Undelivered message headers"), std::string::npos);
  EXPECT_EQ(body.find("could not be delivered"), std::string::npos);
  r.notify = "FAILURE";  // RFC 3461 4.1: only NOTIFY=DELAY (or none) asks for it
  EXPECT_FALSE(sender_report(in));
  r.notify = "FAILURE,DELAY";
  EXPECT_TRUE(sender_report(in));
}

TEST(queue_outcomes, each_reply_decides_its_recipient_and_the_reports_due) {
  outbound_transaction t;
  for (int i = 1; i <= 5; ++i) t.recipients.push_back(row(i, "r" + std::to_string(i) + "@a.test"));
  t.recipients[1].notify = "SUCCESS";
  t.recipients[3].age = 121h;  // past max_age below
  t.recipients[4].age = 5h;    // past the delay warning
  using smtp::proto::reply;
  std::vector<reply> replies{reply{250, "2.0.0", {"ok"}}, reply{250, "2.0.0", {"ok"}}, reply{550, "5.1.1", {"no"}},
                             reply{451, "4.2.1", {"busy"}}, reply{451, "4.2.1", {"busy"}}};
  std::vector<bool> delivered{true, true, false, false, false};
  outcome_policy policy;
  policy.retry.max_age = 120h;
  policy.delay_warning = 4h;
  auto d = decide_outcomes(t, replies, delivered, "mx.a.test [192.0.2.1]:25", policy, false);
  ASSERT_EQ(d.outcomes.size(), 5u);
  EXPECT_EQ(d.outcomes[0].kind, outcome_kind::delivered);
  EXPECT_EQ(d.outcomes[2].kind, outcome_kind::bounced);
  EXPECT_EQ(d.outcomes[2].reply, "550 5.1.1 no");
  EXPECT_EQ(d.outcomes[3].kind, outcome_kind::expired);
  EXPECT_EQ(d.outcomes[4].kind, outcome_kind::deferred);
  EXPECT_GT(d.outcomes[4].retry_in.count(), 0);
  EXPECT_TRUE(d.outcomes[4].delay_notice_sent);
  ASSERT_EQ(d.relayed.size(), 1u);  // NOTIFY=SUCCESS to a peer without DSN
  EXPECT_EQ(d.relayed[0].recipient->id, 2);
  ASSERT_EQ(d.failed.size(), 2u);
  EXPECT_FALSE(d.failed[0].expired);
  EXPECT_TRUE(d.failed[1].expired);
  ASSERT_EQ(d.delayed.size(), 1u);
  EXPECT_EQ(d.delayed[0].retry_for, 115h);

  // A peer with DSN reports itself; a warned recipient is not warned again.
  t.recipients[4].delay_notice_sent = true;
  auto again = decide_outcomes(t, replies, delivered, "", policy, true);
  EXPECT_TRUE(again.relayed.empty());
  EXPECT_TRUE(again.delayed.empty());
  EXPECT_FALSE(again.outcomes[4].delay_notice_sent);
  policy.delay_warning = 0s;
  t.recipients[4].delay_notice_sent = false;
  EXPECT_TRUE(decide_outcomes(t, replies, delivered, "", policy, true).delayed.empty()) << "0 turns warnings off";

  keep_failed_for_retry(d.outcomes, 300s);
  EXPECT_EQ(d.outcomes[2].kind, outcome_kind::deferred);
  EXPECT_EQ(d.outcomes[3].kind, outcome_kind::deferred);
  EXPECT_EQ(d.outcomes[3].retry_in, 300s);
  EXPECT_EQ(d.outcomes[0].kind, outcome_kind::delivered);
}

}  // namespace
}  // namespace posta::mail::queue
