// core/xml/document: namespaces, text, and the refusals of hostile documents.
#include "core/xml/document.hpp"

#include <gtest/gtest.h>

namespace posta::xml {
namespace {

TEST(XmlDocument, NamespacesTextAndAttributes) {
  auto doc = parse_document(
      R"(<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop>
  <d:displayname/><c:address-data content-type="text/vcard" version="4.0"/>
  <x:unknown xmlns:x="urn:example">caf&#xe9; &amp; <![CDATA[<raw>]]></x:unknown><plain/>
</d:prop></d:propfind>)");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_TRUE(doc->is("DAV:", "propfind"));
  auto const* prop = doc->child("DAV:", "prop");
  ASSERT_NE(prop, nullptr);
  ASSERT_EQ(prop->children.size(), 4u);
  EXPECT_TRUE(prop->children[0].is("DAV:", "displayname"));
  EXPECT_EQ(prop->children[1].attribute_value("version"), "4.0");
  EXPECT_TRUE(prop->children[2].is("urn:example", "unknown"));
  EXPECT_EQ(prop->children[2].text, "café & <raw>");
  EXPECT_TRUE(prop->children[3].is("", "plain"));
  EXPECT_EQ(prop->children_named("DAV:", "displayname").size(), 1u);
}

TEST(XmlDocument, RefusesDoctypesEntitiesAndMalformedInput) {
  auto expect = [](std::string_view text, errc code) {
    auto doc = parse_document(text);
    ASSERT_FALSE(doc) << text;
    EXPECT_EQ(doc.error().code, code) << text << ": " << doc.error().message();
  };
  expect(R"(<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>)", errc::invalid_argument);
  expect(R"(<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>)", errc::invalid_argument);
  expect("<a><b></a>", errc::invalid_argument);
  expect("<a>&undefined;</a>", errc::invalid_argument);
  expect("<p:a/>", errc::invalid_argument);  // undeclared prefix
  expect("<a x='1' x='2'/>", errc::invalid_argument);
  expect("<a>\xff\xfe</a>", errc::invalid_argument);
  expect(R"(<?xml version="1.0" encoding="ISO-8859-1"?><a>)" "\xe9" "</a>", errc::invalid_argument);
  expect("", errc::invalid_argument);
  expect("<a/><b/>", errc::invalid_argument);
}

TEST(XmlDocument, Bounds) {
  document_limits limits;
  limits.max_depth = 8;
  limits.max_elements = 5;
  limits.max_attributes = 2;
  limits.max_bytes = 100;
  EXPECT_TRUE(parse_document("<a><b><c/></b></a>", limits));
  std::string deep;
  for (int i = 0; i < 9; ++i) deep += "<a>";
  EXPECT_EQ(parse_document(deep, limits).error().code, errc::limit_exceeded);
  EXPECT_EQ(parse_document("<a><b/><b/><b/><b/><b/></a>", limits).error().code, errc::limit_exceeded);
  EXPECT_EQ(parse_document("<a x='1' y='2' z='3'/>", limits).error().code, errc::limit_exceeded);
  EXPECT_EQ(parse_document("<a>" + std::string(100, 'x') + "</a>", limits).error().code, errc::limit_exceeded);
}

}  // namespace
}  // namespace posta::xml
