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

TEST(CliRender, QueueTable) {
  auto const d = doc(R"({"page": 1, "page_size": 100, "total": 2, "messages": [
    {"id": "Qa1", "sender": "ann@corp.test", "size": 2048, "queued_at": "2026-12-03T06:00:00Z", "age_seconds": 3720,
     "attempts": 2, "next_attempt_at": "2026-12-03T07:30:00Z", "last_code": 451,
     "last_reply": "451 4.2.1 mailbox busy", "recipients": [{"address": "bob@x.test"}, {"address": "carol@x.test"}]},
    {"id": "Qb2", "sender": "", "size": 100, "queued_at": "2026-12-03T07:01:00Z", "age_seconds": 59,
     "attempts": 0, "next_attempt_at": "2026-12-03T07:01:00Z", "last_code": null, "last_reply": "",
     "recipients": [{"address": "dan@y.test"}]}]})");
  EXPECT_EQ(render_queue(d),
            "2 messages in the queue\n"
            "ID   SENDER         RECIPIENTS                SIZE   AGE    ATTEMPTS  NEXT ATTEMPT          LAST REPLY\n"
            "Qa1  ann@corp.test  bob@x.test, carol@x.test  2 KiB  1h02m  2         2026-12-03T07:30:00Z  451 4.2.1 mailbox busy\n"
            "Qb2  <>             dan@y.test                100 B  59s    0         2026-12-03T07:01:00Z  -\n");
  EXPECT_EQ(render_queue(doc(R"({"total": 0, "messages": []})")), "the queue is empty\n");
  EXPECT_EQ(render_queue(doc(R"({"nope": 1})")), "unexpected answer from the API\n");
}

TEST(CliRender, QueuedMessageAndActions) {
  auto const d = doc(R"({"id": "Qa1", "sender": "ann@corp.test", "size": 2048, "queued_at": "2026-12-03T06:00:00Z",
    "age_seconds": 120, "recipients": [{"address": "bob@x.test", "attempts": 1, "next_attempt_at": "2026-12-03T06:07:00Z",
    "in_delivery": false, "last_reply": "451 4.2.1 busy"}],
    "attempts_made": [{"at": "2026-12-03T06:02:00Z", "recipient": "bob@x.test", "outcome": "deferred",
    "host": "mx.x.test [192.0.2.1]:25", "code": 451, "reply": "451 4.2.1 busy"}]})");
  auto const out = render_queued_message(d);
  EXPECT_NE(out.find("Queued:  2026-12-03T06:00:00Z (2m00s ago)"), std::string::npos) << out;
  EXPECT_NE(out.find("bob@x.test  1         2026-12-03T06:07:00Z  no           451 4.2.1 busy"), std::string::npos) << out;
  EXPECT_NE(out.find("2026-12-03T06:02:00Z  bob@x.test  deferred  mx.x.test [192.0.2.1]:25  451 4.2.1 busy"),
            std::string::npos) << out;
  EXPECT_EQ(render_queue_action(doc(R"({"rescheduled": 1})")), "1 recipient rescheduled\n");
  EXPECT_EQ(render_queue_action(doc(R"({"deleted": 12})")), "12 recipients deleted\n");
}

TEST(CliRender, Ages) {
  EXPECT_EQ(format_age(0), "0s");
  EXPECT_EQ(format_age(59), "59s");
  EXPECT_EQ(format_age(60), "1m00s");
  EXPECT_EQ(format_age(3599), "59m59s");
  EXPECT_EQ(format_age(3720), "1h02m");
  EXPECT_EQ(format_age(200000), "2d07h");
  EXPECT_EQ(format_age(-5), "0s");
}

}  // namespace
}  // namespace posta::cli
