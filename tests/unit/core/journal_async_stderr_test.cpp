// The journal's stderr output is asynchronous and bounded: a flood of lines
// never blocks the caller; what does not fit is dropped and counted.
#include "core/journal/journal.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <unistd.h>

namespace posta::journal {
namespace {

// stderr goes to /dev/null while the flood runs, and comes back after.
struct silenced_stderr {
  int saved = ::dup(2);
  silenced_stderr() {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 2);
    ::close(null);
  }
  ~silenced_stderr() {
    ::dup2(saved, 2);
    ::close(saved);
  }
};

TEST(journal_async_stderr, a_flood_is_dropped_and_counted_not_waited_for) {
  {
    silenced_stderr quiet;
    use_async_stderr(8);  // a tiny queue: the writer thread cannot keep up
    for (int i = 0; i < 20000; ++i) record(level::info, "test", "line " + std::to_string(i));
    EXPECT_GT(dropped_stderr_lines(), 0u);
    flush_stderr();
  }
  // Back to a synchronous logger for whatever runs after in this process.
  spdlog::set_default_logger(spdlog::stderr_color_mt("after-test"));
  EXPECT_EQ(dropped_stderr_lines(), 0u);  // no async pool any more
}

}  // namespace
}  // namespace posta::journal
