// Building the list snapshot from settings values.
#include "mail/smtp/policy/lists.hpp"

#include "mail/smtp/policy/networks.hpp"

namespace posta::mail::smtp::policy {
namespace {

address_list parse_into(std::string const& key, std::vector<std::string> const& entries,
                        std::vector<std::string>& skipped, bool networks_only) {
  std::vector<std::string> accepted;
  for (auto const& e : entries) {
    auto ok = networks_only ? validate_network_entry(e) : validate_list_entry(e);
    if (ok) accepted.push_back(e);
    else skipped.push_back(key + ": " + e + " (" + ok.error().context + ")");
  }
  return address_list::parse_lenient(accepted).list;
}

}  // namespace

std::vector<std::string> lists_source::update(std::vector<std::string> const& allow,
                                              std::vector<std::string> const& deny,
                                              std::vector<std::string> const& trusted) {
  std::vector<std::string> skipped;
  auto next = std::make_shared<lists>();
  next->allow = parse_into("smtp.allow_list", allow, skipped, false);
  next->deny = parse_into("smtp.deny_list", deny, skipped, false);
  next->trusted = parse_into("smtp.trusted_networks", trusted, skipped, true);
  current_.store(std::move(next));
  return skipped;
}

result<void> validate_list_entry(std::string_view entry) { return address_list::validate_entry(entry); }

result<void> validate_network_entry(std::string_view entry) {
  auto n = parse_network(entry);
  if (!n) return n.error();
  return {};
}

}  // namespace posta::mail::smtp::policy
