// The `posta <noun> <verb>` administration commands on CLI11: each verb
// becomes one admin API call (requests.hpp), run and printed by run_call().
#pragma once

#include "app/cli/endpoint.hpp"
#include "app/cli/requests.hpp"
#include "core/util/result.hpp"

#include <memory>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace posta::cli {

struct global_options {
  std::string api;     // --api URL
  std::string token;   // --token T
  std::string config;  // --config FILE
  std::string cacert;  // --cacert FILE
  bool json = false;   // --json
};

// What the parsed command line asks for: a call, or a local failure found
// while parsing (a bad SIZE, no password).
struct invocation {
  std::optional<api_call> call;
  std::optional<error> failure;
  std::shared_ptr<void> storage;  // the verbs' argument variables CLI11 writes to
};

// --api, --token, --config, --json on the top-level app.
void add_global_options(CLI::App& app, global_options& opts);

// domain, account, alias, group, settings, service, journal.
void add_admin_commands(CLI::App& app, invocation& inv);

// directory add/list/show/set/rm/sync (directory_commands.cpp).
void add_directory_commands(CLI::App& app, invocation& inv);

// Flags plus POSTA_API, POSTA_TOKEN and POSTA_CONFIG from the environment.
endpoint_inputs gather_inputs(global_options const& opts);

// Performs the call and prints its answer. Exit status: 0 done, 1 the API
// refused (its message on stderr), 2 a local error, 3 the API is unreachable.
int run_invocation(invocation const& inv, global_options const& opts);

}  // namespace posta::cli
