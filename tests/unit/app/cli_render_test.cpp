// Human output of API documents: tables for lists, fields for one object.
#include "app/cli/render.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace posta::cli {
namespace {

boost::json::value doc(std::string_view text) { return boost::json::parse(text); }

TEST(CliRender, AccountsTable) {
  auto const d = doc(R"({"accounts": [
    {"address": "alice@example.org", "domain": "example.org", "display_name": "Alice Liddell", "enabled": true,
     "quota_bytes": 2147483648, "used_bytes": 1610612736, "source": "local", "created_at": "2024-05-01"},
    {"address": "bob@example.org", "domain": "example.org", "display_name": "Bob", "enabled": false,
     "quota_bytes": 0, "used_bytes": 512, "source": "directory", "created_at": "2024-05-02"}]})");
  EXPECT_EQ(render_list(resource::account, d),
            "ADDRESS            NAME           ENABLED  QUOTA      USED     SOURCE\n"
            "alice@example.org  Alice Liddell  yes      2 GiB      1.5 GiB  local\n"
            "bob@example.org    Bob            no       unlimited  512 B    directory\n");
}

TEST(CliRender, EmptyListAndUnexpectedDocument) {
  EXPECT_EQ(render_list(resource::domain, doc(R"({"domains": []})")), "no domains\n");
  EXPECT_EQ(render_list(resource::alias, doc(R"({"aliases": []})")), "no aliases\n");
  EXPECT_EQ(render_list(resource::domain, doc(R"({"nope": 1})")), "unexpected answer from the API\n");
}

TEST(CliRender, GroupsListCountsMembersAndDetailListsThem) {
  auto const group = doc(R"({"address": "sales@x.test", "domain": "x.test", "name": "Sales",
                             "members": ["a@x.test", "b@x.test"]})");
  boost::json::object list{{"groups", boost::json::array{group}}};
  EXPECT_EQ(render_list(resource::group, list),
            "ADDRESS       NAME   MEMBERS\n"
            "sales@x.test  Sales  2\n");
  EXPECT_EQ(render_one(resource::group, group),
            "Address:  sales@x.test\n"
            "Name:     Sales\n"
            "Domain:   x.test\n"
            "Members:  a@x.test, b@x.test\n");
}

TEST(CliRender, AccountDetailHasEveryField) {
  auto const a = doc(R"({"address": "alice@x.test", "domain": "x.test", "display_name": "Alice", "enabled": true,
                         "quota_bytes": 0, "used_bytes": 1048576, "source": "local", "created_at": "2024-05-01T10:00:00Z"})");
  EXPECT_EQ(render_one(resource::account, a),
            "Address:  alice@x.test\n"
            "Name:     Alice\n"
            "Enabled:  yes\n"
            "Quota:    unlimited\n"
            "Used:     1 MiB\n"
            "Source:   local\n"
            "Domain:   x.test\n"
            "Created:  2024-05-01T10:00:00Z\n");
}

TEST(CliRender, SettingsValuesOfEveryType) {
  auto const d = doc(R"({"settings": [
    {"key": "auth.default_domain", "value": "x.test", "default": null, "type": "string", "description": "d"},
    {"key": "smtp.max_recipients", "value": 100, "default": 100, "type": "int", "description": "d"},
    {"key": "greylisting.enabled", "value": false, "default": true, "type": "bool", "description": "d"},
    {"key": "relay.networks", "value": ["10.0.0.0/8", "::1/128"], "default": [], "type": "list", "description": "d"}]})");
  EXPECT_EQ(render_list(resource::setting, d),
            "KEY                  VALUE                DEFAULT  TYPE\n"
            "auth.default_domain  x.test               -        string\n"
            "smtp.max_recipients  100                  100      int\n"
            "greylisting.enabled  false                true     bool\n"
            "relay.networks       10.0.0.0/8, ::1/128  -        list\n");
}

TEST(CliRender, ServicesAndMissingFields) {
  auto const d = doc(R"({"services": [{"name": "smtp", "enabled": true, "state": "running", "detail": ""},
                                       {"name": "imap"}]})");
  EXPECT_EQ(render_list(resource::service, d),
            "NAME  ENABLED  STATE    DETAIL\n"
            "smtp  yes      running\n"
            "imap  -        -        -\n");
}

TEST(CliRender, Journal) {
  auto const d = doc(R"({"date": "2024-05-01", "page": 2, "page_size": 2, "total": 5, "entries": [
    {"id": 3, "time": "2024-05-01T10:00:01Z", "level": "info", "service": "smtp", "text": "accepted",
     "fields": {"from": "a@b", "size": 123}},
    {"id": 4, "time": "2024-05-01T10:00:02Z", "level": "error", "service": "imap", "text": "boom", "fields": {}}]})");
  EXPECT_EQ(render_journal(d),
            "2024-05-01  page 2 of 3  (5 entries)\n"
            "TIME                  LEVEL  SERVICE  TEXT\n"
            "2024-05-01T10:00:01Z  info   smtp     accepted from=a@b size=123\n"
            "2024-05-01T10:00:02Z  error  imap     boom\n");
  EXPECT_EQ(render_journal(doc(R"({"date": "2024-05-02", "page": 1, "page_size": 100, "total": 0, "entries": []})")),
            "2024-05-02  page 1 of 1  (0 entries)\n");
}

TEST(CliRender, CellText) {
  EXPECT_EQ(cell_text(doc("null")), "-");
  EXPECT_EQ(cell_text(doc("\"s\"")), "s");
  EXPECT_EQ(cell_text(doc("[1, \"a\", true]")), "1, a, true");
  EXPECT_EQ(cell_text(doc("[]")), "-");
  EXPECT_EQ(cell_text(doc("{\"a\":1}")), "{\"a\":1}");
  EXPECT_EQ(cell_text(doc("2.5")), "2.5");
  EXPECT_EQ(cell_text(doc("-7")), "-7");
}

}  // namespace
}  // namespace posta::cli
