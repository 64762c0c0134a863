// Tests of self-signed certificate generation and of the server TLS context,
// on real files in a temporary directory.
#include "core/net/tls.hpp"

#include <boost/asio/ssl/context.hpp>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace posta::net {
namespace {

namespace fs = std::filesystem;

std::string slurp(fs::path const& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<X509, decltype(&X509_free)> load_cert(fs::path const& p) {
  std::unique_ptr<FILE, decltype(&fclose)> f(fopen(p.c_str(), "r"), &fclose);
  X509* x = f ? PEM_read_X509(f.get(), nullptr, nullptr, nullptr) : nullptr;
  return {x, &X509_free};
}

struct tls_cert_fixture : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("posta-cert-test-" + std::to_string(::getpid()));
  fs::path cert = dir / "sub" / "cert.pem";
  fs::path key = dir / "sub" / "key.pem";
  void TearDown() override { fs::remove_all(dir); }
};

TEST_F(tls_cert_fixture, generates_key_0600_and_cert_with_both_names) {
  auto r = ensure_self_signed_certificate(cert, key, "mail.example.test");
  ASSERT_TRUE(r) << r.error().message();
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(key.string() + ".tmp"));

  auto x = load_cert(cert);
  ASSERT_TRUE(x);
  EXPECT_EQ(X509_check_host(x.get(), "mail.example.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(x.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_host(x.get(), "other.example.test", 0, 0, nullptr), 1);
  int days = 0, secs = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x.get()), X509_get0_notAfter(x.get())), 1);
  EXPECT_GE(days, 3650);
  EXPECT_EQ(X509_check_purpose(x.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
}

TEST_F(tls_cert_fixture, ip_address_hostname_goes_into_an_ip_san) {
  ASSERT_TRUE(ensure_self_signed_certificate(cert, key, "192.0.2.25"));
  auto x = load_cert(cert);
  ASSERT_TRUE(x);
  EXPECT_EQ(X509_check_ip_asc(x.get(), "192.0.2.25", 0), 1);
}

TEST_F(tls_cert_fixture, existing_files_are_kept) {
  ASSERT_TRUE(ensure_self_signed_certificate(cert, key, "a.example.test"));
  std::string const before = slurp(cert);
  ASSERT_TRUE(ensure_self_signed_certificate(cert, key, "b.example.test"));
  EXPECT_EQ(slurp(cert), before);
}

TEST_F(tls_cert_fixture, a_missing_key_regenerates_both) {
  ASSERT_TRUE(ensure_self_signed_certificate(cert, key, "a.example.test"));
  std::string const before = slurp(cert);
  fs::remove(key);
  ASSERT_TRUE(ensure_self_signed_certificate(cert, key, "a.example.test"));
  EXPECT_NE(slurp(cert), before);
  EXPECT_TRUE(make_server_tls_context(cert, key));  // and they match
}

TEST_F(tls_cert_fixture, hostile_hostnames_are_refused) {
  for (char const* name : {"a.example,DNS:evil.example", "", "x y", "a:b"}) {
    auto r = ensure_self_signed_certificate(cert, key, name);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument)) << name;
  }
}

TEST_F(tls_cert_fixture, context_refuses_missing_and_mismatched_files) {
  auto missing = make_server_tls_context(cert, key);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("cert.pem"), std::string::npos) << missing.error().message();

  ASSERT_TRUE(ensure_self_signed_certificate(cert, key, "a.example.test"));
  fs::path const other_cert = dir / "other" / "cert.pem";
  fs::path const other_key = dir / "other" / "key.pem";
  ASSERT_TRUE(ensure_self_signed_certificate(other_cert, other_key, "b.example.test"));
  auto mismatched = make_server_tls_context(cert, other_key);
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.error().message().find("key"), std::string::npos) << mismatched.error().message();
}

TEST_F(tls_cert_fixture, context_allows_tls12_at_least) {
  ASSERT_TRUE(ensure_self_signed_certificate(cert, key, "a.example.test"));
  auto ctx = make_server_tls_context(cert, key);
  ASSERT_TRUE(ctx) << ctx.error().message();
  SSL_CTX* native = (*ctx)->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(native), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get_options(native) & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(SSL_CTX_get_options(native) & SSL_OP_NO_RENEGOTIATION, 0u);
}

TEST_F(tls_cert_fixture, self_signed_certificate_names_the_loopback_addresses) {
  ASSERT_TRUE(ensure_self_signed_certificate(cert, key, "mail.example.test"));
  auto x = load_cert(cert);
  ASSERT_TRUE(x);
  EXPECT_EQ(X509_check_ip_asc(x.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(x.get(), "::1", 0), 1);
}

TEST_F(tls_cert_fixture, contexts_choose_by_domain_listener_and_keep_the_old_on_a_bad_reload) {
  tls_files files;
  files.server = {dir / "server.pem", dir / "server.key"};
  files.by_listener["https"] = {dir / "https.pem", dir / "https.key"};
  files.by_domain["Example.ORG"] = {dir / "org.pem", dir / "org.key"};
  for (auto const* f : {&files.server, &files.by_listener["https"], &files.by_domain["Example.ORG"]})
    ASSERT_TRUE(ensure_self_signed_certificate(f->cert, f->key, "x.test"));
  tls_contexts contexts;
  EXPECT_EQ(contexts.for_listener("smtp"), nullptr);
  ASSERT_TRUE(contexts.load(files));
  auto server = contexts.for_listener("smtp");
  ASSERT_NE(server, nullptr);
  EXPECT_NE(contexts.for_listener("https"), server);
  auto org = contexts.for_server_name("example.org");
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(contexts.for_server_name("MAIL.example.org."), org);
  EXPECT_EQ(contexts.for_server_name("example.com"), nullptr);
  EXPECT_EQ(contexts.for_server_name("badexample.org"), nullptr);

  files.by_domain["broken.test"] = {dir / "missing.pem", dir / "missing.key"};
  auto r = contexts.load(files);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("broken.test"), std::string::npos) << r.error().message();
  EXPECT_EQ(contexts.for_listener("smtp"), server);  // the old generation stays
  EXPECT_EQ(contexts.for_server_name("example.org"), org);
}

TEST(net_describe_tls, plaintext_is_empty) { EXPECT_EQ(describe_tls(nullptr), ""); }

}  // namespace
}  // namespace posta::net
