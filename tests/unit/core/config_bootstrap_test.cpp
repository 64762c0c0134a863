// The bootstrap file: defaults, listeners, TLS paths, and refusals.
#include "core/config/bootstrap.hpp"

#include <gtest/gtest.h>

namespace posta::config {
namespace {

TEST(Bootstrap, OnlyDataDirGivesTheDevelopmentDefaults) {
  auto c = parse_bootstrap("[server]\ndata_dir = \"data\"\n", "/etc/posta");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->data_dir, "/etc/posta/data");
  EXPECT_FALSE(c->database_url);
  EXPECT_EQ(c->listeners.at("smtp"), "127.0.0.1:2525");
  EXPECT_EQ(c->listeners.at("http"), "127.0.0.1:8080");
  EXPECT_EQ(c->tls.cert, "/etc/posta/data/tls/cert.pem");
  EXPECT_TRUE(c->admin_token.empty());
  EXPECT_FALSE(c->hostname.empty());
}

TEST(Bootstrap, ListenersTlsDatabaseAndToken) {
  auto c = parse_bootstrap(R"(
[server]
data_dir = "/var/lib/posta"
hostname = "mx.example.org"
[database]
url = "host=db dbname=posta"
[listeners]
smtp = "0.0.0.0:25"
imap = 0
pop3 = "0"
[tls]
cert = "certs/a.pem"
key = "/abs/a.key"
[tls.submission]
cert = "s.pem"
key = "s.key"
[admin]
token = "secret"
)", "/etc/posta");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->hostname, "mx.example.org");
  EXPECT_EQ(*c->database_url, "host=db dbname=posta");
  EXPECT_EQ(c->listeners.at("smtp"), "0.0.0.0:25");
  EXPECT_EQ(c->listeners.at("imap"), "");
  EXPECT_EQ(c->listeners.at("pop3"), "");
  EXPECT_EQ(c->tls.cert, "/etc/posta/certs/a.pem");
  EXPECT_EQ(c->tls.key, "/abs/a.key");
  EXPECT_EQ(c->tls_per_protocol.at("submission").cert, "/etc/posta/s.pem");
  EXPECT_EQ(c->admin_token, "secret");
}

TEST(Bootstrap, Refusals) {
  struct bad {
    char const* toml;
    char const* says;
  };
  for (auto const& b : {bad{"", "data_dir is required"},
                        bad{"[server]\ndata_dir = \"d\"\ncolour = 1\n", "unknown key 'colour'"},
                        bad{"[server]\ndata_dir = \"d\"\n[listeners]\nfinger = \"1:79\"\n", "unknown listener"},
                        bad{"[server]\ndata_dir = \"d\"\n[listeners]\nsmtp = 25\n", "must be"},
                        bad{"[server]\ndata_dir = \"d\"\n[tls.smtp]\ncert = \"c\"\n", "needs cert and key"},
                        bad{"[server\n", "line 1"},
                        bad{"[server]\ndata_dir = \"d\"\n[tls.domain.\"a.test\"]\ncert = \"c\"\n", "needs cert and key"},
                        bad{"[server]\ndata_dir = \"d\"\n[tls.domain.\"a.test\"]\ncert = \"c\"\nkey = \"k\"\nca = 1\n", "unknown key 'ca'"},
                        bad{"[server]\ndata_dir = \"d\"\n[tls]\ndomain = 1\n", "[tls.domain]"},
                        bad{"[server]\ndata_dir = \"d\"\nallow_remote_plain_http = \"yes\"\n", "true or false"}}) {
    auto c = parse_bootstrap(b.toml, "/x");
    ASSERT_FALSE(c) << b.toml;
    EXPECT_NE(c.error().message().find(b.says), std::string::npos) << c.error().message();
  }
}

}  // namespace
TEST(Bootstrap, CertificatesPerDomainForSni) {
  auto c = parse_bootstrap(R"([server]
data_dir = "d"
[tls.domain."example.org"]
cert = "certs/example.org.pem"
key = "certs/example.org.key"
[tls.domain."xmpp.example.net"]
cert = "/abs/x.pem"
key = "/abs/x.key"
)", "/etc/posta");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->tls_per_domain.size(), 2u);
  EXPECT_EQ(c->tls_per_domain.at("example.org").cert, "/etc/posta/certs/example.org.pem");
  EXPECT_EQ(c->tls_per_domain.at("xmpp.example.net").key, "/abs/x.key");
  EXPECT_EQ(c->listeners.at("https"), "127.0.0.1:8443");
}

TEST(Bootstrap, PlainHttpOnlyOnLoopbackUnlessAllowed) {
  auto with_http = [](std::string const& http, bool allow) {
    auto c = parse_bootstrap("[server]\ndata_dir = \"d\"\n" +
                                 std::string(allow ? "allow_remote_plain_http = true\n" : "") +
                                 "[listeners]\nhttp = \"" + http + "\"\n",
                             "/x");
    EXPECT_TRUE(c) << http;
    return check_plain_http(*c);
  };
  for (auto const* loopback : {"127.0.0.1:8080", "127.0.0.9:80", "[::1]:8080", "localhost:8080", "0"})
    EXPECT_TRUE(with_http(loopback, false)) << loopback;
  for (auto const* remote : {"0.0.0.0:8080", "*:8080", ":8080", "192.0.2.7:80", "[::]:8080"}) {
    auto r = with_http(remote, false);
    ASSERT_FALSE(r) << remote;
    EXPECT_NE(r.error().message().find("allow_remote_plain_http"), std::string::npos);
    EXPECT_TRUE(with_http(remote, true)) << remote;
  }
}

}  // namespace posta::config
