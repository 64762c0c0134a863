// The process log: lines for the operator on stderr (start-up, shutdown,
// listeners, library trouble) that are not journal events. The journal
// writes its events through it too. The only way to spdlog outside
// core/journal, so the logging library can change in one place.
#pragma once

#include <fmt/format.h>

#include <string_view>
#include <utility>

namespace posta::journal {

enum class level { debug, info, warning, error };

// One line on stderr, at once (spdlog's own lock keeps lines whole).
void write_log(level l, std::string_view text);

template <class... Args>
void log(level l, fmt::format_string<Args...> format, Args&&... args) {
  write_log(l, fmt::format(format, std::forward<Args>(args)...));
}

// Lines below `min` are dropped (tests quiet the migrations' info lines).
void set_log_level(level min);

// `posta serve`'s line format: ISO time with milliseconds, level, text.
void use_server_log_format();

}  // namespace posta::journal
