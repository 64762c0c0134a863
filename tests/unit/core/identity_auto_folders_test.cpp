// Items of mail.auto_folders: a name, its implied or explicit RFC 6154
// special-use, and the refusals a settings change gets.
#include "core/identity/auto_folders.hpp"

#include <gtest/gtest.h>

namespace posta::identity {
namespace {

TEST(auto_folders, ItemsParse) {
  struct row { std::string item, name, use; };
  for (auto const& r : std::vector<row>{{"Sent", "Sent", "\\Sent"},
                                        {"  junk ", "junk", "\\Junk"},
                                        {"Sent Items \\Sent", "Sent Items", "\\Sent"},
                                        {"Spam \\junk", "Spam", "\\Junk"},
                                        {"Notes", "Notes", ""},
                                        {"Archive", "Archive", "\\Archive"},
                                        {"Entwürfe \\Drafts", "Entwürfe", "\\Drafts"}}) {
    auto f = parse_auto_folder(r.item);
    ASSERT_TRUE(f) << r.item << ": " << f.error().message();
    EXPECT_EQ(f->name, r.name);
    EXPECT_EQ(f->special_use.value_or(""), r.use) << r.item;
  }
}

TEST(auto_folders, BadItemsAreRefused) {
  for (std::string bad : std::vector<std::string>{"", "  ", "a/b", "\\Sent", "X \\Nonsense", "\xff", "a\x01", std::string(256, 'x')}) {
    auto f = parse_auto_folder(bad);
    ASSERT_FALSE(f) << bad;
    EXPECT_EQ(f.error().code, make_error_code(errc::invalid_argument)) << bad;
  }
  EXPECT_TRUE(parse_auto_folder(std::string(255, 'x')));
}

}  // namespace
}  // namespace posta::identity
