// Where the CLI finds the API: URL parsing, listener → URL, TOML, precedence.
#include "app/cli/endpoint.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace posta::cli {
namespace {

TEST(CliApiUrl, Table) {
  struct row {
    std::string_view in, host, port, base, text;
  };
  for (auto const& r : std::initializer_list<row>{
           {"http://127.0.0.1:8080", "127.0.0.1", "8080", "", "http://127.0.0.1:8080"},
           {"http://127.0.0.1:8080/", "127.0.0.1", "8080", "", "http://127.0.0.1:8080"},
           {"http://localhost", "localhost", "80", "", "http://localhost"},
           {"http://[::1]:8080", "::1", "8080", "", "http://[::1]:8080"},
           {"http://[::1]", "::1", "80", "", "http://[::1]"},
           {"http://admin.example.org:81/posta/", "admin.example.org", "81", "/posta", "http://admin.example.org:81/posta"},
       }) {
    auto u = parse_api_url(r.in);
    ASSERT_TRUE(u) << r.in;
    EXPECT_EQ(u->host, r.host) << r.in;
    EXPECT_EQ(u->port, r.port) << r.in;
    EXPECT_EQ(u->base, r.base) << r.in;
    EXPECT_EQ(u->text, r.text) << r.in;
    EXPECT_FALSE(u->tls) << r.in;
  }
  auto https = parse_api_url("https://127.0.0.1:8443/");
  ASSERT_TRUE(https);
  EXPECT_TRUE(https->tls);
  EXPECT_EQ(https->port, "8443");
  EXPECT_EQ(https->text, "https://127.0.0.1:8443");
  auto default_port = parse_api_url("https://admin.example.org");
  ASSERT_TRUE(default_port);
  EXPECT_EQ(default_port->port, "443");
  for (std::string_view bad : {"ftp://x:21", "127.0.0.1:8080", "https://", "http://", "http://:80", "http://x:",
                               "http://x:8o", "http://[::1:80", "http://[::1]x"})
    EXPECT_FALSE(parse_api_url(bad)) << bad;
}

TEST(CliListenerUrl, WildcardsBecomeLoopback) {
  EXPECT_EQ(url_for_listener("127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(url_for_listener("0.0.0.0:9000"), "http://127.0.0.1:9000");
  EXPECT_EQ(url_for_listener(":8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(url_for_listener("[::]:8080"), "http://[::1]:8080");
  EXPECT_EQ(url_for_listener("[::1]:8080"), "http://[::1]:8080");
  EXPECT_EQ(url_for_listener("mail.example.org:80"), "http://mail.example.org:80");
  EXPECT_EQ(url_for_listener("0.0.0.0:8443", "https"), "https://127.0.0.1:8443");
}

TEST(CliBootstrapToml, ReadsListenerAndToken) {
  auto v = read_bootstrap_toml("[server]\ndata_dir = \"/nonexistent\"\n"
                               "[listeners]\nhttp = \"0.0.0.0:9090\"\nsmtp = \"0.0.0.0:25\"\n"
                               "[admin]\ntoken = \"abc\"\n",
                               "posta.toml");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->http_listener, "0.0.0.0:9090");
  EXPECT_EQ(v->token, "abc");
  auto defaults = read_bootstrap_toml("[server]\ndata_dir = \"/nonexistent\"\n", "f");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->http_listener, "127.0.0.1:8080");
  EXPECT_EQ(defaults->token, "");
}

TEST(CliBootstrapToml, ReadsTheGeneratedTokenFromTheDataDir) {
  auto dir = std::filesystem::temp_directory_path() / "posta_cli_token_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "admin-token") << "generated-token\n";
  auto v = read_bootstrap_toml("[server]\ndata_dir = \"" + dir.string() + "\"\n", "f");
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->token, "generated-token");
}

TEST(CliBootstrapToml, SyntaxErrorNamesTheFile) {
  auto v = read_bootstrap_toml("[admin\ntoken = 1", "/etc/posta.toml");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().context.rfind("/etc/posta.toml: ", 0), 0u) << v.error().context;
}

class CliResolve : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("posta_cli_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".toml");
    std::ofstream(path_) << "[server]\ndata_dir = \"/nonexistent\"\n[listeners]\nhttp = \"0.0.0.0:7070\"\n[admin]\ntoken = \"from-file\"\n";
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(CliResolve, FlagsBeatEnvironmentBeatFile) {
  endpoint_inputs in;
  in.flag_config = path_.string();
  auto file_only = resolve_endpoint(in);
  ASSERT_TRUE(file_only);
  EXPECT_EQ(file_only->url, "http://127.0.0.1:7070");
  EXPECT_EQ(file_only->token, "from-file");

  in.env_api = "http://env:1";
  in.env_token = "from-env";
  auto env = resolve_endpoint(in);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->url, "http://env:1");
  EXPECT_EQ(env->token, "from-env");

  in.flag_api = "http://flag:2";
  in.flag_token = "from-flag";
  in.flag_config = "/nonexistent/never-read.toml";  // everything is known: the file is not read
  auto flags = resolve_endpoint(in);
  ASSERT_TRUE(flags);
  EXPECT_EQ(flags->url, "http://flag:2");
  EXPECT_EQ(flags->token, "from-flag");
}

TEST_F(CliResolve, EnvConfigPathAndMissingFiles) {
  endpoint_inputs in;
  in.env_config = path_.string();
  EXPECT_EQ(config_path(in), path_.string());
  auto r = resolve_endpoint(in);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->token, "from-file");

  in.flag_config = "/nonexistent/posta.toml";
  EXPECT_EQ(config_path(in), "/nonexistent/posta.toml");
  auto missing = resolve_endpoint(in);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().context.find("/nonexistent/posta.toml"), std::string::npos);

  endpoint_inputs none;  // ./var/posta.toml absent here: no token anywhere
  EXPECT_EQ(config_path(none), "./var/posta.toml");
  if (!std::filesystem::exists("./var/posta.toml")) {
    auto no_token = resolve_endpoint(none);
    ASSERT_FALSE(no_token);
    EXPECT_NE(no_token.error().context.find("no admin token"), std::string::npos);
    none.env_token = "t";
    auto defaults = resolve_endpoint(none);
    ASSERT_TRUE(defaults);
    EXPECT_EQ(defaults->url, "http://127.0.0.1:8080");
  }
}

TEST(CliResolveHttps, HttpOffMeansHttpsTrustingTheServerCertificate) {
  auto dir = std::filesystem::temp_directory_path() / "posta_cli_https_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "cert.pem") << "not parsed here\n";
  std::ofstream(dir / "posta.toml") << "[server]\ndata_dir = \"" << dir.string() << "\"\n"
                                    << "[listeners]\nhttp = 0\nhttps = \"0.0.0.0:9443\"\n"
                                    << "[tls]\ncert = \"cert.pem\"\nkey = \"key.pem\"\n[admin]\ntoken = \"t\"\n";
  endpoint_inputs in;
  in.flag_config = (dir / "posta.toml").string();
  auto r = resolve_endpoint(in);
  ASSERT_TRUE(r) << r.error().context;
  EXPECT_EQ(r->url, "https://127.0.0.1:9443");
  ASSERT_TRUE(r->trusted_cert);
  EXPECT_EQ(*r->trusted_cert, dir / "cert.pem");

  in.flag_api = "https://127.0.0.1:1";
  in.flag_cacert = "/etc/ssl/other.pem";  // an explicit certificate wins
  auto flagged = resolve_endpoint(in);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(flagged);
  EXPECT_EQ(*flagged->trusted_cert, "/etc/ssl/other.pem");
}

}  // namespace
}  // namespace posta::cli
