// libFuzzer target: arbitrary client bytes through the command reader (with
// a session that accepts literals up to a bound and refuses the rest) and
// each complete command through parse_command, with and without
// UTF8=ACCEPT. Nothing may crash, and the reader must hold no more than the
// line bound plus the literals it was allowed to read. Named .cc so the
// module's *.cpp glob leaves it out.
#include "mail/imap/proto/command_reader.hpp"
#include "mail/imap/proto/command_rules.hpp"
#include "mail/imap/proto/list_match.hpp"
#include "mail/imap/proto/literal_policy.hpp"
#include "mail/imap/proto/mutf7.hpp"
#include "mail/imap/proto/parse_command.hpp"
#include "mail/imap/proto/response_data.hpp"
#include "mail/imap/proto/sequence_set.hpp"

#include <cstdlib>
#include <string_view>
#include <variant>

using namespace posta::mail::imap::proto;

namespace {

// What the session does with a parsed command that is pure.
void use(parsed_command const& p) {
  if (!p.ok()) {
    if (p.error().empty()) std::abort();  // every BAD says something
    return;
  }
  (void)is_allowed_in(p.cmd(), session_state::selected);
  (void)may_announce_expunges(p.cmd());
  if (auto const* f = std::get_if<fetch_cmd>(&p.cmd())) {
    for (auto const& a : f->atts) (void)fetch_response_name(a);
    (void)select_sequence(f->set, 1000);
  }
  if (auto const* l = std::get_if<list_cmd>(&p.cmd()))
    for (auto const& pat : l->patterns) (void)list_matches(list_pattern(l->reference, pat, '/'), "INBOX/a/b", '/');
}

void parse_both(std::string_view text) {
  use(parse_command(text));
  use(parse_command(text, parse_options{.utf8_accept = true, .max_ranges = 16, .max_search_depth = 8}));
}

// Drives the reader over the input split in two at `split`; the first input
// byte picks LITERAL+ or LITERAL-.
void read_all(std::string_view in, std::size_t split) {
  reader_limits limits{.max_line = 256, .literal_minus = !in.empty() && (in[0] & 1)};
  literal_limits policy{.max_message = 512, .max_append_command = 1024, .max_other_command = 300,
                        .stream_above = 64, .max_append_memory = 512, .inline_max = 128};
  command_reader r(limits);
  for (std::string_view part : {in.substr(0, split), in.substr(split)}) {
    r.feed(part);
    while (true) {
      auto e = (in.size() % 3 == 0) ? r.next_line() : r.next();
      if (std::holds_alternative<reader_events::need_more>(e)) break;
      if (auto* c = std::get_if<reader_events::command>(&e)) {
        if (c->text.size() > 1024 + 4 * 256 + 64) std::abort();
        parse_both(c->text);
        use(parse_command(c->text, {}, c->streamed));
      }
      if (auto* l = std::get_if<reader_events::literal>(&e)) {
        auto v = judge_literal(*l, policy);
        if (v == literal_verdict::accept)
          r.accept_literal();
        else if (v == literal_verdict::too_big)
          r.refuse_literal();
        else
          r.accept_literal_streamed();  // its bytes come as literal_data
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  parse_both(in);
  read_all(in, size / 2);
  if (auto d = mutf7_decode(in)) {
    if (mutf7_encode(*d) != in) std::abort();  // one spelling per name
  }
  (void)parse_sequence_set(in, 16);
  return 0;
}
