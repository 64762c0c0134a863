// Latency percentiles and the printed report of a load run.
#include "bench/imap_load/stats.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

namespace posta::bench::imap_load {
namespace {

std::size_t failed(load_stats const& s) {
  return std::accumulate(s.failures.begin(), s.failures.end(), std::size_t{0},
                         [](std::size_t n, auto const& kv) { return n + kv.second; });
}

double rate(load_stats const& s) { return s.seconds > 0 ? static_cast<double>(s.completed) / s.seconds : 0; }

}  // namespace

std::string format_text(load_description const& d, load_stats& s) {
  auto login = summarise(s.login_us);
  std::string out = fmt::format(
      "imap_load {}: {} clients ({} ready), {} commands{}, mix {}\n"
      "  completed  {} ({} failed){}\n"
      "  time       {:.3f} s\n"
      "  rate       {:.1f} commands/s\n"
      "  login      p50 {:.2f} ms  p99 {:.2f} ms  (connect .. SELECT done)\n",
      d.target, d.clients, s.clients_ready, d.commands,
      d.duration > 0 ? fmt::format(" or {} s", d.duration) : std::string(), d.mix, s.completed, failed(s),
      s.timed_out ? "  TIMED OUT" : "", s.seconds, rate(s), login.p50_ms, login.p99_ms);
  out += fmt::format("  {:<10} {:>7} {:>9} {:>9} {:>9} {:>10}\n", "type", "count", "p50 ms", "p99 ms", "max ms", "KB/cmd");
  for (auto& [name, t] : s.types) {
    auto l = summarise(t.latency_us);
    double kb = l.count ? static_cast<double>(t.bytes) / 1024.0 / static_cast<double>(l.count) : 0;
    out += fmt::format("  {:<10} {:>7} {:>9.2f} {:>9.2f} {:>9.2f} {:>10.1f}\n", name, l.count, l.p50_ms, l.p99_ms,
                       l.max_ms, kb);
  }
  if (s.cpu_measured)
    out += fmt::format("  server CPU {:.1f} ms, {:.3f} ms per command (its process tree, measured phase)\n",
                       s.server_cpu_ms, s.completed ? s.server_cpu_ms / static_cast<double>(s.completed) : 0.0);
  for (auto const& [k, v] : s.failures) out += fmt::format("  failure    {}: {}\n", k, v);
  return out;
}

std::string format_json(load_description const& d, load_stats& s) {
  auto login = summarise(s.login_us);
  std::string types = "{";
  for (auto& [name, t] : s.types) {
    auto l = summarise(t.latency_us);
    if (types.size() > 1) types += ',';
    types += fmt::format("{}:{{\"count\":{},\"p50\":{:.3f},\"p90\":{:.3f},\"p99\":{:.3f},\"max\":{:.3f},"
                         "\"mean\":{:.3f},\"bytes\":{}}}",
                         json_string(name), l.count, l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms, l.mean_ms, t.bytes);
  }
  types += '}';
  std::string fails = "{";
  for (auto const& [k, v] : s.failures) {
    if (fails.size() > 1) fails += ',';
    fails += json_string(k) + ":" + std::to_string(v);
  }
  fails += '}';
  return fmt::format(
      "{{\"target\":{},\"mode\":\"load\",\"clients\":{},\"clients_ready\":{},\"commands\":{},\"duration\":{},"
      "\"mix\":{},\"messages_seen\":{},\"completed\":{},\"failed\":{},\"seconds\":{:.4f},"
      "\"commands_per_second\":{:.2f},\"login_ms\":{{\"l50\":{:.3f},\"l99\":{:.3f}}},\"types\":{},"
      "\"failures\":{},\"server_cpu_ms\":{:.1f},\"cpu_ms_per_command\":{:.4f},\"timed_out\":{}}}",
      json_string(d.target), d.clients, s.clients_ready, d.commands, d.duration, json_string(d.mix),
      s.messages_seen, s.completed, failed(s), s.seconds, rate(s), login.p50_ms, login.p99_ms, types, fails,
      s.cpu_measured ? s.server_cpu_ms : -1.0,
      s.cpu_measured && s.completed ? s.server_cpu_ms / static_cast<double>(s.completed) : -1.0, s.timed_out);
}

}  // namespace posta::bench::imap_load
