// A gloox client (gloox::Client, DESIGN.md's second real XMPP client) for
// test_gloox.py: logs in with STARTTLS, sends one chat message to a peer and
// waits for one back. Exit 0: answered; 2: authentication failed; 1: else.
//   xmpp_gloox_client JID PASSWORD PORT PEER
#include <gloox/client.h>
#include <gloox/connectionlistener.h>
#include <gloox/message.h>
#include <gloox/messagehandler.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

struct listener : gloox::ConnectionListener, gloox::MessageHandler {
  gloox::Client* client = nullptr;
  std::string peer;
  int outcome = 1;

  void onConnect() override {
    std::printf("bound %s\n", client->jid().full().c_str());
    client->send(gloox::Message(gloox::Message::Chat, gloox::JID(peer), "hello from gloox"));
  }
  void onDisconnect(gloox::ConnectionError e) override {
    if (e == gloox::ConnAuthenticationFailed) outcome = 2;
    std::printf("disconnected %d\n", static_cast<int>(e));
  }
  bool onTLSConnect(gloox::CertInfo const& info) override {
    std::printf("tls %s\n", info.cipher.c_str());
    return true;  // the test server's certificate is self-signed
  }
  void handleMessage(gloox::Message const& m, gloox::MessageSession*) override {
    std::printf("message '%s' from %s\n", m.body().c_str(), m.from().full().c_str());
    outcome = 0;
    client->disconnect();
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) return 1;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a killed client still shows how far it got
  alarm(30);                                 // a hung login fails the test instead of blocking it
  gloox::Client client(gloox::JID(argv[1]), argv[2]);
  client.setServer("127.0.0.1");
  client.setPort(std::atoi(argv[3]));
  client.setTls(gloox::TLSRequired);
  listener l;
  l.client = &client;
  l.peer = argv[4];
  client.registerConnectionListener(&l);
  client.registerMessageHandler(&l);
  client.connect(true);
  // gloox reports a SASL failure in authError(), not always in onDisconnect.
  if (l.outcome != 0 && client.authError() != gloox::AuthErrorUndefined) l.outcome = 2;
  std::printf("auth error %d\n", static_cast<int>(client.authError()));
  return l.outcome;
}
