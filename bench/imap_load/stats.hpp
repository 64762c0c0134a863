// What a run measured, and its two printed forms (text, one JSON line).
#pragma once

#include "bench/lib/latency.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace posta::bench::imap_load {

using bench::json_string;
using bench::latency_summary;
using bench::summarise;

struct type_stats {
  std::vector<std::uint32_t> latency_us;  // successful commands only
  std::size_t bytes = 0;                  // response bytes read, successful commands
};

struct load_stats {
  std::map<std::string, type_stats> types;      // "headers", "body", … "expunge"
  std::map<std::string, std::size_t> failures;  // "TYPE NO", "TYPE io", "login NO" …
  std::vector<std::uint32_t> login_us;          // connect + greeting + LOGIN + SELECT, per client
  std::size_t completed = 0;                    // commands answered OK in the measured phase
  std::size_t clients_ready = 0;                // clients that logged in and selected
  std::size_t messages_seen = 0;                // base messages (UID SEARCH ALL) of the first client
  double seconds = 0;                           // all clients ready -> last command answered
  bool timed_out = false;
  bool cpu_measured = false;
  double server_cpu_ms = 0;                     // the --cpu-pid tree, measured phase only
};

struct load_description {
  std::string target;
  std::size_t clients = 0, commands = 0;
  double duration = 0;
  std::string mix;
};

std::string format_text(load_description const& d, load_stats& s);
std::string format_json(load_description const& d, load_stats& s);
}  // namespace posta::bench::imap_load
