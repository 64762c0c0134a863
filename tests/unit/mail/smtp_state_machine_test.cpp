// Tests for the SMTP state machine: every command in and out of order,
// transactions over DATA and BDAT, STARTTLS/AUTH rules and the limits.
// RFC 5321 3.3, 4.1.1, 4.1.4; RFC 3207 4.2; RFC 4954 4-6; RFC 3030; RFC 1870.
#include "mail/smtp/proto/state_machine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace posta::mail::smtp::proto {
namespace {

// Plays the session: runs operations with a scripted policy and reports what
// the client would see, as "code enhanced" (e.g. "503 5.5.1"), plus markers
// for the operations the test drives itself.
class harness {
 public:
  explicit harness(machine_config cfg = base_config()) : m(std::move(cfg)) {}

  static machine_config base_config() {
    machine_config cfg;
    cfg.server_name = "mx.example.org";
    cfg.max_message_size = 1000;
    cfg.tls_available = true;
    cfg.auth_mechanisms = {"PLAIN", "SCRAM-SHA-256"};
    return cfg;
  }

  std::string say(std::string_view line) { return resolve(m.on_line(line)); }

  // After "354": the message bytes, then the final reply.
  std::string data(std::string_view bytes) {
    data_decoder d(pending_max_, [&](std::string_view p) { body.append(p); });
    auto p = d.feed(bytes);
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.consumed, bytes.size());
    return resolve(m.on_data_end(d));
  }

  // After "chunk N keep|drop": the chunk was read.
  std::string chunk_done() { return resolve(m.on_chunk_done()); }

  std::string resolve(action a) {
    return std::visit([this](auto& x) { return handle(x); }, a);
  }

  state_machine m;
  std::function<reply(mail_cmd const&)> sender_policy = [](auto const&) { return replies::sender_ok(); };
  std::function<reply(rcpt_cmd const&)> rcpt_policy = [](auto const&) { return replies::recipient_ok(); };
  std::vector<envelope> stored;
  std::string body;
  reply last;

 private:
  static std::string code(reply const& r) {
    return r.enhanced.empty() ? std::to_string(r.code) : std::to_string(r.code) + " " + r.enhanced;
  }
  std::string handle(send_reply& s) {
    last = s.response;
    return code(s.response) + (s.close ? " close" : "");
  }
  std::string handle(check_sender& c) { return resolve(m.on_sender_outcome(sender_policy(c.mail))); }
  std::string handle(check_recipient& c) {
    return resolve(m.on_recipient_outcome(rcpt_policy(c.rcpt)));
  }
  std::string handle(receive_data& r) {
    pending_max_ = r.max_size;
    return code(r.go_ahead);
  }
  std::string handle(receive_chunk& k) {
    return "chunk " + std::to_string(k.size) + (k.keep ? " keep" : " drop");
  }
  std::string handle(store_message& s) {
    stored.push_back(s.message);
    return resolve(m.on_message_outcome(replies::message_queued("Q1")));
  }
  std::string handle(start_tls& s) { return code(s.go_ahead) + " starttls"; }
  std::string handle(authenticate& a) { return "auth " + a.auth.mechanism; }
  std::string handle(verify_address& v) { return "verify " + v.argument; }
  std::string handle(expand_list& e) { return "expand " + e.argument; }

  std::uint64_t pending_max_ = 0;
};

// Greets (and for most tests, starts TLS) so later steps are reachable.
void ehlo_tls(harness& h) {
  ASSERT_EQ(h.say("EHLO client.example"), "250");
  ASSERT_EQ(h.say("STARTTLS"), "220 2.0.0 starttls");
  h.m.on_tls_started();
  ASSERT_EQ(h.say("EHLO client.example"), "250");
}

using phase = state_machine::phase;

TEST(SmtpStateMachine, GreetingAndHello) {
  harness h;
  EXPECT_EQ(format(h.m.greeting()), "220 mx.example.org ESMTP Posta\r\n");
  EXPECT_EQ(h.m.current_phase(), phase::connected);
  EXPECT_EQ(h.say("HELO Client.Example"), "250");
  EXPECT_EQ(format(h.last), "250 mx.example.org\r\n");
  EXPECT_EQ(h.m.helo_name(), "client.example");
  EXPECT_EQ(h.m.current_phase(), phase::greeted);
  EXPECT_EQ(h.say("EHLO other.example"), "250");
  EXPECT_EQ(h.last.lines.front(), "mx.example.org");
  EXPECT_EQ(h.m.helo_name(), "other.example");
}

TEST(SmtpStateMachine, FullDataTransaction) {
  harness h;
  ehlo_tls(h);
  EXPECT_EQ(h.say("MAIL FROM:<alice@example.net> SIZE=50 BODY=8BITMIME"), "250 2.1.0");
  EXPECT_EQ(h.m.current_phase(), phase::mail);
  EXPECT_EQ(h.say("RCPT TO:<bob@example.org> NOTIFY=FAILURE"), "250 2.1.5");
  EXPECT_EQ(h.m.current_phase(), phase::recipients);
  EXPECT_EQ(h.say("RCPT TO:<carol@example.org>"), "250 2.1.5");
  EXPECT_EQ(h.say("DATA"), "354");
  EXPECT_EQ(h.m.current_phase(), phase::data);
  EXPECT_EQ(h.data("Subject: hi\r\n\r\n..dot\r\n.\r\n"), "250 2.0.0");
  EXPECT_EQ(format(h.last), "250 2.0.0 Ok: queued as Q1\r\n");
  ASSERT_EQ(h.stored.size(), 1u);
  auto const& env = h.stored[0];
  EXPECT_EQ(to_string(env.mail.reverse_path), "<alice@example.net>");
  ASSERT_EQ(env.recipients.size(), 2u);
  EXPECT_EQ(to_string(env.recipients[1].forward_path), "<carol@example.org>");
  EXPECT_TRUE(env.recipients[0].params.notify->failure);
  EXPECT_EQ(env.size, h.body.size());
  EXPECT_FALSE(env.via_bdat);
  EXPECT_EQ(h.body, "Subject: hi\r\n\r\n.dot\r\n");
  // The transaction is over: a new one can start, the old one is gone.
  EXPECT_EQ(h.m.current_phase(), phase::greeted);
  EXPECT_EQ(h.say("RCPT TO:<bob@example.org>"), "503 5.5.1");
  EXPECT_EQ(h.say("MAIL FROM:<>"), "250 2.1.0");
  EXPECT_TRUE(h.m.current_envelope().recipients.empty());
}

struct sequence_case {
  std::string name;
  std::vector<std::string> setup;  // each must not fail the test by itself
  std::string line;
  std::string expected;
};

// Every out-of-order command: the last line gets `expected`.
TEST(SmtpStateMachine, OutOfOrderCommands) {
  std::vector<std::string> const greeted = {"EHLO c"};
  std::vector<std::string> const in_mail = {"EHLO c", "MAIL FROM:<a@b>"};
  std::vector<std::string> const in_rcpt = {"EHLO c", "MAIL FROM:<a@b>", "RCPT TO:<c@d>"};
  sequence_case const cases[] = {
      {"MAIL before EHLO", {}, "MAIL FROM:<a@b>", "503 5.5.1"},
      {"RCPT before EHLO", {}, "RCPT TO:<a@b>", "503 5.5.1"},
      {"DATA before EHLO", {}, "DATA", "503 5.5.1"},
      {"RCPT before MAIL", greeted, "RCPT TO:<a@b>", "503 5.5.1"},
      {"DATA before MAIL", greeted, "DATA", "503 5.5.1"},
      {"DATA before RCPT", in_mail, "DATA", "503 5.5.1"},
      {"MAIL twice", in_mail, "MAIL FROM:<a@b>", "503 5.5.1"},
      {"MAIL twice with recipients", in_rcpt, "MAIL FROM:<a@b>", "503 5.5.1"},
      {"BDAT before EHLO", {}, "BDAT 10", "chunk 10 drop"},
      {"BDAT after HELO", {"HELO c", "MAIL FROM:<a@b>", "RCPT TO:<c@d>"}, "BDAT 10", "chunk 10 drop"},
      {"BDAT before MAIL", greeted, "BDAT 10 LAST", "chunk 10 drop"},
      {"BDAT before RCPT", in_mail, "BDAT 10", "chunk 10 drop"},
      {"STARTTLS in transaction", in_mail, "STARTTLS", "503 5.5.1"},
      {"STARTTLS with recipients", in_rcpt, "STARTTLS", "503 5.5.1"},
      {"AUTH before EHLO", {}, "AUTH PLAIN", "503 5.5.1"},
      {"AUTH after HELO", {"HELO c"}, "AUTH PLAIN", "503 5.5.1"},
      {"AUTH without TLS", greeted, "AUTH PLAIN", "538 5.7.11"},
      {"RCPT after RSET", {"EHLO c", "MAIL FROM:<a@b>", "RSET"}, "RCPT TO:<a@b>", "503 5.5.1"},
      {"RCPT after EHLO reset", {"EHLO c", "MAIL FROM:<a@b>", "EHLO c"}, "RCPT TO:<a@b>", "503 5.5.1"},
      {"DATA after RSET", {"EHLO c", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "RSET"}, "DATA", "503 5.5.1"},
      {"DATA after HELO reset", {"EHLO c", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "HELO c"}, "DATA", "503 5.5.1"},
  };
  for (auto const& c : cases) {
    harness h;
    for (auto const& line : c.setup) {
      std::string r = h.say(line);
      ASSERT_TRUE(r.starts_with("2")) << c.name << ": " << line << " -> " << r;
    }
    std::string got = h.say(c.line);
    EXPECT_EQ(got, c.expected) << c.name;
    if (got.starts_with("chunk")) {
      EXPECT_EQ(h.chunk_done(), "503 5.5.1") << c.name;
    }
  }
}

TEST(SmtpStateMachine, AllRecipientsRefusedGives554) {
  harness h;
  h.rcpt_policy = [](rcpt_cmd const&) { return make_reply(550, "5.1.1", "No such user"); };
  h.say("EHLO c");
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "250 2.1.0");
  EXPECT_EQ(h.say("RCPT TO:<nobody@example.org>"), "550 5.1.1");
  EXPECT_EQ(h.m.current_phase(), phase::mail);
  EXPECT_EQ(h.say("DATA"), "554 5.5.1");
  EXPECT_EQ(h.say("BDAT 3 LAST"), "chunk 3 drop");
  EXPECT_EQ(h.chunk_done(), "554 5.5.1");
}

TEST(SmtpStateMachine, SenderRefusedLeavesNoTransaction) {
  harness h;
  h.sender_policy = [](mail_cmd const&) { return make_reply(550, "5.7.1", "Go away"); };
  h.say("EHLO c");
  EXPECT_EQ(h.say("MAIL FROM:<spam@example.net>"), "550 5.7.1");
  EXPECT_EQ(h.m.current_phase(), phase::greeted);
  EXPECT_EQ(h.say("RCPT TO:<a@b>"), "503 5.5.1");
  h.sender_policy = [](mail_cmd const&) { return replies::sender_ok(); };
  EXPECT_EQ(h.say("MAIL FROM:<ok@example.net>"), "250 2.1.0");
}

TEST(SmtpStateMachine, BdatTransaction) {
  harness h;
  h.say("EHLO c");
  h.say("MAIL FROM:<a@b> BODY=8BITMIME");
  h.say("RCPT TO:<c@d>");
  EXPECT_EQ(h.say("BDAT 5"), "chunk 5 keep");
  EXPECT_EQ(h.chunk_done(), "250 2.0.0");
  EXPECT_EQ(format(h.last), "250 2.0.0 5 octets received\r\n");
  EXPECT_EQ(h.m.current_phase(), phase::bdat);
  // BDAT mixed with DATA, and envelope commands during BDAT.
  EXPECT_EQ(h.say("DATA"), "503 5.5.1");
  EXPECT_EQ(h.say("RCPT TO:<e@f>"), "503 5.5.1");
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "503 5.5.1");
  EXPECT_EQ(h.say("STARTTLS"), "503 5.5.1");
  EXPECT_EQ(h.say("NOOP"), "250 2.0.0");
  EXPECT_EQ(h.say("BDAT 3 LAST"), "chunk 3 keep");
  EXPECT_EQ(h.chunk_done(), "250 2.0.0");
  EXPECT_EQ(format(h.last), "250 2.0.0 Ok: queued as Q1\r\n");
  ASSERT_EQ(h.stored.size(), 1u);
  EXPECT_EQ(h.stored[0].size, 8u);
  EXPECT_TRUE(h.stored[0].via_bdat);
  EXPECT_EQ(h.m.current_phase(), phase::greeted);
  EXPECT_EQ(h.say("BDAT 1 LAST"), "chunk 1 drop");
  EXPECT_EQ(h.chunk_done(), "503 5.5.1");
}

TEST(SmtpStateMachine, BdatZeroLastAndEmptyMessage) {
  harness h;
  h.say("EHLO c");
  h.say("MAIL FROM:<a@b>");
  h.say("RCPT TO:<c@d>");
  EXPECT_EQ(h.say("BDAT 0 LAST"), "chunk 0 keep");
  EXPECT_EQ(h.chunk_done(), "250 2.0.0");
  ASSERT_EQ(h.stored.size(), 1u);
  EXPECT_EQ(h.stored[0].size, 0u);
}

TEST(SmtpStateMachine, BdatOverTheSizeBound) {
  harness h;  // max_message_size 1000
  h.say("EHLO c");
  h.say("MAIL FROM:<a@b>");
  h.say("RCPT TO:<c@d>");
  EXPECT_EQ(h.say("BDAT 600"), "chunk 600 keep");
  EXPECT_EQ(h.chunk_done(), "250 2.0.0");
  EXPECT_EQ(h.say("BDAT 401"), "chunk 401 drop");
  EXPECT_EQ(h.chunk_done(), "552 5.3.4");
  EXPECT_EQ(h.m.current_phase(), phase::greeted);  // the message is dead
  EXPECT_EQ(h.say("BDAT 10 LAST"), "chunk 10 drop");
  EXPECT_EQ(h.chunk_done(), "503 5.5.1");
  EXPECT_TRUE(h.stored.empty());
  EXPECT_EQ(h.say("RSET"), "250 2.0.0");
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "250 2.1.0");
}

TEST(SmtpStateMachine, BdatSyntaxErrorClosesTheConnection) {
  harness h;
  h.say("EHLO c");
  EXPECT_EQ(h.say("BDAT lots"), "501 5.5.4 close");
  harness h2;
  h2.say("EHLO c");
  EXPECT_EQ(h2.say("BDAT 99999999999999999999999"), "501 5.5.4 close");
}

TEST(SmtpStateMachine, BdatWithoutChunking) {
  auto cfg = harness::base_config();
  cfg.chunking = false;
  harness h(cfg);
  h.say("EHLO c");
  EXPECT_EQ(h.last.lines.end(), std::find(h.last.lines.begin(), h.last.lines.end(), "CHUNKING"));
  h.say("MAIL FROM:<a@b>");
  h.say("RCPT TO:<c@d>");
  EXPECT_EQ(h.say("BDAT 4 LAST"), "chunk 4 drop");
  EXPECT_EQ(h.chunk_done(), "502 5.5.1");
  EXPECT_EQ(h.say("DATA"), "354");  // the transaction survived
}

TEST(SmtpStateMachine, DataOverTheSizeBoundLeavesTheSessionUsable) {
  harness h;  // 1000 octets
  h.say("EHLO c");
  h.say("MAIL FROM:<a@b>");
  h.say("RCPT TO:<c@d>");
  EXPECT_EQ(h.say("DATA"), "354");
  std::string big = std::string(2000, 'x') + "\r\n.\r\n";
  EXPECT_EQ(h.data(big), "552 5.3.4");
  EXPECT_TRUE(h.stored.empty());
  EXPECT_EQ(h.m.current_phase(), phase::greeted);
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "250 2.1.0");
}

TEST(SmtpStateMachine, SizeParameter) {
  harness h;  // 1000 octets
  h.say("EHLO c");
  EXPECT_EQ(h.say("MAIL FROM:<a@b> SIZE=1001"), "552 5.3.4");
  EXPECT_EQ(h.say("MAIL FROM:<a@b> SIZE=99999999999999999999999"), "501 5.5.4");
  EXPECT_EQ(h.say("MAIL FROM:<a@b> SIZE=99999999999999999999"), "552 5.3.4");
  EXPECT_EQ(h.say("MAIL FROM:<a@b> SIZE=1000"), "250 2.1.0");
  EXPECT_EQ(h.m.current_capabilities().size, 1000u);
}

TEST(SmtpStateMachine, RecipientLimitCountsOnlyAcceptedOnes) {
  auto cfg = harness::base_config();
  cfg.max_recipients = 3;
  harness h(cfg);
  h.rcpt_policy = [](rcpt_cmd const& r) {
    return r.forward_path.mailbox->local_part == "bad" ? make_reply(550, "5.1.1", "No such user")
                                                       : replies::recipient_ok();
  };
  h.say("EHLO c");
  h.say("MAIL FROM:<a@b>");
  EXPECT_EQ(h.say("RCPT TO:<bad@d>"), "550 5.1.1");
  EXPECT_EQ(h.say("RCPT TO:<r1@d>"), "250 2.1.5");
  EXPECT_EQ(h.say("RCPT TO:<bad@d>"), "550 5.1.1");
  EXPECT_EQ(h.say("RCPT TO:<r2@d>"), "250 2.1.5");
  EXPECT_EQ(h.say("RCPT TO:<r3@d>"), "250 2.1.5");
  EXPECT_EQ(h.say("RCPT TO:<r4@d>"), "452 4.5.3");
  EXPECT_EQ(h.say("RCPT TO:<r5@d>"), "452 4.5.3");
  EXPECT_EQ(h.m.current_envelope().recipients.size(), 3u);
  EXPECT_EQ(h.say("DATA"), "354");
}

TEST(SmtpStateMachine, DefaultAcceptsHundredRecipients) {
  harness h;
  h.say("EHLO c");
  h.say("MAIL FROM:<a@b>");
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(h.say("RCPT TO:<r" + std::to_string(i) + "@d>"), "250 2.1.5");
  EXPECT_EQ(h.say("RCPT TO:<r100@d>"), "452 4.5.3");
  EXPECT_EQ(h.m.error_count(), 0u);  // 4xx do not spend the error budget
}

TEST(SmtpStateMachine, ParametersNeedTheirExtension) {
  auto cfg = harness::base_config();
  cfg.smtputf8 = cfg.eight_bit_mime = cfg.dsn = false;
  harness off(cfg);
  off.say("EHLO c");
  for (auto line : {"MAIL FROM:<a@b> SMTPUTF8", "MAIL FROM:<a@b> BODY=8BITMIME",
                    "MAIL FROM:<a@b> RET=FULL", "MAIL FROM:<a@b> ENVID=x",
                    "MAIL FROM:<a@b> AUTH=<>", "MAIL FROM:<a@b> BODY=BINARYMIME"})
    EXPECT_EQ(off.say(line), "555 5.5.4") << line;
  EXPECT_EQ(off.say("MAIL FROM:<a@b> BODY=7BIT"), "250 2.1.0");
  EXPECT_EQ(off.say("RCPT TO:<c@d> NOTIFY=NEVER"), "555 5.5.4");
  EXPECT_EQ(off.say("RCPT TO:<c@d> ORCPT=rfc822;c@d"), "555 5.5.4");

  harness on;  // everything advertised, but BINARYMIME never is
  on.say("EHLO c");
  EXPECT_EQ(on.say("MAIL FROM:<a@b> BODY=BINARYMIME"), "555 5.5.4");
  EXPECT_EQ(on.say("MAIL FROM:<a@b> AUTH=<>"), "555 5.5.4");  // AUTH not offered before TLS
  EXPECT_EQ(on.say("MAIL FROM:<a@b> SMTPUTF8 BODY=8BITMIME RET=HDRS ENVID=x"), "250 2.1.0");
  EXPECT_EQ(on.say("RCPT TO:<c@d> NOTIFY=SUCCESS ORCPT=rfc822;c@d"), "250 2.1.5");

  harness tls;
  ehlo_tls(tls);
  EXPECT_EQ(tls.say("MAIL FROM:<a@b> AUTH=<>"), "250 2.1.0");
}

TEST(SmtpStateMachine, ParametersNeedEhlo) {
  harness h;
  h.say("HELO c");
  EXPECT_EQ(h.say("MAIL FROM:<a@b> SIZE=10"), "555 5.5.4");
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "250 2.1.0");
  EXPECT_EQ(h.say("RCPT TO:<c@d> NOTIFY=NEVER"), "555 5.5.4");
  EXPECT_EQ(h.say("RCPT TO:<c@d>"), "250 2.1.5");
}

TEST(SmtpStateMachine, Smtputf8) {
  harness h;
  h.say("EHLO c");
  EXPECT_EQ(h.say("MAIL FROM:<j\xc3\xb6rg@example.net>"), "553 5.6.7");
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "250 2.1.0");
  EXPECT_EQ(h.say("RCPT TO:<b\xc3\xb6" "b@example.org>"), "553 5.6.7");
  EXPECT_EQ(h.say("RSET"), "250 2.0.0");
  EXPECT_EQ(h.say("MAIL FROM:<j\xc3\xb6rg@example.net> SMTPUTF8"), "250 2.1.0");
  EXPECT_EQ(h.say("RCPT TO:<b\xc3\xb6" "b@b\xc3\xbc" "cher.example>"), "250 2.1.5");
}

TEST(SmtpStateMachine, StartTlsResetsEverything) {
  harness h;
  h.say("EHLO c");
  auto const& lines = h.last.lines;
  EXPECT_NE(std::find(lines.begin(), lines.end(), "STARTTLS"), lines.end());
  EXPECT_TRUE(std::none_of(lines.begin(), lines.end(), [](auto& l) { return l.starts_with("AUTH"); }));
  EXPECT_EQ(h.say("STARTTLS"), "220 2.0.0 starttls");
  EXPECT_TRUE(h.m.has_pending_operation());
  h.m.on_tls_started();
  EXPECT_TRUE(h.m.is_tls_active());
  EXPECT_EQ(h.m.current_phase(), phase::connected);
  EXPECT_TRUE(h.m.helo_name().empty());
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "503 5.5.1");  // RFC 3207 4.2: EHLO again first
  EXPECT_EQ(h.say("STARTTLS"), "503 5.5.1");         // twice
  EXPECT_EQ(h.say("EHLO c"), "250");
  EXPECT_EQ(std::find(lines.begin(), lines.end(), "STARTTLS"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "AUTH PLAIN SCRAM-SHA-256"), lines.end());
  EXPECT_EQ(h.say("STARTTLS"), "503 5.5.1");
}

TEST(SmtpStateMachine, StartTlsNotAvailable) {
  auto cfg = harness::base_config();
  cfg.tls_available = false;
  harness h(cfg);
  h.say("EHLO c");
  EXPECT_EQ(h.say("STARTTLS"), "502 5.5.1");
  auto implicit = harness::base_config();
  implicit.tls_active = true;  // port 465
  harness s(implicit);
  s.say("EHLO c");
  EXPECT_EQ(s.say("STARTTLS"), "503 5.5.1");
  EXPECT_FALSE(s.m.current_capabilities().starttls);
  EXPECT_FALSE(s.m.current_capabilities().auth_mechanisms.empty());
}

TEST(SmtpStateMachine, AuthRules) {
  harness h;
  ehlo_tls(h);
  EXPECT_EQ(h.say("AUTH CRAM-MD5"), "504 5.5.4");
  EXPECT_EQ(h.say("AUTH plain"), "auth PLAIN");
  EXPECT_EQ(h.resolve(h.m.on_auth_outcome(replies::auth_failed())), "535 5.7.8");
  EXPECT_FALSE(h.m.is_authenticated());
  EXPECT_EQ(h.say("AUTH PLAIN AGFsaWNlAHNlY3JldA=="), "auth PLAIN");
  EXPECT_EQ(h.resolve(h.m.on_auth_outcome(replies::auth_succeeded())), "235 2.7.0");
  EXPECT_TRUE(h.m.is_authenticated());
  EXPECT_EQ(h.say("AUTH PLAIN"), "503 5.5.1");  // twice
  EXPECT_EQ(h.say("EHLO c"), "250");
  EXPECT_TRUE(h.m.is_authenticated());          // EHLO keeps the identity
}

TEST(SmtpStateMachine, AuthDuringTransaction) {
  harness h;
  ehlo_tls(h);
  h.say("MAIL FROM:<a@b>");
  EXPECT_EQ(h.say("AUTH PLAIN"), "503 5.5.1");
}

TEST(SmtpStateMachine, AuthNotOffered) {
  auto cfg = harness::base_config();
  cfg.auth_mechanisms.clear();
  harness h(cfg);
  ehlo_tls(h);
  EXPECT_EQ(h.say("AUTH PLAIN"), "503 5.5.1");
  EXPECT_TRUE(h.m.current_capabilities().auth_mechanisms.empty());
}

TEST(SmtpStateMachine, AuthWithoutTlsWhenAllowed) {
  auto cfg = harness::base_config();
  cfg.auth_requires_tls = false;
  harness h(cfg);
  h.say("EHLO c");
  EXPECT_FALSE(h.m.current_capabilities().auth_mechanisms.empty());
  EXPECT_EQ(h.say("AUTH SCRAM-SHA-256"), "auth SCRAM-SHA-256");
  h.m.on_auth_outcome(replies::auth_succeeded());
  EXPECT_TRUE(h.m.is_authenticated());
  // RFC 3207 4.2: what was learnt before TLS is forgotten, the login too.
  EXPECT_EQ(h.say("STARTTLS"), "220 2.0.0 starttls");
  h.m.on_tls_started();
  EXPECT_FALSE(h.m.is_authenticated());
}

TEST(SmtpStateMachine, SubmissionRequiresTlsAndAuth) {
  auto cfg = harness::base_config();
  cfg.require_tls = true;
  cfg.require_auth = true;
  harness h(cfg);
  h.say("EHLO c");
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "530 5.7.0");
  EXPECT_EQ(format(h.last), "530 5.7.0 Must issue a STARTTLS command first\r\n");
  EXPECT_EQ(h.say("STARTTLS"), "220 2.0.0 starttls");
  h.m.on_tls_started();
  h.say("EHLO c");
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "530 5.7.0");
  EXPECT_EQ(format(h.last), "530 5.7.0 Authentication required\r\n");
  h.say("AUTH PLAIN =");
  h.m.on_auth_outcome(replies::auth_succeeded());
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "250 2.1.0");
}

TEST(SmtpStateMachine, SessionCommandsWorkAnytime) {
  harness h;
  EXPECT_EQ(h.say("NOOP"), "250 2.0.0");
  EXPECT_EQ(h.say("RSET"), "250 2.0.0");
  EXPECT_EQ(h.say("HELP"), "214 2.0.0");
  EXPECT_EQ(h.say("VRFY bob"), "252 2.0.0");
  EXPECT_EQ(h.say("EXPN staff"), "502 5.5.1");
  EXPECT_EQ(h.say("QUIT"), "221 2.0.0 close");
}

TEST(SmtpStateMachine, VrfyAndExpnCanBeLookups) {
  auto cfg = harness::base_config();
  cfg.allow_vrfy = cfg.allow_expn = true;
  harness h(cfg);
  EXPECT_EQ(h.say("VRFY bob"), "verify bob");
  EXPECT_EQ(h.resolve(h.m.on_lookup_outcome(make_reply(250, "2.1.5", "Bob <bob@x>"))), "250 2.1.5");
  EXPECT_EQ(h.say("EXPN staff"), "expand staff");
  EXPECT_EQ(h.resolve(h.m.on_lookup_outcome(make_reply(550, "5.1.1", "No"))), "550 5.1.1");
}

TEST(SmtpStateMachine, BadLines) {
  harness h;
  EXPECT_EQ(h.say("FOO"), "500 5.5.1");
  EXPECT_EQ(h.say(""), "500 5.5.2");
  EXPECT_EQ(h.say(std::string("NO\0OP", 5)), "500 5.5.2");
  EXPECT_EQ(h.resolve(h.m.on_line_too_long()), "500 5.5.2");
  EXPECT_EQ(h.say("DATA now"), "501 5.5.4");
  EXPECT_EQ(h.m.error_count(), 5u);
}

// RFC 5321 4.5.3.1.4: 512 octets with CRLF for ordinary commands, more for
// the parameters MAIL and RCPT may carry, 12288 for AUTH (RFC 4954 4).
TEST(SmtpStateMachine, CommandLineLengthsPerVerb) {
  auto cfg = harness::base_config();
  cfg.auth_requires_tls = false;  // AUTH= on MAIL needs AUTH offered
  harness h(cfg);
  EXPECT_EQ(h.say("EHLO client.example"), "250");
  EXPECT_EQ(h.say("NOOP " + std::string(505, 'x')), "250 2.0.0");  // 510 octets: the limit
  EXPECT_EQ(h.say("NOOP " + std::string(506, 'x')), "500 5.5.2");
  EXPECT_EQ(h.say("NOOP " + std::string(4995, 'x')), "500 5.5.2");  // 5,000 bytes
  EXPECT_EQ(h.say("NOOP"), "250 2.0.0");                            // still usable
  // MAIL with SIZE, RET, ENVID and a long (legal) path fits although over 510.
  std::string const local(64, 'l');
  std::string const domain = std::string(50, 'a') + "." + std::string(50, 'b') + "." + std::string(50, 'c') + ".example";
  std::string const mailbox = local + "@" + domain;
  std::string const mail = "MAIL FROM:<" + mailbox + "> SIZE=100 RET=HDRS ENVID=" + std::string(100, 'e') +
                           " AUTH=" + mailbox;
  ASSERT_GT(mail.size(), 510u);
  EXPECT_EQ(h.say(mail), "250 2.1.0");
  EXPECT_EQ(h.say("RCPT TO:<" + local + "@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;" + std::string(400, 'o') +
                  "@example.org"),
            "250 2.1.5");
  EXPECT_EQ(h.say("RCPT TO:<bob@example.org> " + std::string(1200, ' ')), "500 5.5.2");
  EXPECT_EQ(h.say("HELP " + std::string(600, 'h')), "500 5.5.2");
}

TEST(SmtpStateMachine, ErrorBudgetEndsTheSession) {
  auto cfg = harness::base_config();
  cfg.max_errors = 3;
  harness h(cfg);
  EXPECT_EQ(h.say("FOO"), "500 5.5.1");
  EXPECT_EQ(h.say("MAIL FROM:<a@b>"), "503 5.5.1");
  EXPECT_EQ(h.say("NOOP"), "250 2.0.0");
  EXPECT_EQ(h.say("BAR"), "500 5.5.1");
  EXPECT_EQ(h.say("NOOP"), "421 4.7.0 close");
}

TEST(SmtpStateMachine, TransientRefusalsDoNotCount) {
  auto cfg = harness::base_config();
  cfg.max_errors = 1;
  harness h(cfg);
  h.rcpt_policy = [](rcpt_cmd const&) { return make_reply(450, "4.2.0", "Greylisted"); };
  h.say("EHLO c");
  h.say("MAIL FROM:<a@b>");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(h.say("RCPT TO:<c@d>"), "450 4.2.0");
  EXPECT_EQ(h.say("RSET"), "250 2.0.0");
}

TEST(SmtpStateMachine, PendingOperationMisuseAborts) {
  EXPECT_DEATH(
      {
        harness h;
        h.m.on_sender_outcome(replies::sender_ok());
      },
      "");
  EXPECT_DEATH(
      {
        harness h;
        h.say("EHLO c");
        (void)h.m.on_line("MAIL FROM:<a@b>");  // check_sender pending
        (void)h.m.on_line("NOOP");
      },
      "");
}

}  // namespace
}  // namespace posta::mail::smtp::proto

// COMPAT(gsasl): STARTTLS right after the greeting, before any EHLO (RFC 3207
// does not require EHLO first); afterwards the client must greet again.
TEST(SmtpStateMachine, StartTlsBeforeEhloIsAccepted) {
  posta::mail::smtp::proto::machine_config config;
  config.tls_available = true;
  posta::mail::smtp::proto::state_machine m(config);
  auto a = m.on_line("STARTTLS");
  ASSERT_TRUE(std::holds_alternative<posta::mail::smtp::proto::start_tls>(a));
  m.on_tls_started();
  auto after = m.on_line("MAIL FROM:<a@b.test>");
  ASSERT_TRUE(std::holds_alternative<posta::mail::smtp::proto::send_reply>(after));
  EXPECT_EQ(std::get<posta::mail::smtp::proto::send_reply>(after).response.code, 503);
}
