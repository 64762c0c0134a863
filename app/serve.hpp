// `posta serve`: the daemon.
#pragma once

#include <string>

namespace posta::app {

// Runs until SIGINT/SIGTERM; returns the process exit status.
int run_serve(std::string const& config_path);

}  // namespace posta::app
