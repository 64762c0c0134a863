// The Received trace header: protocol names (RFC 3848) and injection safety.
#include "mail/delivery/recipients.hpp"
#include "mail/smtp/proto/received.hpp"

#include <gtest/gtest.h>

namespace posta::mail {
namespace {

TEST(SmtpReceived, ProtocolNames) {
  smtp::proto::received_fields f;
  EXPECT_EQ(smtp::proto::with_protocol(f), "ESMTP");
  f.tls = true;
  EXPECT_EQ(smtp::proto::with_protocol(f), "ESMTPS");
  f.authenticated = true;
  EXPECT_EQ(smtp::proto::with_protocol(f), "ESMTPSA");
  f.utf8 = true;
  EXPECT_EQ(smtp::proto::with_protocol(f), "UTF8SMTPSA");
  f.esmtp = false;
  EXPECT_EQ(smtp::proto::with_protocol(f), "SMTP");
}

TEST(SmtpReceived, FormatsAndCleansClientData) {
  smtp::proto::received_fields f;
  f.helo = "evil\r\nX-Injected: 1 (x)";
  f.client_ip = "192.0.2.7";
  f.server_name = "mx.example.test";
  f.tls = true;
  f.tls_description = "TLS1.3 TLS_AES_256_GCM_SHA384";
  f.authenticated = true;
  f.authenticated_user = "alice@example.test";
  f.id = "abc123";
  f.single_recipient = "bob@example.test";
  f.date = "Fri, 27 Nov 2026 17:48:41 +0000";
  EXPECT_EQ(smtp::proto::format_received(f),
            "Received: from evil__X-Injected:_1__x_ ([192.0.2.7])\r\n"
            "\tby mx.example.test (Posta) with ESMTPSA (TLS1.3 TLS_AES_256_GCM_SHA384)\r\n"
            "\t(authenticated as alice@example.test)\r\n"
            "\tid abc123\r\n"
            "\tfor <bob@example.test>; Fri, 27 Nov 2026 17:48:41 +0000\r\n");
}

TEST(DeliveryRecipients, LookupKeysAndSubaddresses) {
  EXPECT_EQ(delivery::lookup_key("Bob@Example.TEST"), "bob@example.test");
  EXPECT_EQ(delivery::lookup_key("eva@Bücher.test"), "eva@xn--bcher-kva.test");
  EXPECT_EQ(delivery::without_subaddress("bob+lists@example.test"), "bob@example.test");
  EXPECT_EQ(delivery::without_subaddress("bob@example.test"), "");
  EXPECT_EQ(delivery::without_subaddress("+x@example.test"), "");
}

}  // namespace
}  // namespace posta::mail
