// The SMTP access lists in force (smtp.allow_list, smtp.deny_list,
// smtp.trusted_networks), parsed once per settings change and shared by all
// sessions through an atomic snapshot.
#pragma once

#include "mail/smtp/policy/address_list.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace posta::mail::smtp::policy {

struct lists {
  address_list allow;
  address_list deny;
  address_list trusted;  // IPs and networks only
};

class lists_source {
 public:
  lists_source() : current_(std::make_shared<lists const>()) {}

  // Returns the entries that were skipped as invalid, "key: entry (reason)".
  std::vector<std::string> update(std::vector<std::string> const& allow, std::vector<std::string> const& deny,
                                  std::vector<std::string> const& trusted);
  std::shared_ptr<lists const> current() const { return current_.load(); }

 private:
  std::atomic<std::shared_ptr<lists const>> current_;
};

// Setting validators: any list entry, or networks only (trusted networks).
result<void> validate_list_entry(std::string_view entry);
result<void> validate_network_entry(std::string_view entry);

}  // namespace posta::mail::smtp::policy
