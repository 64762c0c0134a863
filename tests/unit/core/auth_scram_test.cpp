// SCRAM: the RFC 5802 §5 and RFC 7677 §3 example exchanges, stored keys
// checked against values computed outside this code, round trips with an
// independent client written here on raw OpenSSL, and GS2 / message refusals.
#include "core/auth/scram.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace posta::auth {
namespace {

// ---- RFC example exchanges (user "user", password "pencil") ----

struct rfc_exchange {
  scram_hash hash;
  std::string_view salt_b64;
  std::string_view stored_key;  // computed with Python's hashlib/hmac
  std::string_view server_key;
  std::string_view client_first;
  std::string_view server_nonce;
  std::string_view server_first;
  std::string_view client_final;
  std::string_view server_final;
};

rfc_exchange const rfc5802{
    scram_hash::sha1,
    "QSXCR+Q6sek8bf92",
    "6dlGYMOdZcOPutkcNY8U2g7vK9Y=",
    "D+CSWLOshSulAsxiupA+qs2/fTE=",
    "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    "3rfcNHYJY1ZVvWVs7j",
    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

rfc_exchange const rfc7677{
    scram_hash::sha256,
    "W22ZaJ0SNY7soEsUEjb6gQ==",
    "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
    "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
    "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

std::string b64_decode_for_test(std::string_view text) {
  std::string out(text.size(), '\0');
  int const n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<unsigned char const*>(text.data()), static_cast<int>(text.size()));
  std::size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string b64_encode_for_test(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int const n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<unsigned char const*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

scram_credentials rfc_credentials(rfc_exchange const& x) {
  auto const c = compute_scram_credentials_with_salt_blocking("pencil", x.hash, b64_decode_for_test(x.salt_b64));
  EXPECT_TRUE(c);
  return *c;
}

class AuthScramRfc : public ::testing::TestWithParam<rfc_exchange> {};

TEST_P(AuthScramRfc, StoredKeysMatchIndependentComputation) {
  auto const& x = GetParam();
  scram_credentials const c = rfc_credentials(x);
  EXPECT_EQ(c.salt, x.salt_b64);
  EXPECT_EQ(c.iterations, 4096u);
  EXPECT_EQ(c.stored_key, x.stored_key);
  EXPECT_EQ(c.server_key, x.server_key);
}

TEST_P(AuthScramRfc, ReproducesTheExampleExchange) {
  auto const& x = GetParam();
  scram_server server(scram_server_options{.hash = x.hash});
  auto const who = server.start(x.client_first);
  ASSERT_TRUE(who) << who.error().message();
  EXPECT_EQ(who->username, "user");
  EXPECT_EQ(who->authzid, "");
  auto const first = server.server_first(rfc_credentials(x), x.server_nonce);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(*first, x.server_first);
  auto const final_message = server.finish(x.client_final);
  ASSERT_TRUE(final_message) << final_message.error().message();
  EXPECT_EQ(*final_message, x.server_final);
  EXPECT_TRUE(server.is_done());
}

TEST_P(AuthScramRfc, RefusesAWrongPassword) {
  auto const& x = GetParam();
  auto const wrong =
      compute_scram_credentials_with_salt_blocking("pencils", x.hash, b64_decode_for_test(x.salt_b64));
  ASSERT_TRUE(wrong);
  scram_server server(scram_server_options{.hash = x.hash});
  ASSERT_TRUE(server.start(x.client_first));
  ASSERT_TRUE(server.server_first(*wrong, x.server_nonce));
  auto const r = server.finish(x.client_final);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(errc::permission_denied));
  EXPECT_FALSE(server.is_done());
}

TEST_P(AuthScramRfc, RefusesATamperedProofOrNonce) {
  auto const& x = GetParam();
  std::string bad_proof(x.client_final);
  bad_proof[bad_proof.size() - 3] = bad_proof[bad_proof.size() - 3] == 'A' ? 'B' : 'A';
  std::string bad_nonce(x.client_final);
  bad_nonce[bad_nonce.find("r=") + 3] ^= 1;
  std::string const other_server_nonce = "Z" + std::string(x.server_nonce);
  for (auto const& [final_message, nonce] : {std::pair<std::string, std::string>{bad_proof, std::string(x.server_nonce)},
                                             {bad_nonce, std::string(x.server_nonce)},
                                             {std::string(x.client_final), other_server_nonce}}) {
    scram_server server(scram_server_options{.hash = x.hash});
    ASSERT_TRUE(server.start(x.client_first));
    ASSERT_TRUE(server.server_first(rfc_credentials(x), nonce));
    auto const r = server.finish(final_message);
    ASSERT_FALSE(r) << final_message;
    EXPECT_EQ(r.error().code, make_error_code(errc::permission_denied));
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc, AuthScramRfc, ::testing::Values(rfc5802, rfc7677),
                         [](auto const& info) { return info.param.hash == scram_hash::sha1 ? "Rfc5802Sha1" : "Rfc7677Sha256"; });

// ---- An independent client: raw OpenSSL, written from RFC 5802 §3 ----

struct test_client {
  scram_hash hash;
  std::string password;
  std::string gs2_header = "n,,";
  std::string cb_data{};
  std::string client_nonce = "cLiEnTnOnCe123";
  std::string client_first_bare{};
  std::string expected_server_final{};

  EVP_MD const* md() const { return hash == scram_hash::sha1 ? EVP_sha1() : EVP_sha256(); }

  std::string mac(std::string_view key, std::string_view data) const {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md(), key.data(), static_cast<int>(key.size()), reinterpret_cast<unsigned char const*>(data.data()),
         data.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  }

  std::string first(std::string_view escaped_username) {
    client_first_bare = "n=" + std::string(escaped_username) + ",r=" + client_nonce;
    return gs2_header + client_first_bare;
  }

  // Parses r=, s=, i= and builds the client-final-message with its proof.
  std::string final_message(std::string const& server_first) {
    std::size_t const s_at = server_first.find(",s=");
    std::size_t const i_at = server_first.find(",i=");
    std::string const nonce = server_first.substr(2, s_at - 2);
    std::string const salt = b64_decode_for_test(server_first.substr(s_at + 3, i_at - s_at - 3));
    int const iterations = std::stoi(server_first.substr(i_at + 3));
    std::string salted(static_cast<std::size_t>(EVP_MD_get_size(md())), '\0');
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                      reinterpret_cast<unsigned char const*>(salt.data()), static_cast<int>(salt.size()), iterations,
                      md(), static_cast<int>(salted.size()), reinterpret_cast<unsigned char*>(salted.data()));
    std::string const client_key = mac(salted, "Client Key");
    unsigned char stored[EVP_MAX_MD_SIZE];
    unsigned int stored_len = 0;
    EVP_Digest(client_key.data(), client_key.size(), stored, &stored_len, md(), nullptr);
    std::string const without_proof = "c=" + b64_encode_for_test(gs2_header + cb_data) + ",r=" + nonce;
    std::string const auth_message = client_first_bare + "," + server_first + "," + without_proof;
    std::string proof = mac(std::string(reinterpret_cast<char*>(stored), stored_len), auth_message);
    for (std::size_t i = 0; i < proof.size(); ++i) proof[i] ^= client_key[i];
    expected_server_final = "v=" + b64_encode_for_test(mac(mac(salted, "Server Key"), auth_message));
    return without_proof + ",p=" + b64_encode_for_test(proof);
  }
};

struct round_trip_case {
  scram_hash hash;
  std::string_view password;
  std::string_view escaped_username;
  std::string_view username;
  std::string_view gs2_header;
  std::string_view authzid;
};

class AuthScramRoundTrip : public ::testing::TestWithParam<round_trip_case> {};

TEST_P(AuthScramRoundTrip, IndependentClientAuthenticates) {
  auto const& rt = GetParam();
  auto const credentials = compute_scram_credentials_blocking(rt.password, rt.hash, 4096);
  ASSERT_TRUE(credentials) << credentials.error().message();
  test_client client{.hash = rt.hash, .password = std::string(rt.password), .gs2_header = std::string(rt.gs2_header)};
  scram_server server(scram_server_options{.hash = rt.hash});

  auto const who = server.start(client.first(rt.escaped_username));
  ASSERT_TRUE(who) << who.error().message();
  EXPECT_EQ(who->username, rt.username);
  EXPECT_EQ(who->authzid, rt.authzid);
  auto const first = server.server_first(*credentials, "SeRvErNoNcE+/=");
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(first->starts_with("r=cLiEnTnOnCe123SeRvErNoNcE+/=,s=" + credentials->salt + ",i=4096"));
  auto const last = server.finish(client.final_message(*first));
  ASSERT_TRUE(last) << last.error().message();
  EXPECT_EQ(*last, client.expected_server_final);
}

INSTANTIATE_TEST_SUITE_P(
    Clients, AuthScramRoundTrip,
    ::testing::Values(round_trip_case{scram_hash::sha1, "pencil", "user", "user", "n,,", ""},
                      round_trip_case{scram_hash::sha256, "pencil", "user", "user", "n,,", ""},
                      round_trip_case{scram_hash::sha256, "p@ss,word=1", "a=2Cb=3Dc", "a,b=c", "n,,", ""},
                      round_trip_case{scram_hash::sha256, "pencil", "admin", "admin", "n,a=bob@example.org,",
                                      "bob@example.org"},
                      round_trip_case{scram_hash::sha1, "pencil", "user", "user", "y,,", ""},
                      round_trip_case{scram_hash::sha256, "Grüße", "jürgen", "jürgen", "n,,", ""}));

// ---- Channel binding (-PLUS) ----

scram_server_options plus_options() {
  return scram_server_options{.hash = scram_hash::sha256,
                              .plus = true,
                              .channel_binding = scram_channel_binding{"tls-exporter", std::string("\x01\x02\xff\x00", 4)}};
}

TEST(AuthScramPlus, BindsToTheConnection) {
  auto const credentials = compute_scram_credentials_blocking("pencil", scram_hash::sha256);
  ASSERT_TRUE(credentials);
  test_client client{.hash = scram_hash::sha256, .password = "pencil", .gs2_header = "p=tls-exporter,,",
                     .cb_data = std::string("\x01\x02\xff\x00", 4)};
  scram_server server(plus_options());
  ASSERT_TRUE(server.start(client.first("user")));
  auto const first = server.server_first(*credentials, "srv");
  ASSERT_TRUE(first);
  auto const last = server.finish(client.final_message(*first));
  ASSERT_TRUE(last) << last.error().message();
  EXPECT_EQ(*last, client.expected_server_final);
}

TEST(AuthScramPlus, RefusesBindingDataOfAnotherConnection) {
  auto const credentials = compute_scram_credentials_blocking("pencil", scram_hash::sha256);
  ASSERT_TRUE(credentials);
  test_client client{.hash = scram_hash::sha256, .password = "pencil", .gs2_header = "p=tls-exporter,,",
                     .cb_data = "someone else's TLS session"};
  scram_server server(plus_options());
  ASSERT_TRUE(server.start(client.first("user")));
  auto const first = server.server_first(*credentials, "srv");
  ASSERT_TRUE(first);
  auto const last = server.finish(client.final_message(*first));
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, make_error_code(errc::permission_denied));
}

TEST(AuthScramPlus, RefusesAGs2HeaderThatDoesNotMatchTheFinalMessage) {
  // The client claims "n" first and then sends c= for "y": an attacker's edit.
  auto const credentials = compute_scram_credentials_blocking("pencil", scram_hash::sha256);
  ASSERT_TRUE(credentials);
  test_client client{.hash = scram_hash::sha256, .password = "pencil"};
  scram_server server(scram_server_options{.hash = scram_hash::sha256});
  ASSERT_TRUE(server.start(client.first("user")));
  auto const first = server.server_first(*credentials, "srv");
  ASSERT_TRUE(first);
  client.gs2_header = "y,,";
  EXPECT_FALSE(server.finish(client.final_message(*first)));
}

struct gs2_case {
  std::string_view name;
  scram_server_options options;
  std::string_view client_first;
  bool accepted;
  errc code;  // when refused
};

TEST(AuthScramGs2, ChannelBindingFlagTable) {
  scram_channel_binding const cb{"tls-exporter", "data"};
  scram_server_options const plain{};
  scram_server_options const plain_with_cb{.channel_binding = cb};
  scram_server_options const plus{.plus = true, .channel_binding = cb};
  scram_server_options const plus_without_cb{.plus = true};
  gs2_case const cases[] = {
      {"n without cb", plain, "n,,n=u,r=x", true, errc::ok},
      {"n while cb offered", plain_with_cb, "n,,n=u,r=x", true, errc::ok},
      {"y without cb", plain, "y,,n=u,r=x", true, errc::ok},
      {"y while cb offered: downgrade", plain_with_cb, "y,,n=u,r=x", false, errc::permission_denied},
      {"p on non-PLUS", plain_with_cb, "p=tls-exporter,,n=u,r=x", false, errc::protocol_error},
      {"p on PLUS", plus, "p=tls-exporter,,n=u,r=x", true, errc::ok},
      {"p of another type", plus, "p=tls-unique,,n=u,r=x", false, errc::permission_denied},
      {"p without cb data", plus_without_cb, "p=tls-exporter,,n=u,r=x", false, errc::permission_denied},
      {"n on PLUS", plus, "n,,n=u,r=x", false, errc::protocol_error},
      {"y on PLUS", plus, "y,,n=u,r=x", false, errc::protocol_error},
      {"empty p", plus, "p=,,n=u,r=x", false, errc::protocol_error},
      {"bad flag", plain, "x,,n=u,r=x", false, errc::protocol_error},
      {"p without =", plus, "p,,n=u,r=x", false, errc::protocol_error},
  };
  for (auto const& c : cases) {
    scram_server server(c.options);
    auto const r = server.start(c.client_first);
    EXPECT_EQ(static_cast<bool>(r), c.accepted) << c.name;
    if (!r && !c.accepted) {
      EXPECT_EQ(r.error().code, make_error_code(c.code)) << c.name;
    }
  }
}

struct first_case {
  std::string_view client_first;
  std::string_view username;  // empty: refused with protocol_error
  std::string_view authzid = "";
};

TEST(AuthScramClientFirst, ParsesAndRefuses) {
  first_case const cases[] = {
      {"n,,n=user,r=abc", "user"},
      {"n,,n=us=3Der,r=abc", "us=er"},
      {"n,,n=us=2Cer,r=abc", "us,er"},
      {"n,a=x=2Cy,n=user,r=abc", "user", "x,y"},
      {"n,,n=user,r=abc,x=ext", "user"},           // unknown optional extension: ignored
      {"n,,n=user,r=abc,e", ""},                   // not an attr-val
      {"n,,m=must,n=user,r=abc", ""},              // mandatory extension
      {"n,,n=us=41er,r=abc", ""},                  // '=' not followed by 2C or 3D
      {"n,,n=us=2,r=abc", ""},                     // truncated escape
      {"n,,n=,r=abc", ""},                         // empty name
      {"n,,n=user", ""},                           // no nonce
      {"n,,n=user,r=", ""},                        // empty nonce
      {"n,,r=abc,n=user", ""},                     // wrong order
      {"n,,n=user,r=a\x01" "b", ""},               // nonce not printable
      {"n,,n=user,r=a b", ""},
      {"n,b=x,n=user,r=abc", ""},                  // authzid without a=
      {"n,a=,n=user,r=abc", ""},                   // empty authzid
      {"n,,n=us\x07r,r=abc", ""},                  // control character: SASLprep refuses
      {"n,,n=\xff\xfe,r=abc", ""},                 // not UTF-8
      {"n,n=user,r=abc", ""},                      // GS2 header missing its second comma
      {"n", ""},
      {"", ""},
  };
  for (auto const& c : cases) {
    scram_server server(scram_server_options{});
    auto const r = server.start(c.client_first);
    if (c.username.empty()) {
      ASSERT_FALSE(r) << c.client_first;
      EXPECT_EQ(r.error().code, make_error_code(errc::protocol_error)) << c.client_first;
    } else {
      ASSERT_TRUE(r) << c.client_first << ": " << r.error().message();
      EXPECT_EQ(r->username, c.username);
      EXPECT_EQ(r->authzid, c.authzid);
    }
  }
}

TEST(AuthScramClientFirst, SaslprepMapsNonAsciiSpaceInUsernames) {
  scram_server server(scram_server_options{});
  auto const r = server.start("n,,n=a\xc2\xa0" "b,r=abc");  // U+00A0 NO-BREAK SPACE
  ASSERT_TRUE(r);
  EXPECT_EQ(r->username, "a b");
}

TEST(AuthScramClientFirst, RefusesOversizedMessages) {
  scram_server server(scram_server_options{});
  std::string const huge = "n,,n=user,r=" + std::string(max_scram_message_bytes, 'a');
  EXPECT_FALSE(server.start(huge));
}

TEST(AuthScramServer, EnforcesTheOrderOfSteps) {
  auto const credentials = compute_scram_credentials_blocking("pencil", scram_hash::sha256);
  ASSERT_TRUE(credentials);
  {
    scram_server server(scram_server_options{});
    EXPECT_FALSE(server.server_first(*credentials, "n"));
  }
  {
    scram_server server(scram_server_options{});
    EXPECT_FALSE(server.finish("c=biws,r=x,p=AAAA"));
  }
  {
    scram_server server(scram_server_options{});
    ASSERT_TRUE(server.start("n,,n=user,r=abc"));
    EXPECT_FALSE(server.start("n,,n=user,r=abc"));
    EXPECT_FALSE(server.server_first(*credentials, "n"));  // a failure is final
  }
}

TEST(AuthScramServer, RefusesCredentialsOfTheWrongHashOrANonceWithComma) {
  auto const sha1 = compute_scram_credentials_blocking("pencil", scram_hash::sha1);
  auto const sha256 = compute_scram_credentials_blocking("pencil", scram_hash::sha256);
  ASSERT_TRUE(sha1 && sha256);
  scram_server a(scram_server_options{.hash = scram_hash::sha256});
  ASSERT_TRUE(a.start("n,,n=user,r=abc"));
  EXPECT_FALSE(a.server_first(*sha1, "srv"));
  scram_server b(scram_server_options{.hash = scram_hash::sha256});
  ASSERT_TRUE(b.start("n,,n=user,r=abc"));
  EXPECT_FALSE(b.server_first(*sha256, "s,rv"));
}

TEST(AuthScramServer, RefusesMalformedFinalMessages) {
  std::string_view const bad[] = {
      "",
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j",                  // no proof
      "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",  // no c=
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJ",      // short proof
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=!!!!",
      "c=bi ws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
  };
  for (auto const text : bad) {
    scram_server server(scram_server_options{.hash = scram_hash::sha1});
    ASSERT_TRUE(server.start(rfc5802.client_first));
    ASSERT_TRUE(server.server_first(rfc_credentials(rfc5802), rfc5802.server_nonce));
    EXPECT_FALSE(server.finish(text)) << text;
  }
}

TEST(AuthScramCredentials, SaslprepAppliesToPasswords) {
  std::string const salt = "0123456789abcdef";
  auto const plain = compute_scram_credentials_with_salt_blocking("IX", scram_hash::sha256, salt);
  auto const soft_hyphen = compute_scram_credentials_with_salt_blocking("I\xc2\xad" "X", scram_hash::sha256, salt);
  ASSERT_TRUE(plain && soft_hyphen);
  EXPECT_EQ(plain->stored_key, soft_hyphen->stored_key);  // RFC 4013 §3 example: maps to "IX"
  EXPECT_FALSE(compute_scram_credentials_with_salt_blocking("a\x07" "b", scram_hash::sha256, salt));  // prohibited
  EXPECT_FALSE(compute_scram_credentials_with_salt_blocking("", scram_hash::sha256, salt));
  EXPECT_FALSE(compute_scram_credentials_with_salt_blocking(std::string(1025, 'x'), scram_hash::sha256, salt));
  EXPECT_FALSE(compute_scram_credentials_with_salt_blocking("pencil", scram_hash::sha256, salt, 1000));
  EXPECT_FALSE(compute_scram_credentials_with_salt_blocking("pencil", scram_hash::sha256, salt, 2'000'000));
}

TEST(AuthScramCredentials, FreshSaltsDiffer) {
  auto const a = compute_scram_credentials_blocking("pencil", scram_hash::sha1);
  auto const b = compute_scram_credentials_blocking("pencil", scram_hash::sha1);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->salt, b->salt);
  EXPECT_NE(a->stored_key, b->stored_key);
  EXPECT_EQ(b64_decode_for_test(a->salt).size(), 16u);
}

TEST(AuthScramCredentials, FakeCredentialsAreStableAndMatchNoPassword) {
  auto const a = fake_scram_credentials("nobody", "server secret", scram_hash::sha256);
  auto const b = fake_scram_credentials("nobody", "server secret", scram_hash::sha256);
  auto const c = fake_scram_credentials("somebody", "server secret", scram_hash::sha256);
  EXPECT_EQ(a.salt, b.salt);
  EXPECT_NE(a.salt, c.salt);
  test_client client{.hash = scram_hash::sha256, .password = "pencil"};
  scram_server server(scram_server_options{});
  ASSERT_TRUE(server.start(client.first("nobody")));
  auto const first = server.server_first(a, "srv");
  ASSERT_TRUE(first) << first.error().message();
  auto const last = server.finish(client.final_message(*first));
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, make_error_code(errc::permission_denied));
}

TEST(AuthScramNames, MechanismNames) {
  EXPECT_EQ(scram_mechanism_name(scram_hash::sha1, false), "SCRAM-SHA-1");
  EXPECT_EQ(scram_mechanism_name(scram_hash::sha1, true), "SCRAM-SHA-1-PLUS");
  EXPECT_EQ(scram_mechanism_name(scram_hash::sha256, false), "SCRAM-SHA-256");
  EXPECT_EQ(scram_mechanism_name(scram_hash::sha256, true), "SCRAM-SHA-256-PLUS");
}

}  // namespace
}  // namespace posta::auth

namespace posta::auth {
namespace {

// Issue 7: "n,a=bob@bars.test,n=alice@bars.test,…" with alice's password must
// not log in (as alice or as bob); an authzid naming alice herself may.
TEST(AuthScramAuthzid, OnlyTheAuthenticatedUser) {
  scram_server server(scram_server_options{});
  auto who = server.start("n,a=bob@bars.test,n=alice@bars.test,r=abcdef");
  ASSERT_TRUE(who);
  EXPECT_EQ(who->authzid, "bob@bars.test");
  EXPECT_FALSE(is_authzid_permitted(*who, "alice@bars.test"));
  EXPECT_FALSE(is_authzid_permitted(*who, ""));
  EXPECT_TRUE(is_authzid_permitted(scram_client_first{"alice@bars.test", ""}, "alice@bars.test"));
  EXPECT_TRUE(is_authzid_permitted(scram_client_first{"alice@bars.test", "alice@bars.test"}, "alice@bars.test"));
  EXPECT_TRUE(is_authzid_permitted(scram_client_first{"alice", "Alice@Bars.Test"}, "alice@bars.test"));
  EXPECT_TRUE(is_authzid_permitted(scram_client_first{"alice", "alice"}, "alice@bars.test"));
  EXPECT_FALSE(is_authzid_permitted(scram_client_first{"alice", "bob"}, "alice@bars.test"));
}

}  // namespace
}  // namespace posta::auth
