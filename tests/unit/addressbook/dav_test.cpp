// addressbook/proto/dav_request and dav_response: the bodies vdirsyncer,
// Thunderbird and iOS send, and what the server answers, read back.
#include "addressbook/proto/dav_request.hpp"
#include "addressbook/proto/dav_response.hpp"
#include "core/xml/document.hpp"

#include <gtest/gtest.h>

namespace posta::addressbook::proto {
namespace {

TEST(DavRequest, PropfindForms) {
  auto all = parse_propfind("");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->what, property_request::kind::all);
  auto names = parse_propfind(R"(<propfind xmlns="DAV:"><propname/></propfind>)");
  ASSERT_TRUE(names);
  EXPECT_EQ(names->what, property_request::kind::names);
  auto listed = parse_propfind(
      R"(<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">)"
      R"(<d:prop><d:resourcetype/><d:getetag/><cs:getctag/></d:prop></d:propfind>)");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->what, property_request::kind::listed);
  EXPECT_EQ(listed->listed, (std::vector<property_name>{{"DAV:", "resourcetype"}, {"DAV:", "getetag"},
                                                        {std::string(calendarserver_ns), "getctag"}}));
  EXPECT_EQ(parse_propfind("<propfind>").error().code, errc::invalid_argument);
  EXPECT_EQ(parse_propfind(R"(<prop xmlns="DAV:"/>)").error().code, errc::invalid_argument);
}

TEST(DavRequest, ProppatchAndExtendedMkcol) {
  auto updates = parse_proppatch(
      R"(<d:propertyupdate xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>)"
      R"(<d:displayname>Work &amp; friends</d:displayname></d:prop></d:set>)"
      R"(<d:remove><d:prop><c:addressbook-description/></d:prop></d:remove></d:propertyupdate>)");
  ASSERT_TRUE(updates) << updates.error().message();
  ASSERT_EQ(updates->size(), 2u);
  EXPECT_EQ((*updates)[0].value, "Work & friends");
  EXPECT_EQ((*updates)[1].name.name, "addressbook-description");
  EXPECT_FALSE((*updates)[1].value);
  auto mkcol = parse_mkcol(
      R"(<d:mkcol xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>)"
      R"(<d:resourcetype><d:collection/><c:addressbook/></d:resourcetype><d:displayname>Team</d:displayname>)"
      R"(</d:prop></d:set></d:mkcol>)");
  ASSERT_TRUE(mkcol);
  EXPECT_TRUE(mkcol->addressbook);
  ASSERT_EQ(mkcol->properties.size(), 1u);
  EXPECT_EQ(mkcol->properties[0].value, "Team");
  auto plain = parse_mkcol("");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->addressbook);
}

TEST(DavRequest, Reports) {
  auto multiget = parse_report(
      R"(<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/>)"
      R"(<C:address-data/></D:prop><D:href>/dav/addressbooks/a%40b/personal/1.vcf</D:href>)"
      R"(<D:href>/dav/addressbooks/a%40b/personal/2.vcf</D:href></C:addressbook-multiget>)");
  ASSERT_TRUE(multiget) << multiget.error().message();
  auto const& m = std::get<multiget_report>(*multiget);
  EXPECT_EQ(m.hrefs.size(), 2u);
  EXPECT_EQ(m.properties.listed.size(), 2u);

  auto query = parse_report(
      R"(<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>)"
      R"(<C:filter test="anyof"><C:prop-filter name="FN"><C:text-match collation="i;unicode-casemap" )"
      R"(match-type="starts-with">ad</C:text-match></C:prop-filter><C:prop-filter name="email" test="allof">)"
      R"(<C:text-match negate-condition="yes">spam</C:text-match></C:prop-filter></C:filter>)"
      R"(<C:limit><C:nresults>10</C:nresults></C:limit></C:addressbook-query>)");
  ASSERT_TRUE(query) << query.error().message();
  auto const& q = std::get<query_report>(*query);
  ASSERT_EQ(q.filters.size(), 2u);
  EXPECT_EQ(q.filters[0].matches[0].match, text_match::type::starts_with);
  EXPECT_EQ(q.filters[1].name, "EMAIL");
  EXPECT_TRUE(q.filters[1].all_of);
  EXPECT_TRUE(q.filters[1].matches[0].negate);
  EXPECT_EQ(q.limit, 10u);

  auto sync = parse_report(
      R"(<d:sync-collection xmlns:d="DAV:"><d:sync-token>http://posta/sync/4/17</d:sync-token>)"
      R"(<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>)");
  ASSERT_TRUE(sync);
  EXPECT_EQ(std::get<sync_report>(*sync).token, "http://posta/sync/4/17");

  EXPECT_EQ(parse_report(R"(<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>)").error().code,
            errc::not_found);
  EXPECT_EQ(parse_report(R"(<C:addressbook-query xmlns:C="urn:ietf:params:xml:ns:carddav"><C:filter>)"
                         R"(<C:prop-filter name="FN"><C:text-match collation="i;octet">x</C:text-match>)"
                         R"(</C:prop-filter></C:filter></C:addressbook-query>)")
                .error()
                .code,
            errc::not_found);  // 403 supported-collation
}

TEST(DavRequest, Bounds) {
  std::string many = R"(<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">)";
  for (std::size_t i = 0; i <= max_hrefs; ++i) many += "<D:href>/x</D:href>";
  many += "</C:addressbook-multiget>";
  EXPECT_EQ(parse_report(many).error().code, errc::limit_exceeded);
}

TEST(DavResponse, MultistatusReadsBackWithItsNamespaces) {
  std::vector<dav_response> responses;
  responses.push_back({"/dav/addressbooks/a%40b/personal/",
                       {{200,
                         {{{"DAV:", "displayname"}, text_xml("Tom & Jerry <3")},
                          {{"DAV:", "resourcetype"}, element_xml({"DAV:", "collection"}) +
                                                         element_xml({std::string(carddav_ns), "addressbook"})}}},
                        {404, {{{"urn:example", "x"}, ""}}}},
                       0});
  responses.push_back({"/dav/addressbooks/a%40b/personal/gone.vcf", {}, 404});
  auto body = multistatus_body(responses, std::string("http://posta/sync/1/2"));
  auto doc = xml::parse_document(body);
  ASSERT_TRUE(doc) << doc.error().message() << body;
  EXPECT_TRUE(doc->is("DAV:", "multistatus"));
  auto rs = doc->children_named("DAV:", "response");
  ASSERT_EQ(rs.size(), 2u);
  auto const* ok = rs[0]->children_named("DAV:", "propstat")[0]->child("DAV:", "prop");
  EXPECT_EQ(ok->child("DAV:", "displayname")->text, "Tom & Jerry <3");
  EXPECT_NE(ok->child("DAV:", "resourcetype")->child(carddav_ns, "addressbook"), nullptr);
  auto const* missing = rs[0]->children_named("DAV:", "propstat")[1];
  EXPECT_NE(missing->child("DAV:", "prop")->child("urn:example", "x"), nullptr);
  EXPECT_EQ(missing->child("DAV:", "status")->text, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(rs[1]->child("DAV:", "status")->text, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(doc->child("DAV:", "sync-token")->text, "http://posta/sync/1/2");
  auto err = xml::parse_document(error_body({std::string(carddav_ns), "valid-address-data"}));
  ASSERT_TRUE(err);
  EXPECT_NE(err->child(carddav_ns, "valid-address-data"), nullptr);
}

}  // namespace
}  // namespace posta::addressbook::proto

#include "addressbook/proto/dav_path.hpp"

namespace posta::addressbook::proto {
namespace {

TEST(DavPath, TheNamespace) {
  using k = dav_target::kind;
  EXPECT_EQ(parse_dav_path("/.well-known/carddav")->what, k::well_known);
  EXPECT_EQ(parse_dav_path("/dav")->what, k::root);
  EXPECT_EQ(parse_dav_path("/dav/")->what, k::root);
  auto p = parse_dav_path("/dav/principals/ada%40example.org/");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->what, k::principal);
  EXPECT_EQ(p->address, "ada@example.org");
  auto card = parse_dav_path("/dav/addressbooks/ada@example.org/personal/a%20b.vcf");
  ASSERT_TRUE(card);
  EXPECT_EQ(card->what, k::card);
  EXPECT_EQ(card->book, "personal");
  EXPECT_EQ(card->card, "a b.vcf");
  EXPECT_FALSE(card->trailing_slash);
  EXPECT_EQ(parse_dav_path("/dav/addressbooks/ada@example.org/")->what, k::home);
  EXPECT_EQ(parse_dav_path("/dav/addressbooks/ada@example.org/gal/")->what, k::book);
  EXPECT_EQ(parse_dav_path("/davx").error().code, errc::not_found);
  EXPECT_EQ(parse_dav_path("/dav/calendars/x/").error().code, errc::not_found);
  EXPECT_EQ(parse_dav_path("/dav/addressbooks/a/b/c/d").error().code, errc::not_found);
  for (auto bad : {"/dav/addressbooks/a/%2e%2e/", "/dav/addressbooks/a/x%2Fy/", "/dav/addressbooks/a/%zz/",
                   "/dav/addressbooks//b/", "/dav/addressbooks/a/b%00/"})
    EXPECT_EQ(parse_dav_path(bad).error().code, errc::invalid_argument) << bad;
}

TEST(DavPath, HrefsRoundTrip) {
  EXPECT_EQ(card_href("ada@example.org", "personal", "a b/c.vcf"), "/dav/addressbooks/ada@example.org/personal/a%20b%2Fc.vcf");
  auto back = parse_dav_path(card_href("ada@example.org", "personal", "é?.vcf"));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->card, "é?.vcf");
  EXPECT_EQ(principal_href("a+b@x"), "/dav/principals/a%2Bb@x/");
}

}  // namespace
}  // namespace posta::addressbook::proto
