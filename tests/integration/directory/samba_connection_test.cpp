// directory/ldap against a real Active Directory (Samba AD DC from the
// harness fixture): binds over StartTLS and ldaps://, AD's bind diagnostics
// ("data 52e", "data 533") read by proto::parse_ad_diagnostic, paged searches
// that skip AD's referrals, and DirSync passes from a cookie, deletions
// included: what directory/sync/ad_fetch.cpp relies on (a cookie from a
// filter that matches nothing, renames seen through `name`, tombstones only
// for administrators).
#include "directory/ldap/connection.hpp"
#include "directory/proto/bind_refusal.hpp"
#include "directory/proto/identity_values.hpp"
#include "tests/integration/directory/directory_server.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <unistd.h>

namespace posta::directory::ldap {
namespace {

using namespace std::chrono_literals;
using itest::directory_server;

// Samba's LDAP ports are fixed (389/636): only root binds them, unless the
// kernel lets everyone bind ports that low (CI runs as root).
bool can_bind_ldap_ports() {
  if (::geteuid() == 0) return true;
  std::ifstream f("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  int start = 1024;
  f >> start;
  return start <= 389;
}

class samba_connection : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (can_bind_ldap_ports()) server_ = new directory_server("samba");
  }
  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "a Samba AD DC needs root here (its LDAP ports are 389/636)";
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static server_options options(std::string const& uri) {
    server_options o;
    o.uris = {uri};
    o.ca_file = server_->get("ca_file");
    o.timeout = 20s;
    return o;
  }
  static std::unique_ptr<connection> admin(std::string const& uri = server_->get("uri")) {
    auto c = connection::open_blocking(options(uri), server_->get("admin_upn"), server_->get("admin_password"));
    if (!c) throw std::runtime_error(c.error().message());
    return std::move(*c);
  }

  static directory_server* server_;
};

directory_server* samba_connection::server_ = nullptr;

TEST_F(samba_connection, AdminBindsOverStartTlsAndLdaps) {
  auto c = admin();
  auto dse = c->root_dse_blocking();
  ASSERT_TRUE(dse) << dse.error().message();
  EXPECT_FALSE(dse->first("highestCommittedUSN").empty());
  auto d = admin(server_->get("ldaps_uri"));
  EXPECT_EQ(d->uri(), server_->get("ldaps_uri"));
  // The DN form of the name works as well.
  auto e = connection::open_blocking(options(server_->get("ldaps_uri")), server_->get("admin_dn"),
                                     server_->get("admin_password"));
  ASSERT_TRUE(e) << e.error().message();
}

TEST_F(samba_connection, WrongCaFailsAsUnavailable) {
  auto o = options(server_->get("uri"));
  o.ca_file = server_->get("wrong_ca_file");
  auto c = connection::open_blocking(o, server_->get("admin_upn"), server_->get("admin_password"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, make_error_code(errc::unavailable)) << c.error().message();
}

TEST_F(samba_connection, BindDiagnosticsNameTheRefusal) {
  server_->call("create_user", {"henry", "Henry-pw-8"}, {{"given_name", "Henry"}, {"mail_address", "henry@corp.test"}});
  auto c = admin();
  auto ok = c->bind_blocking("henry@corp.test", "Henry-pw-8");
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_TRUE(ok->ok()) << ok->diagnostic;

  auto wrong = c->bind_blocking("CORP\\henry", "Wrong-pw-8");
  ASSERT_TRUE(wrong) << wrong.error().message();
  EXPECT_EQ(wrong->code, 49);
  EXPECT_EQ(proto::parse_ad_diagnostic(wrong->diagnostic), proto::bind_refusal::wrong_password) << wrong->diagnostic;

  server_->call("disable_user", {"henry"});
  auto disabled = c->bind_blocking("henry@corp.test", "Henry-pw-8");
  ASSERT_TRUE(disabled) << disabled.error().message();
  EXPECT_EQ(disabled->code, 49);
  EXPECT_EQ(proto::parse_ad_diagnostic(disabled->diagnostic), proto::bind_refusal::disabled) << disabled->diagnostic;

  // Empty password: refused here, never sent (AD would take it as anonymous).
  auto empty = c->bind_blocking("henry@corp.test", "");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->code, 49);
}

TEST_F(samba_connection, PagedSubtreeSearchSkipsReferrals) {
  for (auto const& name : {"ivy", "jack", "kim"})
    server_->call("create_user", {name, std::string("Pw-") + name + "-Long-9"});
  auto c = admin();
  search_request r;
  r.base = server_->get("base_dn");
  r.filter = "(&(objectCategory=person)(objectClass=user))";
  r.attributes = {"sAMAccountName", "objectGUID", "userAccountControl"};
  r.page_size = 2;
  auto all = c->search_all_blocking(r);
  ASSERT_TRUE(all) << all.error().message();
  std::map<std::string, std::string> guid_of;
  for (auto const& e : *all) {
    auto guid = proto::guid_text(e.first("objectGUID"));
    ASSERT_TRUE(guid) << e.dn;
    guid_of[std::string(e.first("sAMAccountName"))] = *guid;
  }
  for (auto const& name : {"Administrator", "Guest", "krbtgt", "ivy", "jack", "kim"})
    EXPECT_TRUE(guid_of.count(name)) << name;
  EXPECT_EQ(guid_of.size(), all->size());
}

TEST_F(samba_connection, DirSyncPassesFromACookie) {
  server_->call("create_user", {"lena", "Lena-pw-10"}, {{"mail_address", "lena@corp.test"}});
  server_->call("create_user", {"max", "Max-pw-11"}, {{"mail_address", "max@corp.test"}});
  auto c = admin();
  search_request r;
  r.base = server_->get("base_dn");
  r.filter = "(objectClass=user)";
  r.attributes = {"sAMAccountName", "mail", "title", "objectGUID", "isDeleted"};
  auto first = c->dirsync_blocking(r, "");
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(first->complete_refresh);
  EXPECT_FALSE(first->cookie.empty());
  std::map<std::string, std::string> guid_of;
  for (auto const& ch : first->changes) {
    EXPECT_EQ(ch.what, change::kind::present) << ch.entry.dn;
    EXPECT_EQ(proto::guid_text(ch.entry.first("objectGUID")), ch.uuid);
    guid_of[std::string(ch.entry.first("sAMAccountName"))] = ch.uuid;
  }
  ASSERT_TRUE(guid_of.count("lena"));
  ASSERT_TRUE(guid_of.count("max"));

  std::string lena_dn = server_->call("dn_of", {"lena"});
  server_->call("modify", {"dn: " + lena_dn + "\nchangetype: modify\nreplace: title\ntitle: Architect\n"});
  auto second = c->dirsync_blocking(r, first->cookie);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_FALSE(second->complete_refresh);
  EXPECT_FALSE(second->cookie.empty());
  bool saw_lena = false;
  for (auto const& ch : second->changes) {
    // Only what changed since the cookie: lena (the administrator's logon
    // timestamp may come along, never the untouched max).
    EXPECT_NE(ch.uuid, guid_of["max"]);
    if (ch.uuid == guid_of["lena"]) {
      saw_lena = true;
      EXPECT_EQ(ch.what, change::kind::modified);
      EXPECT_EQ(ch.entry.first("title"), "Architect");
    }
  }
  EXPECT_TRUE(saw_lena);

  server_->call("delete_user", {"max"});
  auto third = c->dirsync_blocking(r, second->cookie);
  ASSERT_TRUE(third) << third.error().message();
  bool saw_max = false;
  for (auto const& ch : third->changes) {
    EXPECT_NE(ch.uuid, guid_of["lena"]);
    if (ch.uuid == guid_of["max"]) {
      saw_max = true;
      EXPECT_EQ(ch.what, change::kind::deleted) << ch.entry.dn;
    }
  }
  EXPECT_TRUE(saw_max);
}

// The first pass of a source takes its cookie from a DirSync pass whose
// filter matches nothing: no entry comes, but the cookie covers everything
// there is, so the next pass returns only what changed after it.
TEST_F(samba_connection, DirSyncCookieFromAFilterThatMatchesNothing) {
  server_->call("create_user", {"olga", "Olga-pw-12"}, {{"mail_address", "olga@corp.test"}});
  auto c = admin();
  search_request none;
  none.base = server_->get("base_dn");
  none.filter = "(&(objectClass=user)(objectClass=posta-matches-nothing))";
  none.attributes = {"objectGUID"};
  auto start = c->dirsync_blocking(none, "");
  ASSERT_TRUE(start) << start.error().message();
  EXPECT_TRUE(start->changes.empty());
  ASSERT_FALSE(start->cookie.empty());

  server_->call("create_user", {"nora", "Nora-pw-13"}, {{"mail_address", "nora@corp.test"}});
  search_request users;
  users.base = server_->get("base_dn");
  users.filter = "(objectClass=user)";
  users.attributes = {"sAMAccountName", "mail", "objectGUID", "isDeleted"};
  auto next = c->dirsync_blocking(users, start->cookie);
  ASSERT_TRUE(next) << next.error().message();
  std::vector<std::string> names;
  for (auto const& ch : next->changes) names.emplace_back(ch.entry.first("sAMAccountName"));
  EXPECT_NE(std::find(names.begin(), names.end(), "nora"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "olga"), names.end());  // made before the cookie
  EXPECT_EQ(std::find(names.begin(), names.end(), "Guest"), names.end());
}

// A rename changes the DN and `name` only: DirSync reports it when `name`
// is asked for, with the new DN and the same objectGUID.
TEST_F(samba_connection, DirSyncReportsARenameThroughName) {
  auto const dn = server_->call("create_user", {"paula", "Paula-pw-14"}, {{"mail_address", "paula@corp.test"}});
  auto c = admin();
  search_request r;
  r.base = server_->get("base_dn");
  r.filter = "(objectClass=user)";
  r.attributes = {"mail", "objectGUID", "isDeleted", "name"};
  auto first = c->dirsync_blocking(r, "");
  ASSERT_TRUE(first) << first.error().message();
  std::string paula;
  for (auto const& ch : first->changes)
    if (ch.entry.dn == dn) paula = ch.uuid;
  ASSERT_FALSE(paula.empty());
  server_->call("modify", {"dn: " + dn + "\nchangetype: modrdn\nnewrdn: CN=Paula Renamed\ndeleteoldrdn: 1\n"});
  auto second = c->dirsync_blocking(r, first->cookie);
  ASSERT_TRUE(second) << second.error().message();
  bool seen = false;
  for (auto const& ch : second->changes)
    if (ch.uuid == paula) {
      seen = true;
      EXPECT_EQ(ch.what, change::kind::modified);
      EXPECT_EQ(ch.entry.dn.rfind("CN=Paula Renamed,", 0), 0u) << ch.entry.dn;
    }
  EXPECT_TRUE(seen);
}

// Tombstones are for administrators: a plain service account sees CN=Deleted
// Objects by name only, and DirSync never shows it a deletion (so a source
// bound as such an account finds who is gone by listing who is there).
TEST_F(samba_connection, TombstonesOnlyForAdministrators) {
  server_->call("create_user", {"svc-reader", "Svc-Reader-pw-15"});
  auto svc = connection::open_blocking(options(server_->get("ldaps_uri")), "svc-reader@corp.test", "Svc-Reader-pw-15");
  ASSERT_TRUE(svc) << svc.error().message();
  auto c = admin();
  search_request container;
  container.base = "<WKGUID=18e2ea80684f11d2b9aa00c04f79f805," + server_->get("base_dn") + ">";
  container.where = scope::base;
  container.attributes = {"isDeleted"};
  container.page_size = 0;
  container.show_deleted = true;
  auto as_admin = c->search_all_blocking(container);
  ASSERT_TRUE(as_admin) << as_admin.error().message();
  ASSERT_EQ(as_admin->size(), 1u);
  EXPECT_EQ(as_admin->front().first("isDeleted"), "TRUE");
  auto as_svc = (*svc)->search_all_blocking(container);
  ASSERT_TRUE(as_svc) << as_svc.error().message();
  EXPECT_TRUE(as_svc->empty() || as_svc->front().first("isDeleted").empty());

  server_->call("create_user", {"quentin", "Quentin-pw-16"}, {{"mail_address", "quentin@corp.test"}});
  search_request r;
  r.base = server_->get("base_dn");
  r.filter = "(objectClass=user)";
  r.attributes = {"sAMAccountName", "objectGUID", "isDeleted"};
  auto admin_start = c->dirsync_blocking(r, "");
  auto svc_start = (*svc)->dirsync_blocking(r, "");
  ASSERT_TRUE(admin_start && svc_start);
  server_->call("delete_user", {"quentin"});
  auto deleted_for = [&](connection& conn, std::string const& cookie) {
    auto pass = conn.dirsync_blocking(r, cookie);
    EXPECT_TRUE(pass) << pass.error().message();
    std::size_t n = 0;
    if (pass)
      for (auto const& ch : pass->changes) n += ch.what == change::kind::deleted;
    return n;
  };
  EXPECT_GE(deleted_for(*c, admin_start->cookie), 1u);
  EXPECT_EQ(deleted_for(**svc, svc_start->cookie), 0u);
}

}  // namespace
}  // namespace posta::directory::ldap
