// What a load run measured, and its two printed forms (text, one JSON line).
#pragma once

#include "bench/lib/latency.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace posta::bench::smtp_load {

using bench::json_string;
using bench::latency_summary;
using bench::summarise;

struct run_stats {
  std::size_t attempted = 0;                   // message slots taken (= accepted + failed)
  std::size_t accepted = 0;                    // DATA answered 2xx
  std::map<std::string, std::size_t> failures;  // "STAGE CODE" (e.g. "RCPT 550", "connect io") -> count
  std::map<std::string, std::size_t> rcpt_rejected;  // recipients refused in messages that still went through
  std::vector<std::uint32_t> latency_us;        // final "." -> DATA reply, accepted messages only
  std::vector<std::uint32_t> transaction_us;    // MAIL sent -> DATA reply, accepted messages only
  double seconds = 0;                           // first connect -> last message answered
  bool timed_out = false;
  std::size_t bytes_per_message = 0;
};

struct run_description {
  std::string target;  // host:port
  std::size_t connections = 0, messages = 0, size = 0, recipients = 0;
  bool pipelining = false;
};

std::string format_text(run_description const& d, run_stats& s);
std::string format_json(run_description const& d, run_stats& s);

}  // namespace posta::bench::smtp_load
