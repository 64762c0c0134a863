// Starting helper programs (initdb, postgres) as child processes, optionally as
// another user when Posta runs as root.
#pragma once

#include "core/util/result.hpp"

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace posta::util {

struct spawn_options {
  std::optional<std::string> run_as_user;  // switch to this user (needs root)
  std::string output_path;                 // stdout and stderr appended here; empty = inherit
  std::string working_dir = "/";
  bool new_process_group = false;          // so a terminal's Ctrl-C reaches only us
  int parent_death_signal = 0;             // sent to the child when we die (even by SIGKILL)
};

result<pid_t> spawn(std::vector<std::string> const& argv, spawn_options const& options);

// Exit status of a child (128 + signal when killed); waits at most `timeout`.
result<int> wait_exit_blocking(pid_t pid, std::chrono::milliseconds timeout);

// spawn + wait: for short commands such as initdb.
result<int> run_process_blocking(std::vector<std::string> const& argv, spawn_options const& options,
                         std::chrono::milliseconds timeout);

bool is_process_alive(pid_t pid);
bool is_root();

}  // namespace posta::util
