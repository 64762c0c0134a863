// Names of the identity model: domains (with IDN), local parts, addresses
// and logins, as table tests of accepted forms and of refusal messages.
#include "core/identity/names.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::identity {
namespace {

struct name_case {
  std::string input;
  std::string expected;  // normalised form, or a fragment of the error message
  bool ok;
};

template <class F>
void run_table(std::vector<name_case> const& cases, F normalise) {
  for (auto const& c : cases) {
    auto const r = normalise(c.input);
    ASSERT_EQ(static_cast<bool>(r), c.ok) << "input: " << c.input << (r ? " -> " + *r : " : " + r.error().context);
    if (r) {
      EXPECT_EQ(*r, c.expected) << c.input;
    } else {
      EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument));
      EXPECT_NE(r.error().context.find(c.expected), std::string::npos)
          << "input: " << c.input << "\nmessage: " << r.error().context << "\nwanted: " << c.expected;
    }
  }
}

std::string const label63(63, 'a');
std::string const label64(64, 'a');

TEST(IdentityNames, Domains) {
  // 4 labels of 63 + 3 dots = 255 > 253; 3 x 63 + 61 + 3 dots = 253.
  std::string const longest = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
  std::string const too_long = label63 + "." + label63 + "." + label63 + "." + std::string(62, 'b');
  run_table(
      {
          {"example.org", "example.org", true},
          {"Mail.EXAMPLE.org", "mail.example.org", true},
          {"Bücher.Example", "xn--bcher-kva.example", true},
          {"XN--BCHER-KVA.example", "xn--bcher-kva.example", true},
          {"faß.de", "xn--fa-hia.de", true},  // non-transitional: ß is kept
          {"ex\xe3\x80\x82" "com", "ex.com", true},  // ideographic full stop is a dot
          {"localhost", "localhost", true},
          {"a-b.c1", "a-b.c1", true},
          {"1.example", "1.example", true},
          {label63 + ".org", label63 + ".org", true},
          {longest, longest, true},
          {"", "invalid domain name '': empty", false},
          {label64 + ".org", "invalid domain name '" + label64.substr(0, 63), false},
          {label64 + ".org", ": label longer than 63 characters", false},
          {"b\xc3\xbc" + label63 + ".org", "label longer than 63 characters", false},  // after punycode
          {too_long, "longer than 253 characters", false},
          {"a..b", "empty label", false},
          {".example.org", "empty label", false},
          {"example.org.", "trailing dot", false},
          {"exa mple.org", "contains a space", false},
          {"user@example.org", "contains '@'", false},
          {"example.org\n", "contains a control character", false},
          {"-a.org", "label starts or ends with '-'", false},
          {"a-.org", "label starts or ends with '-'", false},
          {"foo_bar.org", "only letters, digits and '-'", false},
          {"exa!mple.org", "only letters, digits and '-'", false},
          {"1.2.3.4", "top-level label is all digits", false},
          {"[192.0.2.1]", "only letters, digits and '-'", false},
          {"xn--zz.org", "not a valid internationalised name", false},
          {std::string(2000, 'a'), "too long", false},
      },
      normalise_domain);
}

TEST(IdentityNames, ErrorMessagesEscapeControlCharactersAndAreShort) {
  auto const r = normalise_domain("evil\r\nInjected: yes");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().context, "invalid domain name 'evil\\x0d\\x0aInjected: yes': contains a control character");
  auto const long_input = normalise_domain(std::string(300, 'a'));
  ASSERT_FALSE(long_input);
  EXPECT_LT(long_input.error().context.size(), 150u);
}

TEST(IdentityNames, LocalParts) {
  run_table(
      {
          {"john.smith", "john.smith", true},
          {"John.Smith", "john.smith", true},
          {"a", "a", true},
          {"sales-team_2+tag", "sales-team_2+tag", true},
          {std::string(64, 'x'), std::string(64, 'x'), true},
          {"", "invalid local part '': empty", false},
          {std::string(65, 'x'), "longer than 64 characters", false},
          {".john", "starts or ends with '.'", false},
          {"john.", "starts or ends with '.'", false},
          {"john..smith", "contains '..'", false},
          {"john smith", "only letters, digits, '.', '-', '_' and '+'", false},
          {"john@smith", "only letters", false},
          {"jürgen", "only letters", false},
          {"\"quoted\"", "only letters", false},
          {"a,b", "only letters", false},
      },
      normalise_local_part);
}

TEST(IdentityNames, Addresses) {
  run_table(
      {
          {"John.Smith@Example.ORG", "john.smith@example.org", true},
          {"info@Bücher.Example", "info@xn--bcher-kva.example", true},
          {"john", "missing '@'", false},
          {"a@b@example.org", "more than one '@'", false},
          {"@example.org", "invalid local part '': empty", false},
          {"john@", "invalid domain name '': empty", false},
          {"john..x@example.org", "contains '..'", false},
          {"john@example..org", "empty label", false},
          {"john@exa mple.org", "invalid address 'john@exa mple.org': invalid domain name", false},
          {std::string(64, 'x') + "@" + label63 + "." + label63 + "." + label63 + "." + std::string(57, 'b'),
           "longer than 254 characters", false},
      },
      normalise_address);
}

TEST(IdentityNames, Logins) {
  auto with_default = [](std::string_view login) { return normalise_login(login, "Example.ORG"); };
  run_table(
      {
          {"John", "john@example.org", true},
          {"john@other.example", "john@other.example", true},
          {"John@Bücher.Example", "john@xn--bcher-kva.example", true},
          {"", "invalid local part '': empty", false},
          {"jo hn", "invalid login 'jo hn'", false},
          {"a@b@c", "more than one '@'", false},
      },
      with_default);
  auto const no_default = normalise_login("john", "");
  ASSERT_FALSE(no_default);
  EXPECT_NE(no_default.error().context.find("no default domain"), std::string::npos);
  auto const bad_default = normalise_login("john", "bad domain");
  ASSERT_FALSE(bad_default);
  EXPECT_NE(bad_default.error().context.find("default domain"), std::string::npos);
}

}  // namespace
}  // namespace posta::identity
