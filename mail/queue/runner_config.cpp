#include "mail/queue/runner_config.hpp"

#include "core/journal/journal.hpp"
#include "core/net/blocking.hpp"
#include "core/net/tls.hpp"
#include "core/settings/settings.hpp"

#include <algorithm>
#include <cctype>

namespace posta::mail::queue {

runner_config read_runner_config(settings::store const& s, std::string const& hostname) {
  runner_config c;
  c.retry.first_retry = std::chrono::minutes(s.get_int("queue.min_time_minutes"));
  c.retry.max_interval = std::chrono::minutes(s.get_int("queue.retry_interval_minutes"));
  c.retry.max_age = std::chrono::hours(s.get_int("queue.max_time_hours"));
  c.delay_warning = std::chrono::hours(s.get_int("queue.delay_warning_hours"));
  c.max_connections = static_cast<int>(s.get_int("queue.max_connections"));
  c.per_destination = static_cast<int>(s.get_int("queue.max_connections_per_destination"));
  c.route.mx_port = static_cast<std::uint16_t>(s.get_int("relay.mx_port"));
  c.route.base.helo_name = hostname;
  c.route.base.encode_utf8_headers = s.get_bool("mail.encode_utf8_headers");
  for (auto d : s.get_list("relay.require_tls_domains")) {
    std::transform(d.begin(), d.end(), d.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    c.route.require_tls_domains.push_back(std::move(d));
  }
  auto smarthost = s.get_string("relay.smarthost");
  c.route_key = smarthost + "\n" + s.get_string("relay.smarthost_tls") + "\n" + s.get_string("relay.smarthost_user") +
                "\n" + s.get_string("relay.tls_ca_file") + "\n" + std::to_string(c.route.mx_port);
  for (auto const& d : c.route.require_tls_domains) c.route_key += "\n" + d;
  if (smarthost.empty()) return c;
  auto relay = parse_smarthost(smarthost);
  auto tls = parse_smarthost_tls(s.get_string("relay.smarthost_tls"));
  if (!relay || !tls) {
    c.relay_invalid = true;
    return c;
  }
  relay->tls = *tls;
  if (auto user = s.get_string("relay.smarthost_user"); !user.empty())
    relay->auth = smtp::client::credentials{user, s.get_string("relay.smarthost_password")};
  c.route.relay = std::move(*relay);
  return c;
}

asio::awaitable<void> tls_contexts::refresh(std::string ca_file) {
  if (loaded_ && ca_file == ca_file_) co_return;
  loaded_ = true;
  ca_file_ = ca_file;
  std::optional<std::filesystem::path> trusted;
  if (!ca_file.empty()) trusted = ca_file;
  // A named lambda by reference: g++ 12 mishandles temporaries in a co_await.
  auto load = [&trusted] { return net::make_client_tls_context(trusted); };
  auto loaded = co_await net::run_disk(load);
  if (loaded) {
    verifying_ = *loaded;
  } else {
    verifying_.reset();
    journal::record(journal::level::error, "queue", "relay.tls_ca_file cannot be loaded",
                    {{"file", ca_file}, {"error", loaded.error().message()}});
  }
  if (!opportunistic_)
    if (auto c = net::make_opportunistic_client_tls_context()) opportunistic_ = *c;
}

void tls_contexts::apply(route_settings& route) const {
  route.verifying_tls = verifying_;
  route.opportunistic_tls = opportunistic_;
}

}  // namespace posta::mail::queue
