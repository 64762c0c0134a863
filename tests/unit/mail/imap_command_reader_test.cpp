// The incremental command reader (RFC 3501 2.2, 7.5; RFC 7888; RFC 3516):
// whole, byte by byte and at every split point; literal decisions before
// any literal byte is held; refusals and recovery to the next command.
#include "mail/imap/proto/command_reader.hpp"
#include "mail/imap/proto/literal_policy.hpp"
#include "mail/imap/proto/parse_command.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace posta::mail::imap::proto {
namespace {

namespace ev = reader_events;
using namespace std::string_literals;

// Plays a session: accepts literals whose size is not in `refuse`, and
// records what it saw as text: "C:<command>", "L:<size><+>", "R:<tag>".
struct player {
  command_reader reader;
  std::vector<std::uint64_t> refuse;
  std::vector<std::uint64_t> stream;  // sizes of literals to stream: "D:<bytes>" once whole
  std::vector<std::string> seen;
  std::string data;

  explicit player(reader_limits limits = {}) : reader(limits) {}

  void feed(std::string_view bytes) {
    reader.feed(bytes);
    while (true) {
      auto e = reader.next();
      if (std::holds_alternative<ev::need_more>(e)) return;
      if (auto* c = std::get_if<ev::command>(&e)) {
        seen.push_back("C:" + c->text);
        for (auto at : c->streamed) seen.back() += "@" + std::to_string(at);
      }
      if (auto* d = std::get_if<ev::literal_data>(&e)) {
        if (d->bytes.empty()) seen.push_back("empty data event");
        data.append(d->bytes);
        if (d->last) seen.push_back("D:" + std::exchange(data, {}));
      }
      if (auto* r = std::get_if<ev::refused>(&e)) seen.push_back("R:" + r->tag);
      if (auto* l = std::get_if<ev::literal>(&e)) {
        seen.push_back("L:" + std::to_string(l->size) + (l->synchronizing ? "" : "+") + (l->binary ? "~" : ""));
        if (std::find(refuse.begin(), refuse.end(), l->size) != refuse.end())
          reader.refuse_literal();
        else if (std::find(stream.begin(), stream.end(), l->size) != stream.end())
          reader.accept_literal_streamed();
        else
          reader.accept_literal();
      }
    }
  }
};

std::vector<std::string> run(std::string_view input, std::size_t chunk, reader_limits limits = {},
                             std::vector<std::uint64_t> refuse = {}, std::vector<std::uint64_t> stream = {}) {
  player p(limits);
  p.refuse = std::move(refuse);
  p.stream = std::move(stream);
  for (std::size_t i = 0; i < input.size(); i += chunk) p.feed(input.substr(i, chunk));
  return p.seen;
}

// The same events whatever the split: whole, every chunk size, every split point.
void expect_any_split(std::string_view input, std::vector<std::string> const& expected, reader_limits limits = {},
                      std::vector<std::uint64_t> refuse = {}, std::vector<std::uint64_t> stream = {}) {
  EXPECT_EQ(run(input, input.size() + 1, limits, refuse, stream), expected) << "whole";
  for (std::size_t chunk : {1, 2, 3, 7})
    EXPECT_EQ(run(input, chunk, limits, refuse, stream), expected) << "chunk " << chunk;
  for (std::size_t split = 1; split < input.size(); ++split) {
    player p(limits);
    p.refuse = refuse;
    p.stream = stream;
    p.feed(input.substr(0, split));
    p.feed(input.substr(split));
    EXPECT_EQ(p.seen, expected) << "split at " << split;
  }
}

TEST(ImapCommandReader, LinesBecomeCommands) {
  expect_any_split("a1 NOOP\r\na2 CAPABILITY\r\n", {"C:a1 NOOP", "C:a2 CAPABILITY"});
  expect_any_split("a1 NOOP\n", {"C:a1 NOOP"});  // COMPAT(client): bare LF
  expect_any_split("\r\n", {"C:"});              // an empty line: the parser answers BAD
}

TEST(ImapCommandReader, SynchronizingLiteralAsksFirst) {
  expect_any_split("a LOGIN {4}\r\nuser {6}\r\nsecret\r\n", {"L:4", "L:6", "C:a LOGIN {4}\r\nuser {6}\r\nsecret"});
}

TEST(ImapCommandReader, LiteralEventCarriesTheContext) {
  command_reader r;
  r.feed("t7 APPEND INBOX (\\Seen) ~{12}\r\n");
  auto e = r.next();
  auto* l = std::get_if<ev::literal>(&e);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->tag, "t7");
  EXPECT_EQ(l->verb, "APPEND");
  EXPECT_EQ(l->size, 12u);
  EXPECT_TRUE(l->synchronizing);
  EXPECT_TRUE(l->binary);
  EXPECT_EQ(l->literal_index, 0u);
  // Until the session decides, the reader repeats the question.
  EXPECT_TRUE(std::holds_alternative<ev::literal>(r.next()));
}

TEST(ImapCommandReader, NonSynchronizingLiteralsAndMultiAppend) {
  expect_any_split("a APPEND x {3+}\r\nabc {2+}\r\nde\r\nb NOOP\r\n",
                   {"L:3+", "L:2+", "C:a APPEND x {3+}\r\nabc {2+}\r\nde", "C:b NOOP"});
}

TEST(ImapCommandReader, LiteralBytesAreNotInterpreted) {
  expect_any_split("a LOGIN {5}\r\nx\r\ny} {2}\r\n\r\n\r\n", {"L:5", "L:2", "C:a LOGIN {5}\r\nx\r\ny} {2}\r\n\r\n"});
}

TEST(ImapCommandReader, RefusedSynchronizingLiteralEndsTheCommand) {
  // The client sends no literal after a refusal; its next line is a new command.
  expect_any_split("a APPEND x {999}\r\nb NOOP\r\n", {"L:999", "C:b NOOP"}, {}, {999});
}

TEST(ImapCommandReader, RefusedNonSynchronizingLiteralIsSkippedWithItsCommand) {
  expect_any_split("a APPEND x {5+}\r\nhello {3+}\r\nabc\r\nb NOOP\r\n", {"L:5+", "C:b NOOP"}, {}, {5});
}

TEST(ImapCommandReader, LiteralMinusRefusesLargeNonSynchronizingLiterals) {
  reader_limits minus{.max_line = 1024, .literal_minus = true};
  std::string big(4097, 'x');
  expect_any_split("a APPEND x {4097+}\r\n" + big + "\r\nb NOOP\r\n", {"R:a", "C:b NOOP"}, minus);
  std::string ok(4096, 'y');
  auto seen = run("a APPEND x {4096+}\r\n" + ok + "\r\n", 1000, minus);
  EXPECT_EQ(seen, (std::vector<std::string>{"L:4096+", "C:a APPEND x {4096+}\r\n" + ok}));
  // Under LITERAL+ the same literal goes to the session.
  EXPECT_EQ(run("a APPEND x {4097+}\r\n" + big + "\r\n", 1000).front(), "L:4097+");
  // A synchronizing literal of any size is the session's decision.
  EXPECT_EQ(run("a APPEND x {99999}\r\n", 1000, minus), std::vector<std::string>{"L:99999"});
}

TEST(ImapCommandReader, LongLineIsRefusedAndSkipped) {
  reader_limits small{.max_line = 16};
  expect_any_split("a NOOP 0123456789abcdef\r\nb NOOP\r\n", {"R:a", "C:b NOOP"}, small);
  // A line of exactly max_line bytes (CRLF not counted) passes.
  expect_any_split("a NOOP 012345678\r\n", {"C:a NOOP 012345678"}, small);
  expect_any_split("a NOOP 0123456789\r\n", {"R:a"}, small);
  expect_any_split("a NOOP 0123456789\nb NOOP\n", {"R:a", "C:b NOOP"}, small);
}

TEST(ImapCommandReader, LongLineEndingInNonSynchronizingLiteralSkipsTheLiteral) {
  reader_limits small{.max_line = 16};
  expect_any_split("a LOGIN xxxxxxxxxxxxxxxx {4+}\r\nb NO\r\nc NOOP\r\n", {"R:a", "C:c NOOP"}, small);
  // A synchronizing literal is never sent without "+": the next line is a command.
  expect_any_split("a LOGIN xxxxxxxxxxxxxxxx {4}\r\nb NOOP\r\n", {"R:a", "C:b NOOP"}, small);
}

TEST(ImapCommandReader, LongLineHoldsNoMoreThanTheLimit) {
  // SECURITY: a line without end is discarded as it comes, not accumulated.
  command_reader r({.max_line = 100});
  r.feed("a NOOP ");
  EXPECT_TRUE(std::holds_alternative<ev::need_more>(r.next()));
  r.feed(std::string(200, 'x'));
  EXPECT_TRUE(std::holds_alternative<ev::refused>(r.next()));
  for (int i = 0; i < 100; ++i) {
    r.feed(std::string(10000, 'x'));
    EXPECT_TRUE(std::holds_alternative<ev::need_more>(r.next()));
    EXPECT_EQ(r.buffered(), 0u);
  }
  r.feed("\r\nb NOOP\r\n");
  auto e = r.next();
  ASSERT_TRUE(std::holds_alternative<ev::command>(e));
  EXPECT_EQ(std::get<ev::command>(e).text, "b NOOP");
}

TEST(ImapCommandReader, TagOfARefusedLineMayBeUnreadable) {
  reader_limits small{.max_line = 8};
  EXPECT_EQ(run("+bad 0123456789\r\n", 100, small), std::vector<std::string>{"R:"});
}

TEST(ImapCommandReader, RawLinesForIdleAndAuthenticate) {
  command_reader r;
  r.feed("a IDLE\r\nDONE\r\nb AUTHENTICATE PLAIN\r\nAGEAYg==\r\n*\r\nc NOOP\r\n");
  EXPECT_EQ(std::get<ev::command>(r.next()).text, "a IDLE");
  EXPECT_EQ(std::get<ev::line>(r.next_line()).text, "DONE");
  EXPECT_EQ(std::get<ev::command>(r.next()).text, "b AUTHENTICATE PLAIN");
  EXPECT_EQ(std::get<ev::line>(r.next_line()).text, "AGEAYg==");
  EXPECT_EQ(std::get<ev::line>(r.next_line()).text, "*");
  EXPECT_EQ(std::get<ev::command>(r.next()).text, "c NOOP");
  EXPECT_TRUE(std::holds_alternative<ev::need_more>(r.next_line()));
  r.feed("DO");
  EXPECT_TRUE(std::holds_alternative<ev::need_more>(r.next_line()));
  r.feed("NE\r\n");
  EXPECT_EQ(std::get<ev::line>(r.next_line()).text, "DONE");
  // A raw line ending in "{3}" is not a literal.
  r.feed("abc{3}\r\n");
  EXPECT_EQ(std::get<ev::line>(r.next_line()).text, "abc{3}");
}

TEST(ImapCommandReader, RawLineIsBoundedToo) {
  command_reader r({.max_line = 8});
  r.feed("0123456789\r\nDONE\r\n");
  EXPECT_TRUE(std::holds_alternative<ev::refused>(r.next_line()));
  EXPECT_EQ(std::get<ev::line>(r.next_line()).text, "DONE");
}

TEST(ImapCommandReader, TellsWhatIsBufferedAfterACommand) {
  // RFC 3501 6.2.1: bytes pipelined after STARTTLS must not be taken as
  // commands under TLS; the session checks buffered() after the command.
  command_reader r;
  r.feed("a STARTTLS\r\nb LOGIN x y\r\n");
  EXPECT_EQ(std::get<ev::command>(r.next()).text, "a STARTTLS");
  EXPECT_TRUE(r.is_idle());
  EXPECT_EQ(r.buffered(), 13u);
  r.feed("c NO");
  EXPECT_EQ(std::get<ev::command>(r.next()).text, "b LOGIN x y");
  EXPECT_TRUE(std::holds_alternative<ev::need_more>(r.next()));
  EXPECT_FALSE(r.is_idle());
}

TEST(ImapCommandReader, HugeLiteralSizeSaturates) {
  command_reader r;
  r.feed("a APPEND x {99999999999999999999999}\r\n");
  auto e = r.next();
  ASSERT_TRUE(std::holds_alternative<ev::literal>(e));
  EXPECT_EQ(std::get<ev::literal>(e).size, UINT64_MAX);
  r.refuse_literal();
  r.feed("b NOOP\r\n");
  EXPECT_EQ(std::get<ev::command>(r.next()).text, "b NOOP");
}

// Reader, literal policy and parser together, as the session uses them.
TEST(ImapCommandReader, FeedsTheParser) {
  command_reader r;
  literal_limits limits{.max_message = 10, .max_append_command = 60, .max_other_command = 100};
  r.feed("a1 APPEND Drafts (\\Draft) {5+}\r\nhello {11}\r\na2 LOGIN {3}\r\njoe pw\r\n");
  std::vector<std::string> out;
  for (auto e = r.next(); !std::holds_alternative<ev::need_more>(e); e = r.next()) {
    if (auto* l = std::get_if<ev::literal>(&e)) {
      bool ok = judge_literal(*l, limits) == literal_verdict::accept;
      out.push_back(l->tag + (ok ? " accept " : " refuse ") + std::to_string(l->size));
      ok ? r.accept_literal() : r.refuse_literal();
    } else if (auto* c = std::get_if<ev::command>(&e)) {
      auto p = parse_command(c->text);
      out.push_back(p.tag + " " + p.verb + (p.ok() ? " ok" : " BAD " + p.error()));
    }
  }
  // The 11-byte second message is above the 10-byte APPENDLIMIT: refused
  // before it is sent, and the whole APPEND with it; LOGIN follows.
  EXPECT_EQ(out, (std::vector<std::string>{"a1 accept 5", "a1 refuse 11", "a2 accept 3", "a2 LOGIN ok"}));
}

TEST(ImapCommandReader, StreamedLiteralBytesAreHandedOutNotHeld) {
  // MULTIAPPEND: the 6-byte messages are streamed, the 2-byte one held; the
  // command's text keeps each streamed literal's announcement and position.
  std::string const in = "a APPEND x {6}\r\nab\r\ncd {2}\r\nhi ~{6+}\r\n\0\r\n}{ \r\nb NOOP\r\n"s;
  std::string const text = "C:a APPEND x {6}\r\n {2}\r\nhi ~{6+}\r\n";
  auto const first = std::to_string(std::string_view("a APPEND x {6}\r\n").size());
  auto const second = std::to_string(text.size() - 2);
  expect_any_split(in,
                   {"L:6", "D:ab\r\ncd", "L:2", "L:6+~", "D:\0\r\n}{ "s, text + "@" + first + "@" + second,
                    "C:b NOOP"},
                   {}, {}, {6});
}

TEST(ImapCommandReader, StreamedLiteralsCountInTheCommandsBytes) {
  command_reader r;
  r.feed("a APPEND x {100}\r\n");
  auto e = r.next();
  ASSERT_TRUE(std::holds_alternative<ev::literal>(e));
  r.accept_literal_streamed();
  r.feed(std::string(100, 'x') + " {5}\r\n");
  std::size_t got = 0;
  for (e = r.next(); std::holds_alternative<ev::literal_data>(e); e = r.next())
    got += std::get<ev::literal_data>(e).bytes.size();
  EXPECT_EQ(got, 100u);
  auto* l = std::get_if<ev::literal>(&e);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->command_bytes, std::string_view("a APPEND x {100}\r\n {5}\r\n").size() + 100);
  EXPECT_EQ(l->held_bytes, std::string_view("a APPEND x {100}\r\n {5}\r\n").size());
  // A refusal drops the streamed positions with the command.
  r.refuse_literal();
  r.feed("b NOOP\r\n");
  auto c = r.next();
  ASSERT_TRUE(std::holds_alternative<ev::command>(c));
  EXPECT_TRUE(std::get<ev::command>(c).streamed.empty());
}

TEST(ImapCommandReader, StreamedMessagesParseAsAppendMessages) {
  command_reader r;
  r.feed("a APPEND x (\\Seen) {3}\r\n");
  ASSERT_TRUE(std::holds_alternative<ev::literal>(r.next()));
  r.accept_literal_streamed();
  r.feed("abc {2}\r\n");
  while (std::holds_alternative<ev::literal_data>(r.next())) {}
  r.accept_literal();
  r.feed("de\r\n");
  auto e = r.next();
  auto* c = std::get_if<ev::command>(&e);
  ASSERT_NE(c, nullptr);
  auto p = parse_command(c->text, {}, c->streamed);
  ASSERT_TRUE(p.ok()) << p.error();
  auto const& cmd = std::get<append_cmd>(p.cmd());
  ASSERT_EQ(cmd.messages.size(), 2u);
  EXPECT_EQ(cmd.messages[0].streamed, std::optional<std::size_t>(0));
  EXPECT_EQ(cmd.messages[0].data, "");
  EXPECT_EQ(cmd.messages[0].flags, std::vector<std::string>{"\\Seen"});
  EXPECT_EQ(cmd.messages[1].streamed, std::nullopt);
  EXPECT_EQ(cmd.messages[1].data, "de");
  // Without the positions the text is a broken literal; only a message may be streamed.
  EXPECT_FALSE(parse_command(c->text).ok());
  std::string login = "a LOGIN {3}\r\n {2}\r\npw";
  std::size_t at = std::string_view("a LOGIN {3}\r\n").size();
  EXPECT_FALSE(parse_command(login, {}, std::span<std::size_t const>(&at, 1)).ok());
}

TEST(ImapLiteralPolicy, LargeAppendMessagesAreStreamedAndMemoryIsBounded) {
  literal_limits limits{.max_message = 1000, .max_append_command = 5000, .max_other_command = 100,
                        .stream_above = 50, .max_append_memory = 400, .inline_max = 200};
  auto lit = [](std::string verb, std::uint64_t size, std::uint64_t so_far, std::uint64_t held) {
    ev::literal l;
    l.verb = std::move(verb);
    l.size = size;
    l.command_bytes = so_far;
    l.held_bytes = held;
    return l;
  };
  EXPECT_EQ(judge_literal(lit("APPEND", 50, 20, 20), limits), literal_verdict::accept);
  EXPECT_EQ(judge_literal(lit("APPEND", 51, 20, 20), limits), literal_verdict::stream);
  EXPECT_EQ(judge_literal(lit("APPEND", 1000, 20, 20), limits), literal_verdict::stream);
  EXPECT_EQ(judge_literal(lit("LOGIN", 51, 20, 20), limits), literal_verdict::accept);  // never streamed
  // Small messages are held up to the memory bound, then streamed to files;
  // bodies kept in memory by writers count, and past the bound go to files.
  EXPECT_EQ(judge_literal(lit("APPEND", 40, 380, 380), limits), literal_verdict::stream_to_file);
  EXPECT_EQ(judge_literal(lit("APPEND", 40, 360, 360), limits), literal_verdict::accept);
  EXPECT_EQ(judge_literal(lit("APPEND", 40, 900, 20), limits, 340), literal_verdict::accept);
  EXPECT_EQ(judge_literal(lit("APPEND", 300, 900, 20), limits, 200), literal_verdict::stream_to_file);
  EXPECT_EQ(judge_literal(lit("APPEND", 1000, 900, 20), limits, 180), literal_verdict::stream);  // 200 in memory at most
  EXPECT_EQ(judge_literal(lit("APPEND", 1000, 900, 20), limits, 181), literal_verdict::stream_to_file);
  // Lines alone past the bound, and the command's total, are refused.
  EXPECT_EQ(judge_literal(lit("APPEND", 10, 401, 401), limits), literal_verdict::too_big);
  EXPECT_EQ(judge_literal(lit("APPEND", 1000, 4001, 20), limits), literal_verdict::too_big);
}

TEST(ImapLiteralPolicy, AppendWithinAppendLimitOtherLiteralsSmall) {
  literal_limits limits{.max_message = 1000, .max_append_command = 1500, .max_other_command = 100};
  auto lit = [](std::string verb, std::uint64_t size, std::uint64_t so_far) {
    ev::literal l;
    l.verb = std::move(verb);
    l.size = size;
    l.command_bytes = so_far;
    return l;
  };
  EXPECT_EQ(judge_literal(lit("APPEND", 1000, 20), limits), literal_verdict::accept);
  EXPECT_EQ(judge_literal(lit("APPEND", 1001, 20), limits), literal_verdict::too_big);
  EXPECT_EQ(judge_literal(lit("APPEND", 900, 700), limits), literal_verdict::too_big);  // MULTIAPPEND total
  EXPECT_EQ(judge_literal(lit("LOGIN", 80, 20), limits), literal_verdict::accept);
  EXPECT_EQ(judge_literal(lit("LOGIN", 81, 20), limits), literal_verdict::too_big);
  EXPECT_EQ(judge_literal(lit("SEARCH", UINT64_MAX, 20), limits), literal_verdict::too_big);
  EXPECT_EQ(judge_literal(lit("APPEND", UINT64_MAX, 20), limits), literal_verdict::too_big);
}

}  // namespace
}  // namespace posta::mail::imap::proto
