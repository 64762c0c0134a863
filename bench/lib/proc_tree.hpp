// CPU time and memory of a process and all its descendants (Linux /proc),
// so that a load generator can charge the server exactly for its measured
// phase (not the logins before it or the clean-up after it) and read what
// its idle connections cost. Header-only, for generators that link only
// Asio and fmt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace posta::bench {

namespace proc_detail {

struct proc_stat {
  int ppid = 0;
  std::uint64_t ticks = 0;
};

// Fields after the command name "(…)", which may contain spaces: state is
// the 3rd field of the line, ppid the 4th, utime..cstime the 14th..17th.
inline bool read_stat(std::filesystem::path const& p, proc_stat& out) {
  std::ifstream in(p / "stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size()) return false;
  std::istringstream f(line.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string w; f >> w && fields.size() < 15;) fields.push_back(w);
  if (fields.size() < 15) return false;
  out.ppid = std::stoi(fields[1]);
  out.ticks = std::stoull(fields[11]) + std::stoull(fields[12]) + std::stoull(fields[13]) + std::stoull(fields[14]);
  return true;
}

// Every process's stat, by pid.
inline std::map<int, proc_stat> all_stats() {
  std::map<int, proc_stat> all;
  std::error_code ec;
  for (auto const& e : std::filesystem::directory_iterator("/proc", ec)) {
    auto name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    proc_stat s;
    try {
      if (read_stat(e.path(), s)) all[std::stoi(name)] = s;
    } catch (...) {  // a process that ended while being read
    }
  }
  return all;
}

// "Name:   1234 kB" of a /proc status-like file; 0 when absent.
inline std::uint64_t field_kb(std::string const& path, std::string const& name) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + ":", 0) == 0) return std::stoull(line.substr(name.size() + 1));
  return 0;
}

}  // namespace proc_detail

// `pid` and its descendants, `pid` first; empty when it does not exist.
inline std::vector<int> tree_pids(int pid) {
  auto all = proc_detail::all_stats();
  std::multimap<int, int> children;
  for (auto const& [p, s] : all) children.emplace(s.ppid, p);
  std::vector<int> out, todo{pid};
  while (!todo.empty()) {
    int p = todo.back();
    todo.pop_back();
    if (!all.contains(p)) continue;
    out.push_back(p);
    auto [b, e] = children.equal_range(p);
    for (auto it = b; it != e; ++it) todo.push_back(it->second);
  }
  return out;
}

// utime + stime + cutime + cstime of `pid` and its descendants, in clock
// ticks; 0 when `pid` does not exist.
inline std::uint64_t tree_cpu_ticks(int pid) {
  auto all = proc_detail::all_stats();
  std::uint64_t total = 0;
  for (int p : tree_pids(pid))
    if (auto it = all.find(p); it != all.end()) total += it->second.ticks;
  return total;
}

// Milliseconds per clock tick.
inline double ms_per_tick() {
  return 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct tree_memory {
  std::uint64_t rss_kb = 0, pss_kb = 0, main_rss_kb = 0;
  std::size_t processes = 0;
};

// Summed VmRSS and Pss (smaps_rollup: shared pages split between the
// processes sharing them) of the tree, and the RSS of `pid` alone.
inline tree_memory tree_memory_kb(int pid) {
  tree_memory m;
  for (int p : tree_pids(pid)) {
    auto base = "/proc/" + std::to_string(p);
    auto rss = proc_detail::field_kb(base + "/status", "VmRSS");
    m.rss_kb += rss;
    m.pss_kb += proc_detail::field_kb(base + "/smaps_rollup", "Pss");
    if (p == pid) m.main_rss_kb = rss;
    ++m.processes;
  }
  return m;
}

}  // namespace posta::bench
