// The embedded database: when no database URL is configured, `posta serve` runs
// a private PostgreSQL cluster under <data_dir>/pg, reachable only through a
// Unix socket in that folder, and stops it when Posta exits (even on SIGKILL).
#pragma once

#include "core/util/result.hpp"

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

namespace posta::db {

class embedded_cluster {
 public:
  // initdb on first use, then start postgres and wait until it accepts
  // connections, and create the database `posta`. Blocking: start-up only.
  static result<std::unique_ptr<embedded_cluster>> start_blocking(std::filesystem::path const& data_dir);

  ~embedded_cluster();
  void stop_blocking();

  // libpq connection string for `dbname` on this cluster.
  std::string conninfo(std::string const& dbname = "posta") const;

 private:
  embedded_cluster(std::filesystem::path dir, pid_t pid) : dir_(std::move(dir)), pid_(pid) {}
  std::filesystem::path dir_;
  pid_t pid_;
};

// The PostgreSQL server binaries: $POSTA_PG_BIN, else the newest /usr/lib/postgresql/*/bin.
result<std::filesystem::path> find_postgres_bin_dir();

}  // namespace posta::db
