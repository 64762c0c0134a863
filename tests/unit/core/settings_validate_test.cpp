// Runtime settings: the catalogue and value validation.
#include "core/settings/settings.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace posta::settings {
namespace {

boost::json::value js(char const* text) { return boost::json::parse(text); }

TEST(Settings, CatalogueHasTheIssueNames) {
  for (auto key : {"smtp.max_message_size_mb", "smtp.max_recipients", "smtp.max_messages_per_ip_per_minute",
                   "smtp.max_connections_per_ip", "smtp.banner_name", "smtp.allow_list", "smtp.deny_list",
                   "smtp.trusted_networks", "smtp.allow_plaintext_auth_on_loopback", "auth.default_domain"})
    EXPECT_NE(find_definition(key), nullptr) << key;
  EXPECT_EQ(find_definition("smtp.trusted_networks")->default_value, js("[]"));  // not even loopback
  EXPECT_EQ(find_definition("smtp.allow_plaintext_auth_on_loopback")->default_value, js("false"));
}

TEST(Settings, ValidationByType) {
  auto const& size = *find_definition("smtp.max_message_size_mb");
  EXPECT_TRUE(validate(size, js("0")));
  EXPECT_TRUE(validate(size, js("50")));
  EXPECT_FALSE(validate(size, js("-1")));
  EXPECT_FALSE(validate(size, js("\"25\"")));
  EXPECT_FALSE(validate(size, js("2.5")));
  auto const& flag = *find_definition("smtp.allow_plaintext_auth_on_loopback");
  EXPECT_TRUE(validate(flag, js("true")));
  EXPECT_FALSE(validate(flag, js("1")));
  auto const& list = *find_definition("smtp.deny_list");
  EXPECT_TRUE(validate(list, js("[\"192.0.2.1\", \"@spam.test\"]")));
  EXPECT_FALSE(validate(list, js("[1]")));
  EXPECT_FALSE(validate(list, js("\"192.0.2.1\"")));
}

TEST(Settings, ItemValidatorsFromAboveCoreApply) {
  register_item_validator("smtp.trusted_networks", [](std::string_view item) -> result<void> {
    if (item.find('/') == std::string_view::npos) return make_error(errc::invalid_argument, "not a network");
    return {};
  });
  auto const& trusted = *find_definition("smtp.trusted_networks");
  EXPECT_TRUE(validate(trusted, js("[\"10.0.0.0/8\"]")));
  auto refused = validate(trusted, js("[\"10.0.0.0/8\", \"example.org\"]"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().context.find("not a network"), std::string::npos);
  register_item_validator("smtp.trusted_networks", {});
}

}  // namespace
}  // namespace posta::settings

namespace posta::settings {
namespace {

// Issue 7: smtp.banner_name with CR/LF was copied raw into every Received
// header ("250-INJECTED", "Received: forged"). Host-name settings take host names only.
TEST(Settings, HostNameSettingsRefuseAnythingElse) {
  for (auto key : {"smtp.banner_name", "auth.default_domain"}) {
    auto const& def = *find_definition(key);
    for (auto ok : {"\"\"", "\"mx1.example.com\"", "\"localhost\"", "\"a-b.c9.test\""})
      EXPECT_TRUE(validate(def, boost::json::parse(ok))) << key << " " << ok;
    for (auto bad : {"\"mx\\r\\n250-INJECTED\"", "\"mx\\nReceived: forged\"", "\"mx example\"", "\"-mx.test\"",
                     "\"mx..test\"", "\"mx.test.\"", "\"mx_1.test\"", "\"m\\u0000x\"", "\"\\u00e9.test\""}) {
      auto r = validate(def, boost::json::parse(bad));
      ASSERT_FALSE(r) << key << " " << bad;
      EXPECT_NE(r.error().context.find("not a host name"), std::string::npos);
    }
  }
  EXPECT_EQ(host_name_problem(std::string(64, 'a') + ".test"), "a label is longer than 63 characters");
  EXPECT_TRUE(host_name_problem(std::string(63, 'a') + ".test").empty());
}

}  // namespace
}  // namespace posta::settings
