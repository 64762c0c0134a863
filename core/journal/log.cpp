// The process log on spdlog: see log.hpp.
#include "core/journal/log.hpp"

#include <spdlog/spdlog.h>

namespace posta::journal {
namespace {

spdlog::level::level_enum to_spdlog(level l) {
  switch (l) {
    case level::debug: return spdlog::level::debug;
    case level::info: return spdlog::level::info;
    case level::warning: return spdlog::level::warn;
    case level::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void write_log(level l, std::string_view text) { spdlog::log(to_spdlog(l), "{}", text); }

void set_log_level(level min) { spdlog::set_level(to_spdlog(min)); }

void use_server_log_format() { spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v"); }

}  // namespace posta::journal
