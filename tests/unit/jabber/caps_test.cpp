// XEP-0115 verification strings: the simple generation example of section
// 5.2, order independence, and the server's element built from its own
// disco#info lists.
#include "jabber/proto/caps.hpp"

#include "jabber/proto/iq_replies.hpp"
#include "jabber/server/caps_ver.hpp"

#include <gtest/gtest.h>

namespace posta::jabber::proto {
namespace {

using ::posta::jabber::server::caps_ver;
using ::posta::jabber::server::is_server_caps_node;
using ::posta::jabber::server::server_caps_element;
using ::posta::jabber::server::server_caps_ver;

TEST(Caps, Xep0115SimpleExample) {
  disco_identity const exodus[] = {{"client", "pc", "", "Exodus 0.9.1"}};
  std::string_view const vars[] = {"http://jabber.org/protocol/muc", "http://jabber.org/protocol/caps"};
  EXPECT_EQ(caps_hash_input(exodus, vars),
            "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<"
            "http://jabber.org/protocol/muc<");
  disco_identity const ids[] = {{"client", "pc", "", "Exodus 0.9.1"}};
  std::string_view const features[] = {"http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
                                       "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc"};
  EXPECT_EQ(caps_ver(ids, features), "QgayPKawpkPSDYmwT/WM94uAlu0=");
}

TEST(Caps, OrderOfTheListsDoesNotMatter) {
  disco_identity const ids[] = {{"client", "pc", "", "Exodus 0.9.1"}};
  std::string_view const features[] = {"http://jabber.org/protocol/muc", "http://jabber.org/protocol/disco#items",
                                       "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info"};
  EXPECT_EQ(caps_ver(ids, features), "QgayPKawpkPSDYmwT/WM94uAlu0=");
  disco_identity const two[] = {{"server", "im", "", "B"}, {"client", "pc", "en", "A"}};
  disco_identity const swapped[] = {{"client", "pc", "en", "A"}, {"server", "im", "", "B"}};
  EXPECT_EQ(caps_ver(two, features), caps_ver(swapped, features));
  EXPECT_NE(caps_ver(two, features), caps_ver(ids, features));
}

TEST(Caps, ServerElementFollowsItsDiscoInfo) {
  auto const ver = caps_ver(server_identities(), server_features());
  EXPECT_EQ(server_caps_ver(), ver);
  EXPECT_EQ(server_caps_element(), "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='" +
                                       std::string(server_caps_node) + "' ver='" + ver + "'/>");
  EXPECT_TRUE(is_server_caps_node(std::string(server_caps_node) + "#" + ver));
  EXPECT_FALSE(is_server_caps_node(std::string(server_caps_node) + "#x" + ver));
  EXPECT_FALSE(is_server_caps_node(server_caps_node));
}

TEST(Caps, DiscoInfoWithTheCapsNodeEchoesIt) {
  std::string_view const features[] = {"urn:xmpp:ping"};
  EXPECT_EQ(format_disco_info_payload(features, "n#v"),
            "<query xmlns='http://jabber.org/protocol/disco#info' node='n#v'><identity category='server' type='im' "
            "name='Posta'/><feature var='urn:xmpp:ping'/></query>");
  EXPECT_EQ(format_disco_items_payload(), "<query xmlns='http://jabber.org/protocol/disco#items'/>");
}

}  // namespace
}  // namespace posta::jabber::proto
