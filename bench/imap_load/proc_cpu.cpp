// Reading /proc/PID/stat of a whole process tree.
#include "bench/imap_load/proc_cpu.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace posta::bench::imap_load {
namespace {

struct proc_stat {
  int ppid = 0;
  std::uint64_t ticks = 0;
};

// Fields after the command name "(…)", which may contain spaces: state is
// the 3rd field of the line, ppid the 4th, utime..cstime the 14th..17th.
bool read_stat(std::filesystem::path const& p, proc_stat& out) {
  std::ifstream in(p / "stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream f(line.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string w; f >> w && fields.size() < 15;) fields.push_back(w);
  if (fields.size() < 15) return false;
  out.ppid = std::stoi(fields[1]);
  out.ticks = std::stoull(fields[11]) + std::stoull(fields[12]) + std::stoull(fields[13]) + std::stoull(fields[14]);
  return true;
}

}  // namespace

std::uint64_t tree_cpu_ticks(int pid) {
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
  std::multimap<int, int> children;
  for (auto const& [p, s] : all) children.emplace(s.ppid, p);
  std::uint64_t total = 0;
  std::vector<int> todo{pid};
  while (!todo.empty()) {
    int p = todo.back();
    todo.pop_back();
    if (auto it = all.find(p); it != all.end()) total += it->second.ticks;
    auto [b, e] = children.equal_range(p);
    for (auto it = b; it != e; ++it) todo.push_back(it->second);
  }
  return total;
}

double ms_per_tick() { return 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK)); }

}  // namespace posta::bench::imap_load
