// libFuzzer target: server bytes through the client's reply parser (fed whole
// and split, which must agree), EHLO parsing of every reply, and the replies
// driving a transaction machine that must never lose step.
// Named .cc so the module's *.cpp glob leaves it out.
#include "mail/smtp/client/proto/ehlo.hpp"
#include "mail/smtp/client/proto/reply_parser.hpp"
#include "mail/smtp/client/proto/transaction.hpp"
#include "mail/smtp/proto/address.hpp"

#include <cstdlib>
#include <string_view>
#include <vector>

using namespace posta::mail::smtp::client::proto;
namespace sp = posta::mail::smtp::proto;

namespace {

std::vector<parsed_reply> parse(std::string_view in, std::size_t split) {
  reply_parser p({256, 16});
  std::vector<parsed_reply> out;
  auto drain = [&] {
    while (auto r = p.next()) {
      out.push_back(*r);
      if (!*r) return false;
    }
    return true;
  };
  p.feed(in.substr(0, split));
  if (drain()) {
    p.feed(in.substr(split));
    drain();
  }
  return out;
}

void drive(std::vector<parsed_reply> const& replies, bool pipelining, bool chunking) {
  transaction_request req;
  req.sender = *sp::parse_path("<s@example.test>", {sp::path_role::reverse, false});
  for (auto to : {"<a@example.test>", "<b@example.test>"}) req.recipients.push_back({*sp::parse_path(to, {}), {}});
  capabilities peer = parse_ehlo(sp::reply{250, {}, {"x"}});
  peer.pipelining = pipelining;
  peer.chunking = chunking;
  transaction t(req, peer);
  std::size_t i = 0;
  while (t.next() != transaction::step::done) {
    auto s = t.next();
    if (s == transaction::step::write) (void)t.take_output();
    if (s == transaction::step::send_body && t.uses_bdat()) (void)t.bdat_header(1, true);
    if (s == transaction::step::send_body) t.on_body_sent();
    if (s != transaction::step::read_reply) continue;
    if (i == replies.size() || !replies[i]) return t.abandon(sp::make_reply(451, "4.4.2", "gone"));
    t.on_reply(*replies[i++]);
  }
  for (std::size_t r = 0; r < t.recipients(); ++r) (void)t.outcome(r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  auto whole = parse(in, in.size());
  auto split = parse(in, size == 0 ? 0 : data[0] % (size + 1));
  if (whole.size() != split.size()) std::abort();
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (static_cast<bool>(whole[i]) != static_cast<bool>(split[i])) std::abort();
    if (whole[i] && !(*whole[i] == *split[i])) std::abort();
    if (whole[i]) (void)parse_ehlo(*whole[i]);
  }
  drive(whole, size % 2 == 0, size % 3 == 0);
  return 0;
}
