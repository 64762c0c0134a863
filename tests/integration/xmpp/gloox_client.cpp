// A gloox client (gloox::Client, DESIGN.md's second real XMPP client) for
// test_gloox.py: logs in with STARTTLS, and
//   chat (default): sends one chat message to PEER and waits for one back;
//   carbons: enables XEP-0280 carbons (gloox::Carbons), prints "carbons on",
//     then prints each carbon copy it gets and ends after a <received/> and
//     a <sent/> one (PEER unused).
// Exit 0: done; 2: authentication failed; 1: else.
//   xmpp_gloox_client JID PASSWORD PORT PEER [chat|carbons]
#include <gloox/carbons.h>
#include <gloox/client.h>
#include <gloox/connectionlistener.h>
#include <gloox/forward.h>
#include <gloox/iq.h>
#include <gloox/iqhandler.h>
#include <gloox/message.h>
#include <gloox/messagehandler.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

struct listener : gloox::ConnectionListener, gloox::MessageHandler, gloox::IqHandler {
  gloox::Client* client = nullptr;
  std::string peer;
  bool carbons_mode = false;
  bool got_received = false;
  bool got_sent = false;
  int outcome = 1;

  void onConnect() override {
    std::printf("bound %s\n", client->jid().full().c_str());
    if (!carbons_mode) {
      client->send(gloox::Message(gloox::Message::Chat, gloox::JID(peer), "hello from gloox"));
      return;
    }
    gloox::IQ iq(gloox::IQ::Set, gloox::JID());
    iq.addExtension(new gloox::Carbons(gloox::Carbons::Enable));
    client->send(iq, this, 1);
  }
  void onDisconnect(gloox::ConnectionError e) override {
    if (e == gloox::ConnAuthenticationFailed) outcome = 2;
    std::printf("disconnected %d\n", static_cast<int>(e));
  }
  bool onTLSConnect(gloox::CertInfo const& info) override {
    std::printf("tls %s\n", info.cipher.c_str());
    return true;  // the test server's certificate is self-signed
  }
  bool handleIq(gloox::IQ const&) override { return false; }
  void handleIqID(gloox::IQ const& iq, int) override {
    std::printf("carbons %s\n", iq.subtype() == gloox::IQ::Result ? "on" : "refused");
  }
  void handleMessage(gloox::Message const& m, gloox::MessageSession*) override {
    if (carbons_mode) return on_carbon(m);
    std::printf("message '%s' from %s\n", m.body().c_str(), m.from().full().c_str());
    outcome = 0;
    client->disconnect();
  }
  void on_carbon(gloox::Message const& m) {
    auto const* carbon = m.findExtension<gloox::Carbons>(gloox::ExtCarbons);
    if (!carbon || !carbon->embeddedStanza()) {
      std::printf("message '%s' from %s (no carbon)\n", m.body().c_str(), m.from().full().c_str());
      return;
    }
    auto const* inner = static_cast<gloox::Message const*>(carbon->embeddedStanza());
    bool const received = carbon->type() == gloox::Carbons::Received;
    (received ? got_received : got_sent) = true;
    std::printf("carbon %s '%s' from %s to %s (copy from %s)\n", received ? "received" : "sent", inner->body().c_str(),
                inner->from().full().c_str(), inner->to().full().c_str(), m.from().full().c_str());
    if (got_received && got_sent) {
      outcome = 0;
      client->disconnect();
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) return 1;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a killed client still shows how far it got
  alarm(30);                                 // a hung login fails the test instead of blocking it
  gloox::Client client(gloox::JID(argv[1]), argv[2]);
  client.setServer("127.0.0.1");
  client.setPort(std::atoi(argv[3]));
  client.setTls(gloox::TLSRequired);
  client.registerStanzaExtension(new gloox::Forward());  // XEP-0297, inside every carbon
  client.registerStanzaExtension(new gloox::Carbons());
  listener l;
  l.client = &client;
  l.peer = argv[4];
  l.carbons_mode = argc == 6 && std::string(argv[5]) == "carbons";
  client.registerConnectionListener(&l);
  client.registerMessageHandler(&l);
  client.connect(true);
  // gloox reports a SASL failure in authError(), not always in onDisconnect.
  if (l.outcome != 0 && client.authError() != gloox::AuthErrorUndefined) l.outcome = 2;
  std::printf("auth error %d\n", static_cast<int>(client.authError()));
  return l.outcome;
}
