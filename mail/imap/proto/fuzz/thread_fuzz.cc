// libFuzzer target: THREAD=REFERENCES and ORDEREDSUBJECT over arbitrary
// headers. Each input line is one message, "subject TAB message-id TAB
// references"; both answers must name every message exactly once in a
// well-formed thread list, and each base subject must be final (extracting
// again changes nothing).
#include "mail/imap/proto/base_subject.hpp"
#include "mail/imap/proto/thread.hpp"
#include "mail/imap/proto/thread_check.hpp"

#include <cstdlib>
#include <string_view>
#include <vector>

using namespace posta::mail::imap::proto;

namespace {

std::string_view next_field(std::string_view& line) {
  auto tab = line.find('\t');
  auto field = line.substr(0, tab);
  line = tab == std::string_view::npos ? std::string_view() : line.substr(tab + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  std::vector<thread_fields> messages;
  std::set<std::uint32_t> ids;
  while (!in.empty()) {
    auto eol = in.find('\n');
    auto line = in.substr(0, eol);
    in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
    thread_fields m;
    m.id = static_cast<std::uint32_t>(messages.size() + 1);
    m.sent_date = static_cast<std::int64_t>(line.size() % 5);
    m.subject = next_field(line);
    m.message_id = next_field(line);
    m.references = next_field(line);
    m.in_reply_to = line;
    auto base = extract_base_subject(m.subject).text;
    if (extract_base_subject(base).text != base) std::abort();
    ids.insert(m.id);
    messages.push_back(std::move(m));
  }
  if (!is_well_formed_thread_list(thread_references(messages), ids)) std::abort();
  if (!is_well_formed_thread_list(thread_orderedsubject(messages), ids)) std::abort();
  return 0;
}
