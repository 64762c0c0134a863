// TLS certificates and server contexts on OpenSSL 3: see tls.hpp.
#include "core/net/tls.hpp"

#include "core/util/atomic_file.hpp"
#include "core/util/ascii.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

namespace posta::net {
namespace fs = std::filesystem;
namespace ssl = boost::asio::ssl;

namespace {

struct openssl_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <class T>
using owned = std::unique_ptr<T, openssl_free>;

// The OpenSSL error queue as text, emptied, after our own context.
error tls_error(std::string context) {
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    context += std::string("; ") + buf;
  }
  return make_error(errc::internal, std::move(context));
}

// SECURITY: the hostname is pasted into an OpenSSL extension string, where
// ',' or ':' would add names; only plain DNS characters are allowed.
bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

result<std::string> subject_alt_names(std::string_view hostname) {
  boost::system::error_code ec;
  auto const ip = boost::asio::ip::make_address(std::string(hostname), ec);
  std::string san;
  if (!ec) san = "IP:" + ip.to_string();
  else if (is_dns_name(hostname)) san = "DNS:" + std::string(hostname);
  else return make_error(errc::invalid_argument, "certificate hostname '" + std::string(hostname) + "'");
  // Local tools (the CLI, tests) reach the server through loopback and check
  // the name they dialled.
  if (hostname != "localhost") san += ",DNS:localhost";
  if (ec || ip.to_string() != "127.0.0.1") san += ",IP:127.0.0.1";
  if (ec || ip.to_string() != "::1") san += ",IP:::1";
  return san;
}

result<void> add_extension(X509* cert, int nid, std::string const& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return tls_error("certificate extension " + value);
  return {};
}

result<void> set_random_serial(X509* cert) {
  owned<BIGNUM> bn(BN_new());
  if (!bn || BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)))
    return tls_error("certificate serial");
  return {};
}

result<void> set_name_and_validity(X509* cert, std::string_view hostname) {
  long const ten_years = 10L * 366 * 24 * 3600;
  X509_NAME* name = X509_get_subject_name(cert);
  std::string const cn(hostname.substr(0, 64));  // X.520 bound on commonName
  if (X509_set_version(cert, X509_VERSION_3) != 1 ||
      !X509_gmtime_adj(X509_getm_notBefore(cert), 0) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert), ten_years) ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<unsigned char const*>(cn.c_str()), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert, name) != 1)
    return tls_error("certificate fields");
  return {};
}

result<owned<X509>> make_certificate(EVP_PKEY* key, std::string_view hostname) {
  auto san = subject_alt_names(hostname);
  if (!san) return san.error();
  owned<X509> cert(X509_new());
  if (!cert) return tls_error("X509_new");
  if (auto r = set_random_serial(cert.get()); !r) return r.error();
  if (auto r = set_name_and_validity(cert.get(), hostname); !r) return r.error();
  if (X509_set_pubkey(cert.get(), key) != 1) return tls_error("certificate key");
  for (auto const& [nid, value] : {std::pair{NID_subject_alt_name, *san},
                                   std::pair{NID_basic_constraints, std::string("critical,CA:FALSE")},
                                   std::pair{NID_key_usage, std::string("critical,digitalSignature")},
                                   std::pair{NID_ext_key_usage, std::string("serverAuth")}}) {
    if (auto r = add_extension(cert.get(), nid, value); !r) return r.error();
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) return tls_error("certificate signature");
  return cert;
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long const n = BIO_get_mem_data(bio, &data);
  return std::string(data, n > 0 ? static_cast<std::size_t>(n) : 0);
}

result<void> write_key_and_certificate(fs::path const& cert_path, fs::path const& key_path,
                                       EVP_PKEY* key, X509* cert) {
  owned<BIO> key_pem(BIO_new(BIO_s_mem()));
  owned<BIO> cert_pem(BIO_new(BIO_s_mem()));
  if (!key_pem || !cert_pem ||
      PEM_write_bio_PrivateKey(key_pem.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_X509(cert_pem.get(), cert) != 1)
    return tls_error("PEM encoding");
  std::error_code ec;
  for (auto const& p : {cert_path, key_path}) {
    if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  }
  // DURABILITY: each file whole or absent after a crash; a key without its
  // certificate (or the reverse) is made again at the next start.
  if (auto r = util::write_file_atomically(key_path, bio_contents(key_pem.get()), 0600); !r) return r;
  return util::write_file_atomically(cert_path, bio_contents(cert_pem.get()), 0644);
}

}  // namespace

result<void> ensure_self_signed_certificate(fs::path const& cert_path, fs::path const& key_path,
                                            std::string_view hostname) {
  std::error_code ec;
  if (fs::exists(cert_path, ec) && fs::exists(key_path, ec)) return {};
  owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return tls_error("generate P-256 key");
  auto cert = make_certificate(key.get(), hostname);
  if (!cert) return cert.error();
  return write_key_and_certificate(cert_path, key_path, key.get(), cert->get());
}

namespace {

// SECURITY: TLS 1.2 and 1.3 only (RFC 8996); forward-secret AEAD suites for
// TLS 1.2 (RFC 7525 §4.2); no compression (CRIME); no renegotiation (a
// client-driven CPU drain and the old renegotiation attacks).
result<void> harden(SSL_CTX* ctx) {
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 |
                               SSL_OP_NO_TLSv1_1);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return tls_error("minimum TLS version");
  char const* const tls12 = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL";
  if (SSL_CTX_set_cipher_list(ctx, tls12) != 1) return tls_error("TLS 1.2 ciphers");
  SSL_CTX_set_dh_auto(ctx, 1);
  return {};
}

}  // namespace

namespace {

result<std::shared_ptr<ssl::context>> new_context(ssl::context::method method) {
  try {
    return std::make_shared<ssl::context>(method);
  } catch (std::exception const& e) {  // Asio throws only if SSL_CTX_new fails
    return tls_error(std::string("TLS context: ") + e.what());
  }
}

}  // namespace

result<std::shared_ptr<ssl::context>> make_server_tls_context(fs::path const& cert_path,
                                                              fs::path const& key_path) {
  auto ctx = POSTA_TRY(new_context(ssl::context::tls_server));
  if (auto r = harden(ctx->native_handle()); !r) return r.error();
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_path.string(), ec);
  if (ec) return make_error(ec, "TLS certificate " + cert_path.string());
  ctx->use_private_key_file(key_path.string(), ssl::context::pem, ec);
  if (ec) return make_error(ec, "TLS key " + key_path.string());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return tls_error("TLS key " + key_path.string() + " does not match " + cert_path.string());
  return ctx;
}

std::string describe_tls(ssl_st const* ssl) {
  if (ssl == nullptr) return {};
  std::string version = SSL_get_version(ssl);  // "TLSv1.3"
  if (auto v = version.find('v'); v != std::string::npos) version.erase(v, 1);
  SSL_CIPHER const* cipher = SSL_get_current_cipher(ssl);
  return cipher ? version + " " + SSL_CIPHER_get_name(cipher) : version;
}

// ---- the server's contexts, with SNI -------------------------------------

struct tls_contexts::generation {
  std::shared_ptr<ssl::context> server;
  std::map<std::string, std::shared_ptr<ssl::context>, std::less<>> by_listener;
  std::map<std::string, std::shared_ptr<ssl::context>, std::less<>> by_domain;
};

namespace {

std::string lowercase_name(std::string_view name) {
  std::string out = util::ascii_lowercase(name);
  while (!out.empty() && out.back() == '.') out.pop_back();  // an absolute name
  return out;
}

result<std::shared_ptr<ssl::context>> load_context(certificate_files const& f, std::string const& what) {
  auto ctx = make_server_tls_context(f.cert, f.key);
  if (!ctx) return make_error(ctx.error().code, what + ": " + ctx.error().context);
  return ctx;
}

}  // namespace

int tls_contexts::on_server_name(SSL* ssl, int*, void* self) {
  char const* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_NOACK;
  auto ctx = static_cast<tls_contexts const*>(self)->for_server_name(name);
  // SSL_set_SSL_CTX takes its own reference: the context outlives a reload.
  if (ctx && SSL_set_SSL_CTX(ssl, ctx->native_handle()) == nullptr) return SSL_TLSEXT_ERR_ALERT_FATAL;
  // An unknown name is not fatal: the client sees the listener's certificate
  // and decides itself (RFC 6066 §3 leaves this to the server).
  return SSL_TLSEXT_ERR_OK;
}

result<void> tls_contexts::load(tls_files const& files) {
  auto next = std::make_shared<generation>();
  next->server = POSTA_TRY(load_context(files.server, "[tls]"));
  for (auto const& [listener, f] : files.by_listener)
    next->by_listener[listener] = POSTA_TRY(load_context(f, "[tls." + listener + "]"));
  for (auto const& [domain, f] : files.by_domain)
    next->by_domain[lowercase_name(domain)] = POSTA_TRY(load_context(f, "[tls.domain.\"" + domain + "\"]"));
  // Every context a handshake can start on chooses by SNI.
  auto with_sni = [this](ssl::context& c) {
    SSL_CTX_set_tlsext_servername_callback(c.native_handle(), &tls_contexts::on_server_name);
    SSL_CTX_set_tlsext_servername_arg(c.native_handle(), this);
  };
  with_sni(*next->server);
  for (auto& [listener, c] : next->by_listener) with_sni(*c);
  std::lock_guard lock(mutex_);
  current_ = std::move(next);
  return {};
}

std::shared_ptr<ssl::context> tls_contexts::for_listener(std::string_view listener) const {
  std::lock_guard lock(mutex_);
  if (!current_) return nullptr;
  auto it = current_->by_listener.find(listener);
  return it != current_->by_listener.end() ? it->second : current_->server;
}

std::shared_ptr<ssl::context> tls_contexts::for_server_name(std::string_view server_name) const {
  std::string name = lowercase_name(server_name);
  std::lock_guard lock(mutex_);
  if (!current_ || current_->by_domain.empty()) return nullptr;
  // "mail.example.org", then "example.org", then "org".
  for (std::string_view n = name; !n.empty();) {
    if (auto it = current_->by_domain.find(n); it != current_->by_domain.end()) return it->second;
    auto dot = n.find('.');
    n = dot == std::string_view::npos ? std::string_view{} : n.substr(dot + 1);
  }
  return nullptr;
}

// ---- the client side -----------------------------------------------------

result<std::shared_ptr<ssl::context>> make_client_tls_context(std::optional<fs::path> const& trusted_cert) {
  auto ctx = POSTA_TRY(new_context(ssl::context::tls_client));
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1)
    return tls_error("minimum TLS version");
  boost::system::error_code ec;
  if (trusted_cert) ctx->load_verify_file(trusted_cert->string(), ec);
  else ctx->set_default_verify_paths(ec);
  if (ec) return make_error(ec, "trusted certificates " + (trusted_cert ? trusted_cert->string() : "of the system"));
  ctx->set_verify_mode(ssl::verify_peer);  // SECURITY: an unverified server could steal the admin token
  return ctx;
}

result<std::shared_ptr<ssl::context>> make_opportunistic_client_tls_context() {
  auto ctx = POSTA_TRY(new_context(ssl::context::tls_client));
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1)
    return tls_error("minimum TLS version");
  ctx->set_verify_mode(ssl::verify_none);  // SECURITY: opportunistic only; see the header
  return ctx;
}

result<void> expect_server_name(SSL* ssl, std::string const& host) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!ec) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) return tls_error("expected IP " + host);
    return {};
  }
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1 || SSL_set1_host(ssl, host.c_str()) != 1)
    return tls_error("expected host name " + host);
  return {};
}

}  // namespace posta::net
