// Latency percentiles and the printed report of a load run.
#include "bench/smtp_load/stats.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

namespace posta::bench::smtp_load {
namespace {

double rate(run_stats const& s) { return s.seconds > 0 ? static_cast<double>(s.accepted) / s.seconds : 0; }

std::size_t failed(run_stats const& s) {
  return std::accumulate(s.failures.begin(), s.failures.end(), std::size_t{0},
                         [](std::size_t n, auto const& kv) { return n + kv.second; });
}

std::string json_map(std::map<std::string, std::size_t> const& m) {
  std::string out = "{";
  for (auto const& [k, v] : m) {
    if (out.size() > 1) out += ',';
    out += json_string(k);
    out += ':';
    out += std::to_string(v);
  }
  out += '}';
  return out;
}

}  // namespace

std::string format_text(run_description const& d, run_stats& s) {
  auto l = summarise(s.latency_us);
  auto t = summarise(s.transaction_us);
  std::string out = fmt::format(
      "smtp_load {}: {} messages of {} bytes, {} recipient(s), {} connections{}\n"
      "  accepted   {} of {} ({} failed, {} not tried){}\n"
      "  time       {:.3f} s\n"
      "  rate       {:.1f} messages/s\n"
      "  latency    p50 {:.2f} ms  p90 {:.2f} ms  p99 {:.2f} ms  max {:.2f} ms  (final \".\" -> reply)\n"
      "  per message p50 {:.2f} ms  p90 {:.2f} ms  p99 {:.2f} ms  max {:.2f} ms  (MAIL -> final reply)\n",
      d.target, d.messages, s.bytes_per_message, d.recipients, d.connections, d.pipelining ? ", pipelining" : "",
      s.accepted, d.messages, failed(s), d.messages - s.attempted, s.timed_out ? "  TIMED OUT" : "", s.seconds, rate(s), l.p50_ms, l.p90_ms,
      l.p99_ms, l.max_ms, t.p50_ms, t.p90_ms, t.p99_ms, t.max_ms);
  for (auto const& [k, v] : s.failures) out += fmt::format("  failure    {}: {}\n", k, v);
  for (auto const& [k, v] : s.rcpt_rejected) out += fmt::format("  rcpt refused {}: {}\n", k, v);
  return out;
}

std::string format_json(run_description const& d, run_stats& s) {
  auto l = summarise(s.latency_us);
  auto t = summarise(s.transaction_us);
  return fmt::format(
      "{{\"target\":{},\"connections\":{},\"messages\":{},\"size\":{},\"recipients\":{},\"pipelining\":{},"
      "\"attempted\":{},\"accepted\":{},\"failed\":{},\"seconds\":{:.4f},\"messages_per_second\":{:.2f},"
      "\"latency_ms\":{{\"p50\":{:.3f},\"p90\":{:.3f},\"p99\":{:.3f},\"max\":{:.3f},\"mean\":{:.3f}}},"
      "\"transaction_ms\":{{\"t50\":{:.3f},\"t90\":{:.3f},\"t99\":{:.3f},\"tmax\":{:.3f},\"tmean\":{:.3f}}},"
      "\"failures\":{},\"rcpt_refused\":{},\"timed_out\":{}}}",
      json_string(d.target), d.connections, d.messages, s.bytes_per_message, d.recipients, d.pipelining, s.attempted,
      s.accepted, failed(s), s.seconds, rate(s), l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms, l.mean_ms, t.p50_ms,
      t.p90_ms, t.p99_ms, t.max_ms, t.mean_ms,
      json_map(s.failures), json_map(s.rcpt_rejected), s.timed_out);
}

}  // namespace posta::bench::smtp_load
