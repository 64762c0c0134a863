// Tests for the POP3 state machine: the AUTHORIZATION, TRANSACTION and
// UPDATE states with every command in and out of place, CAPA before and
// after STLS, the plaintext rule, USER/PASS and AUTH PLAIN, the error and
// login-failure bounds, and a whole session fed at every split point
// (RFC 1939 3-7, RFC 2449, RFC 2595 4, RFC 5034).
#include "mail/pop3/proto/state_machine.hpp"

#include "core/net/line_splitter.hpp"
#include "mail/pop3/proto/limits.hpp"

#include <gtest/gtest.h>

namespace posta::mail::pop3::proto {
namespace {

// "\0bob\0secret" in base64.
constexpr std::string_view plain_bob = "AGJvYgBzZWNyZXQ=";

// Plays the session: scripted outcomes for the operations, and the wire text
// the client would read.
class harness {
 public:
  explicit harness(machine_config cfg = base_config()) : m(std::move(cfg)) {}

  static machine_config base_config() {
    machine_config cfg;
    cfg.tls_available = true;
    cfg.tls_active = true;  // most tests run inside TLS
    return cfg;
  }

  std::string say(std::string_view line) { return resolve(m.on_line(line)); }
  std::string too_long() { return resolve(m.on_line_too_long()); }

  std::string resolve(action a) {
    if (auto* r = std::get_if<send_reply>(&a)) {
      closed = r->close;
      return format(r->response);
    }
    if (auto* t = std::get_if<start_tls>(&a)) {
      auto out = format(t->go_ahead);
      m.on_tls_started();
      return out;
    }
    if (auto* p = std::get_if<check_password>(&a)) return resolve(m.on_login_outcome(verdict(p->user, p->password)));
    if (auto* s = std::get_if<check_sasl_plain>(&a)) {
      auto v = s->response == plain_bob ? login_verdict::ok : login_verdict::rejected;
      return resolve(m.on_login_outcome(v));
    }
    if (auto* c = std::get_if<send_continuation>(&a)) return format_continuation(c->challenge);
    if (std::holds_alternative<open_maildrop>(a)) {
      if (maildrop_fails) return resolve(m.on_maildrop_failed());
      if (maildrop_locked) return resolve(m.on_maildrop_in_use());
      return resolve(m.on_maildrop_opened(maildrop(1700000000, {{10, 120}, {11, 200}, {15, 50}})));
    }
    if (auto* l = std::get_if<send_listing>(&a)) {
      // As the session writes it: one line per piece (the smallest bound).
      auto out = format_status(l->status);
      for (std::uint32_t n = 1; n <= m.current_maildrop().size();) {
        auto const before = out.size();
        n = append_listing(m.current_maildrop(), l->kind, n, out, before + 1);
      }
      return out + ".\r\n";
    }
    if (auto* s = std::get_if<send_message>(&a)) {
      if (message_gone) return resolve(m.on_message_failed(true));
      m.on_message_sent();
      return format_status(s->status) + "<uid " + std::to_string(s->uid) +
             (s->top_lines ? " top " + std::to_string(*s->top_lines) : "") + ">\r\n.\r\n";
    }
    auto& u = std::get<commit_update>(a);
    committed = u.uids;
    return resolve(m.on_update_outcome(commit_succeeds));
  }

  static login_verdict verdict(std::string const& user, std::string const& password) {
    if (user == "down") return login_verdict::unavailable;
    if (user == "expired") return login_verdict::expired;
    return user == "bob" && password == "secret" ? login_verdict::ok : login_verdict::rejected;
  }

  std::string login_reply() {
    say("USER bob");
    return say("PASS secret");
  }

  void login() {
    ASSERT_EQ(say("USER bob"), "+OK Send your password\r\n");
    ASSERT_EQ(say("PASS secret"), "+OK Logged in, 3 messages (370 octets)\r\n");
  }

  state_machine m;
  bool closed = false;
  bool maildrop_fails = false;
  bool maildrop_locked = false;
  bool message_gone = false;
  bool commit_succeeds = true;
  std::vector<std::uint32_t> committed;
};

TEST(Pop3StateMachine, GreetingAndCapabilitiesBeforeTls) {
  auto cfg = harness::base_config();
  cfg.tls_active = false;
  harness h(cfg);
  EXPECT_EQ(format(h.m.greeting()), "+OK Posta POP3 server ready\r\n");
  EXPECT_EQ(h.say("CAPA"),
            "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nSTLS\r\n"
            "IMPLEMENTATION Posta\r\n.\r\n");
  // SECURITY: no password outside TLS.
  EXPECT_EQ(h.say("USER bob"),
            "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections; use STLS\r\n");
  EXPECT_EQ(h.say("PASS secret"), "-ERR USER first\r\n");
  EXPECT_EQ(h.say("AUTH PLAIN AGJvYgBzZWNyZXQ="),
            "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections; use STLS\r\n");
  EXPECT_EQ(h.say("AUTH"), "+OK Methods supported\r\n.\r\n");
  EXPECT_EQ(h.say("STAT"), "-ERR Not authenticated yet\r\n");
  // After STLS: USER and SASL offered, STLS no more.
  EXPECT_EQ(h.say("STLS"), "+OK Begin TLS negotiation\r\n");
  EXPECT_TRUE(h.m.is_tls_active());
  EXPECT_EQ(h.say("CAPA"),
            "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUSER\r\n"
            "SASL PLAIN\r\nIMPLEMENTATION Posta\r\n.\r\n");
  EXPECT_EQ(h.say("STLS"), "-ERR Already using TLS\r\n");
  h.login();
}

TEST(Pop3StateMachine, PlaintextOnLoopbackWhenConfigured) {
  auto cfg = harness::base_config();
  cfg.tls_active = false;
  cfg.tls_available = false;
  cfg.plaintext_auth_without_tls = true;
  harness h(cfg);
  EXPECT_EQ(h.say("STLS"), "-ERR TLS not available\r\n");
  auto caps = h.say("CAPA");
  EXPECT_NE(caps.find("\r\nUSER\r\n"), std::string::npos);
  EXPECT_EQ(caps.find("STLS"), std::string::npos);
  h.login();
}

TEST(Pop3StateMachine, CapabilitiesInTransactionOfferNoLogin) {
  harness h;
  h.login();
  EXPECT_EQ(h.say("capa"),
            "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
            "IMPLEMENTATION Posta\r\n.\r\n");
}

TEST(Pop3StateMachine, UserPassRules) {
  harness h;
  EXPECT_EQ(h.say("USER bob"), "+OK Send your password\r\n");
  EXPECT_EQ(h.say("NOOP"), "-ERR Not authenticated yet\r\n");
  EXPECT_EQ(h.say("PASS secret"), "-ERR USER first\r\n");  // PASS must follow USER at once
  EXPECT_EQ(h.say("USER bob"), "+OK Send your password\r\n");
  EXPECT_EQ(h.say("PASS wrong"), "-ERR [AUTH] Authentication failed\r\n");
  EXPECT_EQ(h.say("PASS secret"), "-ERR USER first\r\n");
  EXPECT_EQ(h.say("USER down"), "+OK Send your password\r\n");
  EXPECT_EQ(h.say("PASS x"), "-ERR [SYS/TEMP] Temporary authentication failure, try again later\r\n");
  h.login();
  EXPECT_EQ(h.say("USER bob"), "-ERR Command not valid in TRANSACTION state\r\n");
  EXPECT_EQ(h.say("AUTH PLAIN x"), "-ERR Command not valid in TRANSACTION state\r\n");
  EXPECT_EQ(h.say("STLS"), "-ERR Command not valid in TRANSACTION state\r\n");
}

TEST(Pop3StateMachine, AnExpiredPasswordIsNamedUnderAuth) {
  harness h;
  EXPECT_EQ(h.say("USER expired"), "+OK Send your password\r\n");
  EXPECT_EQ(h.say("PASS old"), "-ERR [AUTH] Password expired: change it, then log in again\r\n");
  h.login();  // still in AUTHORIZATION: another login may follow
}

TEST(Pop3StateMachine, LoginFailuresCloseTheConnection) {
  harness h;
  for (int i = 0; i < 2; ++i) {
    h.say("USER bob");
    EXPECT_EQ(h.say("PASS wrong"), "-ERR [AUTH] Authentication failed\r\n");
    EXPECT_FALSE(h.closed);
  }
  h.say("USER bob");
  EXPECT_EQ(h.say("PASS wrong"), "-ERR [AUTH] Authentication failed, closing connection\r\n");
  EXPECT_TRUE(h.closed);
  EXPECT_EQ(h.m.current_phase(), state_machine::phase::closed);
}

TEST(Pop3StateMachine, AuthPlainWithInitialResponseAndContinuation) {
  {
    harness h;
    EXPECT_EQ(h.say("AUTH"), "+OK Methods supported\r\nPLAIN\r\n.\r\n");
    EXPECT_EQ(h.say("AUTH CRAM-MD5"), "-ERR Unsupported authentication mechanism\r\n");
    EXPECT_EQ(h.say(std::string("AUTH PLAIN ") + std::string(plain_bob)), "+OK Logged in, 3 messages (370 octets)\r\n");
  }
  {
    harness h;
    EXPECT_EQ(h.say("AUTH PLAIN"), "+ \r\n");
    EXPECT_EQ(h.m.current_phase(), state_machine::phase::sasl);
    EXPECT_EQ(h.say(plain_bob), "+OK Logged in, 3 messages (370 octets)\r\n");
  }
  {
    harness h;
    EXPECT_EQ(h.say("AUTH PLAIN"), "+ \r\n");
    EXPECT_EQ(h.say("*"), "-ERR Authentication cancelled\r\n");
    EXPECT_EQ(h.say("AUTH PLAIN"), "+ \r\n");
    EXPECT_EQ(h.say("AAAA"), "-ERR [AUTH] Authentication failed\r\n");
    EXPECT_EQ(h.say("AUTH PLAIN ="), "-ERR [AUTH] Authentication failed\r\n");  // empty response
  }
}

TEST(Pop3StateMachine, TransactionCommands) {
  harness h;
  h.login();
  EXPECT_EQ(h.say("STAT"), "+OK 3 370\r\n");
  EXPECT_EQ(h.say("LIST"), "+OK 3 370\r\n1 120\r\n2 200\r\n3 50\r\n.\r\n");
  EXPECT_EQ(h.say("LIST 2"), "+OK 2 200\r\n");
  EXPECT_EQ(h.say("LIST 4"), "-ERR No such message\r\n");
  EXPECT_EQ(h.say("LIST 0"), "-ERR No such message\r\n");
  EXPECT_EQ(h.say("UIDL"), "+OK\r\n1 1700000000.10\r\n2 1700000000.11\r\n3 1700000000.15\r\n.\r\n");
  EXPECT_EQ(h.say("UIDL 3"), "+OK 3 1700000000.15\r\n");
  EXPECT_EQ(h.say("RETR 2"), "+OK 200 octets\r\n<uid 11>\r\n.\r\n");
  EXPECT_EQ(h.say("TOP 1 5"), "+OK Top of message follows\r\n<uid 10 top 5>\r\n.\r\n");
  EXPECT_EQ(h.say("NOOP"), "+OK\r\n");
  EXPECT_EQ(h.say("DELE 1"), "+OK Message 1 deleted\r\n");
  EXPECT_EQ(h.say("DELE 1"), "-ERR Message 1 already deleted\r\n");
  EXPECT_EQ(h.say("RETR 1"), "-ERR Message 1 already deleted\r\n");
  EXPECT_EQ(h.say("TOP 1 0"), "-ERR Message 1 already deleted\r\n");
  EXPECT_EQ(h.say("LIST 1"), "-ERR Message 1 already deleted\r\n");
  EXPECT_EQ(h.say("STAT"), "+OK 2 250\r\n");
  EXPECT_EQ(h.say("LIST"), "+OK 2 250\r\n2 200\r\n3 50\r\n.\r\n");
  EXPECT_EQ(h.say("UIDL"), "+OK\r\n2 1700000000.11\r\n3 1700000000.15\r\n.\r\n");
  EXPECT_EQ(h.say("RSET"), "+OK 3 370\r\n");
  EXPECT_EQ(h.say("LIST 1"), "+OK 1 120\r\n");
  EXPECT_EQ(h.say("DELE 3"), "+OK Message 3 deleted\r\n");
  EXPECT_EQ(h.say("DELE 1"), "+OK Message 1 deleted\r\n");
  // DURABILITY: QUIT's +OK comes from the commit's outcome.
  EXPECT_EQ(h.say("QUIT"), "+OK Bye\r\n");
  EXPECT_TRUE(h.closed);
  EXPECT_EQ(h.committed, (std::vector<std::uint32_t>{10, 15}));
}

TEST(Pop3StateMachine, QuitWithoutMarksCommitsNothing) {
  harness h;
  h.login();
  EXPECT_EQ(h.say("QUIT"), "+OK Bye\r\n");
  EXPECT_TRUE(h.closed);
  EXPECT_TRUE(h.committed.empty());
}

TEST(Pop3StateMachine, QuitInAuthorizationEndsWithoutUpdate) {
  harness h;
  EXPECT_EQ(h.say("QUIT"), "+OK Bye\r\n");
  EXPECT_TRUE(h.closed);
}

TEST(Pop3StateMachine, FailedCommitIsAnError) {
  harness h;
  h.commit_succeeds = false;
  h.login();
  h.say("DELE 2");
  EXPECT_EQ(h.say("QUIT"), "-ERR [SYS/TEMP] Some deleted messages were not removed, try again later\r\n");
  EXPECT_TRUE(h.closed);
}

TEST(Pop3StateMachine, MaildropFailureAndVanishedMessage) {
  {
    harness h;
    h.maildrop_fails = true;
    EXPECT_EQ(h.login_reply(), "-ERR [SYS/TEMP] Mailbox temporarily unavailable, try again later\r\n");
    EXPECT_TRUE(h.closed);
  }
  {
    harness h;
    h.login();
    h.message_gone = true;
    EXPECT_EQ(h.say("RETR 1"), "-ERR Message was removed by another session\r\n");
    EXPECT_EQ(h.say("STAT"), "+OK 3 370\r\n");  // the snapshot stays
  }
}

TEST(Pop3StateMachine, LockedMaildropIsInUseAndTheSessionMayTryAgain) {
  harness h;
  h.maildrop_locked = true;
  // RFC 2449 8.1.1 / RFC 1939 4: the lock is busy; still AUTHORIZATION.
  EXPECT_EQ(h.login_reply(), "-ERR [IN-USE] Maildrop is locked by another POP3 session\r\n");
  EXPECT_FALSE(h.closed);
  EXPECT_EQ(h.m.current_phase(), state_machine::phase::authorization);
  EXPECT_EQ(h.m.error_count(), 0u);
  EXPECT_EQ(h.say("STAT"), "-ERR Not authenticated yet\r\n");
  h.maildrop_locked = false;
  h.login();
  EXPECT_EQ(h.say("STAT"), "+OK 3 370\r\n");
}

TEST(Pop3StateMachine, LongLinesAndErrorsAreBounded) {
  harness h;
  // SECURITY: RFC 2449 4: 255 octets per command line, CRLF included.
  EXPECT_EQ(h.say("USER " + std::string(max_command_line - 5, 'a')), "+OK Send your password\r\n");
  EXPECT_EQ(h.say("USER " + std::string(max_command_line - 4, 'a')), "-ERR Line too long\r\n");
  // PASS and AUTH may be longer (the reader bounds them).
  EXPECT_EQ(h.say("USER bob"), "+OK Send your password\r\n");
  EXPECT_EQ(h.say("PASS " + std::string(1000, 'p')), "-ERR [AUTH] Authentication failed\r\n");
  EXPECT_EQ(h.too_long(), "-ERR Line too long\r\n");
  EXPECT_EQ(h.say("AUTH PLAIN"), "+ \r\n");
  EXPECT_EQ(h.too_long(), "-ERR Line too long\r\n");
  EXPECT_EQ(h.m.current_phase(), state_machine::phase::authorization);
  // SECURITY: max_errors -ERR replies, then the connection closes.
  auto cfg = harness::base_config();
  cfg.max_errors = 5;
  harness g(cfg);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(g.say("GARBAGE"), "-ERR Unknown command\r\n");
  EXPECT_FALSE(g.closed);
  EXPECT_EQ(g.say("GARBAGE"), "-ERR Too many errors, closing connection\r\n");
  EXPECT_TRUE(g.closed);
}

// A whole session fed as bytes through the line splitter, whole and split
// in two at every point: the client sees the same responses.
std::string play(std::string_view script, std::size_t split) {
  harness h;
  net::line_splitter splitter(net::line_limits{max_auth_line, true});
  std::string out;
  auto drain = [&] {
    for (;;) {
      auto next = splitter.next();
      if (next.what == net::line_splitter::status::need_more || h.closed) return;
      out += next.what == net::line_splitter::status::line ? h.say(next.line) : h.too_long();
    }
  };
  splitter.feed(script.substr(0, split));
  drain();
  splitter.feed(script.substr(split));
  drain();
  return out;
}

TEST(Pop3StateMachine, EverySplitPointGivesTheSameSession) {
  std::string const script =
      "CAPA\r\nUSER bob\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL 2\r\nTOP 1 0\r\nRETR 2\r\nDELE 1\r\nRSET\r\n"
      "DELE 3\r\nbogus\nQUIT\r\nNOOP\r\n";
  auto const whole = play(script, script.size());
  EXPECT_NE(whole.find("+OK Logged in"), std::string::npos);
  EXPECT_NE(whole.find("-ERR Unknown command\r\n+OK Bye\r\n"), std::string::npos);
  EXPECT_EQ(whole.substr(whole.size() - 9), "+OK Bye\r\n");  // nothing after QUIT
  for (std::size_t at = 0; at <= script.size(); ++at) EXPECT_EQ(play(script, at), whole) << "split at " << at;
}

}  // namespace
}  // namespace posta::mail::pop3::proto
