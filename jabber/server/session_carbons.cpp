// XEP-0280 message carbons: a resource enables or disables them (section
// 4); an eligible message (6.1, proto/carbons.hpp) sent by the account
// is copied as <sent/> to its other carbons-enabled resources (7), and one
// delivered to some resources of an account as <received/> to its other
// carbons-enabled resources (8), each wrapped in a XEP-0297 <forwarded/>.
#include "jabber/proto/carbons.hpp"
#include "jabber/proto/iq_replies.hpp"
#include "jabber/proto/namespaces.hpp"
#include "jabber/server/router.hpp"
#include "jabber/server/session.hpp"

#include <algorithm>

namespace posta::jabber::server {
namespace {

gloox::Tag* carbons_child(gloox::Tag const& stanza) {
  for (auto* c : stanza.children())
    if (c->xmlns() == proto::ns::carbons) return c;
  return nullptr;
}

proto::carbon_facts facts_of(gloox::Tag const& msg) {
  proto::carbon_facts f;
  f.type = msg.findAttribute("type");
  for (auto* c : msg.children()) {
    if (c->name() == "body" && c->xmlns() == proto::ns::client) f.has_body = true;
    if (c->xmlns() == proto::ns::carbons) (c->name() == "private" ? f.is_private : f.is_carbon) = true;
    if (c->xmlns() == proto::ns::hints && c->name() == "no-copy") f.no_copy = true;
  }
  return f;
}

bool contains(std::vector<std::shared_ptr<outbox>> const& boxes, std::shared_ptr<outbox> const& box) {
  return std::find(boxes.begin(), boxes.end(), box) != boxes.end();
}

}  // namespace

bool session::is_carbons_request(gloox::Tag const& iq) const {
  auto const& to = iq.findAttribute("to");
  auto* c = carbons_child(iq);
  return c && (c->name() == "enable" || c->name() == "disable") && (to.empty() || to == account_ || to == host_);
}

void session::on_carbons(gloox::Tag& iq) {
  if (iq.findAttribute("type") != "set") return reply_error(iq, proto::stanza_condition::bad_request);
  bool const enable = carbons_child(iq)->name() == "enable";
  ctx_.routes.set_carbons(account_, resource_, outbox_.get(), enable);
  push(proto::format_iq_result(iq.findAttribute("id"), full_jid_, iq.findAttribute("to")));
}

void session::send_carbons(gloox::Tag const& msg, std::string const& to_bare,
                           std::vector<std::shared_ptr<outbox>> const& delivered_to) {
  // The type of a facts_of() result points into `msg`, which outlives it here.
  auto const facts = facts_of(msg);
  if (!proto::is_carbon_eligible(facts)) return;
  std::string const type(facts.type);
  std::string original;
  auto copy = [&](proto::carbon_direction d, std::string const& bare, std::string const& resource) {
    if (original.empty()) original = msg.xml();
    return proto::format_carbon(d, bare, bare + "/" + resource, type, original);
  };
  for (auto const& [resource, box] : ctx_.routes.carbons_enabled(account_))
    if (box != outbox_ && !contains(delivered_to, box))
      box->deliver(copy(proto::carbon_direction::sent, account_, resource));
  // Section 8: only a message that reached the account is copied there;
  // one to the sender's own account got its <sent/> copies above.
  if (delivered_to.empty() || to_bare == account_) return;
  for (auto const& [resource, box] : ctx_.routes.carbons_enabled(to_bare))
    if (!contains(delivered_to, box)) box->deliver(copy(proto::carbon_direction::received, to_bare, resource));
}

}  // namespace posta::jabber::server
