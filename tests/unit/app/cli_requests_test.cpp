// Each CLI verb's admin API request: method, encoded target, JSON body.
#include "app/cli/requests.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace posta::cli {
namespace {

boost::json::value body_of(api_call const& c) { return boost::json::parse(c.body.value()); }

TEST(CliRequests, ListsShowsRemovals) {
  struct row {
    api_call call;
    std::string_view method, target;
    output shown;
  };
  for (auto const& r : std::initializer_list<row>{
           {list_call(resource::domain), "GET", "/api/v1/domains", output::list},
           {list_call(resource::account, "example.org"), "GET", "/api/v1/accounts?domain=example.org", output::list},
           {list_call(resource::alias, "b&d.test"), "GET", "/api/v1/aliases?domain=b%26d.test", output::list},
           {list_call(resource::setting), "GET", "/api/v1/settings", output::list},
           {list_call(resource::service), "GET", "/api/v1/services", output::list},
           {show_call(resource::account, "bob@x.test"), "GET", "/api/v1/accounts/bob%40x.test", output::one},
           {show_call(resource::setting, "auth.default_domain"), "GET", "/api/v1/settings/auth.default_domain", output::one},
           {remove_call(resource::group, "g@x.test"), "DELETE", "/api/v1/groups/g%40x.test", output::message},
           {remove_call(resource::domain, "a/b"), "DELETE", "/api/v1/domains/a%2Fb", output::message},
           {group_member_remove_call("g@x", "m@y"), "DELETE", "/api/v1/groups/g%40x/members/m%40y", output::one},
           {service_toggle_call("smtp", true), "POST", "/api/v1/services/smtp/enable", output::one},
           {service_toggle_call("imap", false), "POST", "/api/v1/services/imap/disable", output::one},
       }) {
    EXPECT_EQ(r.call.method, r.method) << r.target;
    EXPECT_EQ(r.call.target, r.target);
    EXPECT_EQ(r.call.shown, r.shown) << r.target;
    EXPECT_FALSE(r.call.body) << r.target;
  }
  EXPECT_EQ(remove_call(resource::alias, "info@x.test").done_message, "removed alias info@x.test");
}

TEST(CliRequests, Bodies) {
  auto add = create_call(resource::account, {{"address", "a@x"}, {"password", "p"}, {"quota_bytes", 5}});
  EXPECT_EQ(add.method, "POST");
  EXPECT_EQ(add.target, "/api/v1/accounts");
  EXPECT_EQ(body_of(add), boost::json::parse(R"({"address":"a@x","password":"p","quota_bytes":5})"));

  auto patch = account_update_call("a@x", {{"enabled", false}});
  EXPECT_EQ(patch.method, "PATCH");
  EXPECT_EQ(patch.target, "/api/v1/accounts/a%40x");
  EXPECT_EQ(body_of(patch), boost::json::parse(R"({"enabled":false})"));

  auto member = group_member_add_call("sales@x", "bob@x");
  EXPECT_EQ(member.target, "/api/v1/groups/sales%40x/members");
  EXPECT_EQ(body_of(member), boost::json::parse(R"({"address":"bob@x"})"));
}

TEST(CliRequests, SettingValuesAreJsonWhenTheyParse) {
  struct row {
    std::string_view text, json;
  };
  for (auto const& r : std::initializer_list<row>{
           {"42", "42"},
           {"true", "true"},
           {"false", "false"},
           {R"(["a","b"])", R"(["a","b"])"},
           {R"("quoted")", R"("quoted")"},
           {"example.org", R"("example.org")"},
           {"hello world", R"("hello world")"},
           {"", R"("")"},
           {"10.0.0.0/8", R"("10.0.0.0/8")"},
       }) {
    auto call = setting_set_call("k.x", r.text);
    EXPECT_EQ(call.method, "PUT");
    EXPECT_EQ(call.target, "/api/v1/settings/k.x");
    EXPECT_EQ(body_of(call), boost::json::object({{"value", boost::json::parse(r.json)}})) << r.text;
  }
}

TEST(CliRequests, Journal) {
  EXPECT_EQ(journal_call({}).target, "/api/v1/journal");
  journal_query q;
  q.date = "2024-05-01";
  q.page = 2;
  q.page_size = 50;
  q.level = "error";
  q.service = "smtp";
  auto c = journal_call(q);
  EXPECT_EQ(c.target, "/api/v1/journal?date=2024-05-01&page=2&page_size=50&level=error&service=smtp");
  EXPECT_EQ(c.shown, output::journal);
}

TEST(CliRequests, Queue) {
  EXPECT_EQ(queue_list_call({}).target, "/api/v1/queue");
  queue_query q;
  q.text = "bob@x";
  q.page = 3;
  q.page_size = 20;
  auto list = queue_list_call(q);
  EXPECT_EQ(list.target, "/api/v1/queue?q=bob%40x&page=3&page_size=20");
  EXPECT_EQ(list.shown, output::queue);
  auto show = queue_show_call("a/b");
  EXPECT_EQ(show.method, "GET");
  EXPECT_EQ(show.target, "/api/v1/queue/a%2Fb");
  EXPECT_EQ(show.shown, output::queued);
  struct {
    api_call call;
    std::string_view method, target;
  } const actions[] = {{queue_flush_call(), "POST", "/api/v1/queue/flush"},
                       {queue_resend_call("Q1"), "POST", "/api/v1/queue/Q1/resend"},
                       {queue_delete_call("Q1"), "DELETE", "/api/v1/queue/Q1"},
                       {queue_clear_call(), "DELETE", "/api/v1/queue"}};
  for (auto const& a : actions) {
    EXPECT_EQ(a.call.method, a.method);
    EXPECT_EQ(a.call.target, a.target);
    EXPECT_EQ(a.call.shown, output::queue_action);
    EXPECT_FALSE(a.call.body);
  }
}

}  // namespace
}  // namespace posta::cli
