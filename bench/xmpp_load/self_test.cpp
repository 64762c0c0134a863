// Table tests of the stream scanner: the events of whole streams as Prosody
// and other servers write them (either quote, any attribute order, prefixes,
// self-closing stanzas, keepalives, comments), fed whole and split at every
// byte; and the attribute and child helpers.
#include "bench/xmpp_load/self_test.hpp"

#include "bench/xmpp_load/scanner.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace posta::bench::xmpp_load {
namespace {

struct stream_case {
  std::string input;
  std::vector<std::string> events;  // "H:<text>", "E:<text>", "C", "M"
};

std::vector<std::string> scan(std::string const& input, std::size_t split) {
  stream_scanner s;
  std::vector<std::string> got;
  std::string text;
  auto drain = [&] {
    for (;;) {
      auto ev = s.next(text);
      if (ev == scan_event::need_more) return;
      if (ev == scan_event::header) got.push_back("H:" + text);
      if (ev == scan_event::element) got.push_back("E:" + text);
      if (ev == scan_event::closed) got.push_back("C");
      if (ev == scan_event::malformed) {
        got.push_back("M");
        return;
      }
    }
  };
  s.feed(input.substr(0, split));
  drain();
  s.feed(input.substr(split));
  drain();
  return got;
}

std::vector<stream_case> const cases = {
    {"<?xml version='1.0'?><stream:stream xmlns='jabber:client' id=\"a>b\">",
     {"H:<stream:stream xmlns='jabber:client' id=\"a>b\">"}},
    {"<stream:stream><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
     "</stream:features> \n<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
     {"H:<stream:stream>",
      "E:<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>",
      "E:<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"}},
    {"<s><message type=\"chat\" to='a/b'><body>x / y > z</body></message><!-- c --><presence/></s>",
     {"H:<s>", "E:<message type=\"chat\" to='a/b'><body>x / y > z</body></message>", "E:<presence/>", "C"}},
    {"<s><message a='1'/>", {"H:<s>", "E:<message a='1'/>"}},
    {"</s>", {"M"}},
    {"<s><!DOCTYPE x>", {"H:<s>", "M"}},
};

int check_streams() {
  int failures = 0;
  for (auto const& c : cases) {
    for (std::size_t split = 0; split <= c.input.size(); ++split) {
      if (scan(c.input, split) == c.events) continue;
      std::cerr << "scanner: wrong events for '" << c.input << "' split at " << split << "\n";
      ++failures;
      break;
    }
  }
  return failures;
}

int check_helpers() {
  int failures = 0;
  auto expect = [&](bool ok, char const* what) {
    if (!ok) std::cerr << "helper: " << what << "\n";
    failures += ok ? 0 : 1;
  };
  std::string const m =
      "<message from=\"user2@example.test/bench\" xml:lang='en' type = 'chat' id='m1-2'>"
      "<body>xb 1 2 3 xxxx</body><x:body2/></message>";
  expect(element_name(m) == "message", "element_name");
  expect(local_name("<stream:features>") == "features", "local_name");
  expect(attribute(m, "type") == "chat", "attribute with spaces around =");
  expect(attribute(m, "from") == "user2@example.test/bench", "attribute in double quotes");
  expect(attribute(m, "lang") == std::nullopt, "attribute: prefixed name is not the local one");
  expect(attribute(m, "to") == std::nullopt, "attribute absent");
  expect(child_text(m, "body") == "xb 1 2 3 xxxx", "child_text");
  expect(child_text("<iq><bind><jid>a@b/c</jid></bind></iq>", "jid") == "a@b/c", "child_text nested");
  expect(has_child("<f><mechanisms><mechanism>PLAIN</mechanism></mechanisms></f>", "mechanism"), "has_child");
  expect(!has_child("<f><mechanisms/></f>", "mechanism"), "has_child absent");
  return failures;
}

}  // namespace

int run_self_test() {
  int failures = check_streams() + check_helpers();
  std::cout << (failures ? "self-test FAILED\n" : "self-test passed\n");
  return failures ? 1 : 0;
}

}  // namespace posta::bench::xmpp_load
