// The reader must not be fooled by literals that contain "tag OK" lines, by
// literals split across reads, or by status texts that end in "{n}".
#include "bench/imap_load/self_test.hpp"

#include "bench/imap_load/reader.hpp"

#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

namespace posta::bench::imap_load {
namespace {

struct seen {
  int kind;
  std::string tag, status, text;
  std::size_t literal_bytes;
  bool operator==(seen const&) const = default;
};

// Feeds `chunks` in order and collects every complete response; "MALFORMED"
// ends the list when the reader refuses the input.
std::vector<seen> read_all(std::vector<std::string_view> const& chunks, std::size_t max_literal) {
  response_reader r(1024, max_literal);
  std::vector<seen> out;
  for (auto c : chunks) {
    r.feed(c);
    response resp;
    for (;;) {
      auto st = r.next(resp);
      if (st == read_status::need_more) break;
      if (st == read_status::malformed) {
        out.push_back({-1, "MALFORMED", "", "", 0});
        return out;
      }
      out.push_back({static_cast<int>(resp.kind), std::string(resp.tag), std::string(resp.status),
                     std::string(resp.text), resp.literal_bytes});
    }
  }
  return out;
}

struct test_case {
  std::string name, input;
  std::vector<seen> expected;
  std::size_t max_literal = 1 << 20;
};

constexpr int untagged = static_cast<int>(response_kind::untagged);
constexpr int tagged = static_cast<int>(response_kind::tagged);
constexpr int continuation = static_cast<int>(response_kind::continuation);

std::vector<test_case> cases() {
  std::string const fooling = "a1 OK fooled\r\n* BYE no\r\n";  // a literal that looks like responses
  std::string const fetch = fmt::format("* 1 FETCH (UID 7 BODY[] {{{}}}\r\n{})", fooling.size(), fooling);
  std::string const two = "* 2 FETCH (BODY[HEADER] {3}\r\nab\n BODY[TEXT] ~{2}\r\n\r\n)";
  return {
      {"greeting", "* OK [CAPABILITY IMAP4rev1] ready\r\n", {{untagged, "", "OK", "* OK [CAPABILITY IMAP4rev1] ready", 0}}},
      {"tagged", "a1 OK done\r\na2 no such\r\n",
       {{tagged, "a1", "OK", "a1 OK done", 0}, {tagged, "a2", "no", "a2 no such", 0}}},
      {"literal with a tagged line inside", fetch + "\r\na1 OK FETCH done\r\n",
       {{untagged, "", "", fetch, fooling.size()}, {tagged, "a1", "OK", "a1 OK FETCH done", 0}}},
      {"two literals, one binary", two + "\r\nb OK x\r\n",
       {{untagged, "", "", two, 5}, {tagged, "b", "OK", "b OK x", 0}}},
      {"status text ending in braces", "* OK see {5}\r\nt NO [ALERT] {3}\r\n",
       {{untagged, "", "OK", "* OK see {5}", 0}, {tagged, "t", "NO", "t NO [ALERT] {3}", 0}}},
      {"continuation", "+ Ready for literal data\r\n+\r\n",
       {{continuation, "", "", "+ Ready for literal data", 0}, {continuation, "", "", "+", 0}}},
      {"empty literal", "* LIST () \"/\" {0}\r\n\r\nz OK\r\n",
       {{untagged, "", "", "* LIST () \"/\" {0}\r\n", 0}, {tagged, "z", "OK", "z OK", 0}}},
      {"literal above the limit", "* 1 FETCH (BODY[] {99}\r\n", {{-1, "MALFORMED", "", "", 0}}, 10},
      {"cr lf split across reads", "* 3 EXISTS\r\n* 1 RECENT\r\n",
       {{untagged, "", "", "* 3 EXISTS", 0}, {untagged, "", "", "* 1 RECENT", 0}}},
  };
}

bool check(test_case const& c, std::string const& how, std::vector<seen> const& got) {
  if (got == c.expected) return true;
  std::cerr << "self-test FAILED: " << c.name << " (" << how << "): got " << got.size() << " responses, expected "
            << c.expected.size() << "\n";
  for (auto const& s : got) std::cerr << "  got [" << s.kind << "] " << s.tag << "|" << s.status << "|" << s.text << "\n";
  return false;
}

}  // namespace

int run_self_test() {
  int failures = 0, checks = 0;
  for (auto const& c : cases()) {
    std::string_view in = c.input;
    ++checks;
    failures += !check(c, "whole", read_all({in}, c.max_literal));
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < in.size(); ++i) bytes.push_back(in.substr(i, 1));
    ++checks;
    failures += !check(c, "byte by byte", read_all(bytes, c.max_literal));
    for (std::size_t cut = 1; cut < in.size(); ++cut) {
      ++checks;
      failures += !check(c, fmt::format("split at {}", cut), read_all({in.substr(0, cut), in.substr(cut)}, c.max_literal));
    }
  }
  std::cout << fmt::format("reader self-test: {} passed, {} failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace posta::bench::imap_load
