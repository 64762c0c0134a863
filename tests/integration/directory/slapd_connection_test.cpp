// directory/ldap against a real OpenLDAP slapd (the harness fixture):
// service and user binds, StartTLS and ldaps:// with CA verification,
// fail-over, a silent server, paged searches and their bound, binary values,
// and RFC 4533 content synchronisation from a cookie.
#include "directory/ldap/connection.hpp"
#include "directory/proto/identity_values.hpp"
#include "tests/integration/directory/directory_server.hpp"
#include "tests/integration/support/test_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace posta::directory::ldap {
namespace {

using namespace std::chrono_literals;
using itest::directory_server;

std::string const data_dir = std::string(POSTA_SOURCE_DIR) + "/tests/integration/directory/data";

class slapd_connection : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new directory_server("slapd"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static server_options options(std::vector<std::string> uris = {}) {
    server_options o;
    o.uris = uris.empty() ? std::vector<std::string>{server_->get("uri")} : std::move(uris);
    o.ca_file = server_->get("ca_file");
    o.timeout = 10s;
    return o;
  }
  static std::unique_ptr<connection> service(server_options const& o = options()) {
    auto c = connection::open_blocking(o, server_->get("service_dn"), server_->get("service_password"));
    if (!c) throw std::runtime_error(c.error().message());
    return std::move(*c);
  }
  static std::string user_dn(std::string const& uid) { return "uid=" + uid + ",ou=people,dc=corp,dc=test"; }

  static directory_server* server_;
};

directory_server* slapd_connection::server_ = nullptr;

TEST_F(slapd_connection, ServiceBindOverStartTls) {
  auto c = service();
  EXPECT_EQ(c->uri(), server_->get("uri"));
  auto dse = c->root_dse_blocking();
  ASSERT_TRUE(dse) << dse.error().message();
  auto const* controls = dse->values("supportedControl");
  ASSERT_NE(controls, nullptr);
  EXPECT_NE(std::find(controls->begin(), controls->end(), "1.3.6.1.4.1.4203.1.9.1.1"), controls->end());  // RFC 4533
}

TEST_F(slapd_connection, ServiceBindOverLdaps) {
  auto c = service(options({server_->get("ldaps_uri")}));
  EXPECT_EQ(c->uri(), server_->get("ldaps_uri"));
}

TEST_F(slapd_connection, RefusedServiceBindIsPermissionDenied) {
  auto c = connection::open_blocking(options(), server_->get("service_dn"), "not-the-password");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, make_error_code(errc::permission_denied)) << c.error().message();
  EXPECT_NE(c.error().context.find("49"), std::string::npos) << c.error().context;
}

TEST_F(slapd_connection, UserBinds) {
  auto c = service();
  auto ok = c->bind_blocking(user_dn("alice"), "alice-pw-1");
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_TRUE(ok->ok());
  auto wrong = c->bind_blocking(user_dn("bob"), "not-bobs");
  ASSERT_TRUE(wrong) << wrong.error().message();
  EXPECT_EQ(wrong->code, 49);
  auto unknown = c->bind_blocking(user_dn("nobody"), "whatever-pw");
  ASSERT_TRUE(unknown) << unknown.error().message();
  EXPECT_EQ(unknown->code, 49);
  // The connection still works after refusals (the next bind decides).
  auto again = c->bind_blocking(server_->get("service_dn"), server_->get("service_password"));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->ok());
}

// A listener that accepts TCP connections and never says a word.
struct silent_server {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  std::string uri() const { return "ldap://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()); }
};

TEST_F(slapd_connection, EmptyPasswordRefusedWithoutARequest) {
  // Against a server that never answers: a request would end in a timeout,
  // the refusal comes at once with code 49.
  silent_server silent;
  server_options o = options({silent.uri()});
  o.start_tls = false;
  o.timeout = 2s;
  auto c = connection::open_blocking(o, "", "");  // anonymous: connects, sends nothing
  ASSERT_TRUE(c) << c.error().message();
  auto answer = (*c)->bind_blocking(user_dn("alice"), "");
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_EQ(answer->code, 49);
  EXPECT_FALSE(answer->ok());
}

TEST_F(slapd_connection, SilentServerFailsAsUnavailable) {
  silent_server silent;
  server_options o = options({silent.uri()});
  o.timeout = 1s;
  auto c = connection::open_blocking(o, server_->get("service_dn"), server_->get("service_password"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, make_error_code(errc::unavailable)) << c.error().message();
  server_options ldaps = options({"ldaps" + silent.uri().substr(4)});
  ldaps.timeout = 1s;
  auto d = connection::open_blocking(ldaps, server_->get("service_dn"), server_->get("service_password"));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, make_error_code(errc::unavailable)) << d.error().message();
}

TEST_F(slapd_connection, WrongCaFailsAsUnavailable) {
  for (auto const& uri : {server_->get("uri"), server_->get("ldaps_uri")}) {
    server_options o = options({uri});
    o.ca_file = server_->get("wrong_ca_file");
    auto c = connection::open_blocking(o, server_->get("service_dn"), server_->get("service_password"));
    ASSERT_FALSE(c) << uri;
    EXPECT_EQ(c.error().code, make_error_code(errc::unavailable)) << c.error().message();
  }
}

TEST_F(slapd_connection, FailsOverPastADeadPort) {
  std::uint16_t dead;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    dead = a.local_endpoint().port();
  }  // closed: connecting is refused
  std::string dead_uri = "ldap://127.0.0.1:" + std::to_string(dead);
  auto c = service(options({dead_uri, server_->get("uri")}));
  EXPECT_EQ(c->uri(), server_->get("uri"));
  // Only dead servers: unavailable, naming each.
  auto none =
      connection::open_blocking(options({dead_uri}), server_->get("service_dn"), server_->get("service_password"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, make_error_code(errc::unavailable));
}

TEST_F(slapd_connection, PagedSearchBeyondTheServersSizeLimit) {
  std::string ldif = "dn: ou=bulk,dc=corp,dc=test\nobjectClass: organizationalUnit\nou: bulk\n\n";
  for (int i = 0; i < 1200; ++i) {
    auto n = std::to_string(i);
    ldif += "dn: uid=bulk" + n + ",ou=bulk,dc=corp,dc=test\nobjectClass: inetOrgPerson\nuid: bulk" + n + "\ncn: Bulk " +
            n + "\nsn: Bulk\nmail: bulk" + n + "@corp.test\n\n";
  }
  server_->call("add", {boost::json::string(ldif)});
  auto c = service();
  search_request r;
  r.base = "ou=bulk,dc=corp,dc=test";
  r.where = scope::one_level;
  r.filter = "(objectClass=inetOrgPerson)";
  r.attributes = {"uid", "mail"};
  r.page_size = 100;
  auto all = c->search_all_blocking(r);
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(all->size(), 1200u);
  std::set<std::string> uids;
  for (auto const& e : *all) uids.insert(std::string(e.first("uid")));
  EXPECT_EQ(uids.size(), 1200u);

  // Without paging (content sync cannot page) the search asks for its own
  // size limit, not the server's soft one (500), which the hard limit grants.
  r.page_size = 0;
  auto unpaged = c->search_all_blocking(r);
  ASSERT_TRUE(unpaged) << unpaged.error().message();
  EXPECT_EQ(unpaged->size(), 1200u);
  r.max_entries = 1000;
  auto unpaged_bounded = c->search_all_blocking(r);
  ASSERT_FALSE(unpaged_bounded);
  EXPECT_EQ(unpaged_bounded.error().code, make_error_code(errc::limit_exceeded))
      << unpaged_bounded.error().message();

  // Our own bound.
  r.page_size = 100;
  r.max_entries = 1000;
  auto bounded = c->search_all_blocking(r);
  ASSERT_FALSE(bounded);
  EXPECT_EQ(bounded.error().code, make_error_code(errc::limit_exceeded)) << bounded.error().message();
  // The connection is usable after the abandoned search.
  r.filter = "(uid=bulk7)";
  auto one = c->search_all_blocking(r);
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_EQ(one->size(), 1u);
}

TEST_F(slapd_connection, BinaryAttributesRoundTrip) {
  auto c = service();
  search_request r;
  r.base = user_dn("alice");
  r.where = scope::base;
  r.attributes = {"jpegPhoto", "thumbnailPhoto", "memberOf", "sAMAccountName"};
  auto got = c->search_all_blocking(r);
  ASSERT_TRUE(got) << got.error().message();
  ASSERT_EQ(got->size(), 1u);
  auto const& e = got->front();
  EXPECT_EQ(e.first("jpegPhoto"), itest::read_whole_file(data_dir + "/photo.bin"));
  EXPECT_EQ(e.first("thumbnailPhoto"), itest::read_whole_file(data_dir + "/thumb.bin"));
  EXPECT_EQ(e.first("thumbnailPhoto").find('\0') != std::string_view::npos, true);
  EXPECT_EQ(e.first("sAMAccountName"), "alice");
  ASSERT_NE(e.values("memberOf"), nullptr);  // operational, asked by name
  EXPECT_EQ(e.values("memberOf")->size(), 2u);
}

TEST_F(slapd_connection, ContentSyncFromACookie) {
  auto c = service();
  search_request r;
  r.base = "ou=people,dc=corp,dc=test";
  r.filter = "(objectClass=inetOrgPerson)";
  r.attributes = {"uid", "mail", "title", "entryUUID"};
  auto full = c->content_sync_blocking(r, "");
  ASSERT_TRUE(full) << full.error().message();
  EXPECT_TRUE(full->complete_refresh);
  EXPECT_FALSE(full->cookie.empty());
  std::map<std::string, std::string> uuid_of;  // uid -> uuid
  for (auto const& ch : full->changes) {
    EXPECT_EQ(ch.what, change::kind::present);
    EXPECT_EQ(proto::uuid_text(ch.entry.first("entryUUID")), ch.uuid);
    uuid_of[std::string(ch.entry.first("uid"))] = ch.uuid;
  }
  EXPECT_EQ(uuid_of.size(), 4u);  // alice bob carol dave
  ASSERT_TRUE(uuid_of.count("carol"));

  // Nothing changed: nothing to tell.
  auto idle = c->content_sync_blocking(r, full->cookie);
  ASSERT_TRUE(idle) << idle.error().message();
  for (auto const& ch : idle->changes) EXPECT_NE(ch.what, change::kind::modified) << ch.entry.dn;

  server_->call("add_user", {"erin", "erin-pw-5", "erin@corp.test"});
  server_->call("modify", {"dn: " + user_dn("bob") + "\nchangetype: modify\nreplace: title\ntitle: CFO\n"});
  server_->call("delete", {user_dn("carol")});

  auto next = c->content_sync_blocking(r, full->cookie);
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_FALSE(next->cookie.empty());
  EXPECT_NE(next->cookie, full->cookie);
  std::map<std::string, change::kind> seen;  // uid (or uuid for deletions) -> kind
  std::vector<std::string> deleted;
  for (auto const& ch : next->changes) {
    if (ch.what == change::kind::deleted) {
      deleted.push_back(ch.uuid);
    } else if (ch.what == change::kind::modified) {
      seen[std::string(ch.entry.first("uid"))] = ch.what;
      if (ch.entry.first("uid") == "bob") {
        EXPECT_EQ(ch.entry.first("title"), "CFO");
      }
    }
  }
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen.count("erin"));
  EXPECT_TRUE(seen.count("bob"));
  if (next->complete_refresh) {
    // A present phase: carol is gone because she is not named present.
    for (auto const& ch : next->changes) EXPECT_NE(ch.uuid, uuid_of["carol"]);
  } else {
    // The session log named the deletion.
    EXPECT_EQ(deleted, std::vector<std::string>{uuid_of["carol"]});
  }

  // And from the newest cookie: nothing again.
  auto after = c->content_sync_blocking(r, next->cookie);
  ASSERT_TRUE(after) << after.error().message();
  for (auto const& ch : after->changes) EXPECT_NE(ch.what, change::kind::modified) << ch.entry.dn;
}

TEST_F(slapd_connection, PersistentSyncDeliversChangesUntilStopped) {
  auto c = service();
  search_request r;
  r.base = "ou=people,dc=corp,dc=test";
  r.filter = "(objectClass=inetOrgPerson)";
  r.attributes = {"uid", "title"};
  std::mutex m;
  std::condition_variable cv;
  std::vector<sync_pass> passes;
  result<void> outcome = make_error(errc::internal, "not finished");
  bool finished = false;
  std::stop_source stop;
  std::thread runner([&] {
    auto r2 = c->persist_blocking(r, "", stop.get_token(), [&](sync_pass&& p) -> result<void> {
      std::lock_guard lock(m);
      passes.push_back(std::move(p));
      cv.notify_all();
      return {};
    });
    std::lock_guard lock(m);
    outcome = std::move(r2);
    finished = true;
    cv.notify_all();
  });
  auto wait_for = [&](auto pred) {
    std::unique_lock lock(m);
    return cv.wait_for(lock, 60s, [&] { return pred() || finished; }) && pred();
  };
  // The refresh: the whole content, once.
  ASSERT_TRUE(wait_for([&] { return !passes.empty(); })) << outcome.error().message();
  {
    std::lock_guard lock(m);
    EXPECT_TRUE(passes.front().complete_refresh);
    EXPECT_FALSE(passes.front().cookie.empty());
    std::set<std::string> uids;
    for (auto const& ch : passes.front().changes) uids.insert(std::string(ch.entry.first("uid")));
    EXPECT_TRUE(uids.count("alice"));
    EXPECT_TRUE(uids.count("dave"));
  }
  // Changes as they happen.
  server_->call("modify", {"dn: " + user_dn("dave") + "\nchangetype: modify\nreplace: title\ntitle: Intern again\n"});
  server_->call("add_user", {"fred", "fred-pw-6", "fred@corp.test"});
  auto seen = [&](std::string const& uid) {
    for (std::size_t i = 1; i < passes.size(); ++i)
      for (auto const& ch : passes[i].changes)
        if (ch.what == change::kind::modified && ch.entry.first("uid") == uid) return true;
    return false;
  };
  EXPECT_TRUE(wait_for([&] { return seen("dave") && seen("fred"); }));
  {
    std::lock_guard lock(m);
    EXPECT_FALSE(passes.back().cookie.empty());
    EXPECT_NE(passes.back().cookie, passes.front().cookie);
  }
  stop.request_stop();
  runner.join();
  EXPECT_TRUE(outcome) << outcome.error().message();
}

}  // namespace
}  // namespace posta::directory::ldap
