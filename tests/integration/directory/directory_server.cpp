// The directory fixture process of the directory tests: see directory_server.hpp.
#include "tests/integration/directory/directory_server.hpp"

#include "core/util/process.hpp"
#include "tests/integration/support/test_support.hpp"

#include <chrono>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <unistd.h>

extern char** environ;

namespace posta::itest {
namespace {

// Starting slapd takes well under a second; Samba's first provisioning on a
// machine 5-8 s (PEERS.md), more when several tests provision side by side.
constexpr int answer_timeout_ms = 180'000;

}  // namespace

directory_server::directory_server(std::string const& kind, std::vector<std::string> const& extra) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  std::vector<std::string> argv{
      "/usr/bin/python3", std::string(POSTA_SOURCE_DIR) + "/tests/integration/harness/directory_fixtures.py", kind};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  log_ = "/tmp/posta-directory-fixture-" + std::to_string(::getpid()) + "-" + kind + ".log";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int rc = posix_spawn(&pid_, argv[0].c_str(), &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  to_child_ = in[1];
  from_child_ = out[0];
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start directory_fixtures.py");
  }
  std::string line;
  try {
    line = read_line();
    info_ = boost::json::parse(line).as_object();
  } catch (std::exception const& e) {
    std::string why = line.empty() ? read_whole_file(log_) : line;
    cleanup();
    throw std::runtime_error(kind + " fixture did not start: " + why);
  }
  if (info_.contains("error")) {
    std::string why(info_.at("error").as_string());
    cleanup();
    throw std::runtime_error(kind + " fixture did not start: " + why);
  }
}

directory_server::~directory_server() {
  cleanup();
}

void directory_server::cleanup() {
  if (to_child_ >= 0) ::close(to_child_);  // EOF: the fixture stops its server and exits
  to_child_ = -1;
  if (pid_ > 0) {
    auto status = util::wait_exit_blocking(pid_, std::chrono::seconds(30));
    if (!status) {
      ::kill(pid_, SIGTERM);
      (void)util::wait_exit_blocking(pid_, std::chrono::seconds(10));
    }
    pid_ = -1;
  }
  if (from_child_ >= 0) ::close(from_child_);
  from_child_ = -1;
  ::unlink(log_.c_str());
}

std::string directory_server::read_line() {
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    pollfd p{from_child_, POLLIN, 0};
    int n = ::poll(&p, 1, answer_timeout_ms);
    if (n <= 0) throw std::runtime_error("directory fixture: no answer");
    char chunk[4096];
    ssize_t got = ::read(from_child_, chunk, sizeof chunk);
    if (got <= 0) throw std::runtime_error("directory fixture exited: " + read_whole_file(log_));
    buffer_.append(chunk, static_cast<std::size_t>(got));
  }
}

std::string directory_server::get(std::string const& key) const {
  auto const* v = info_.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->as_string());
}

std::string directory_server::call(std::string const& method, boost::json::array args, boost::json::object kwargs) {
  boost::json::object req{{"call", method}, {"args", std::move(args)}, {"kwargs", std::move(kwargs)}};
  std::string line = boost::json::serialize(req) + "\n";
  for (std::size_t off = 0; off < line.size();) {
    ssize_t w = ::write(to_child_, line.data() + off, line.size() - off);
    if (w <= 0) throw std::runtime_error("directory fixture: write failed");
    off += static_cast<std::size_t>(w);
  }
  auto answer = boost::json::parse(read_line()).as_object();
  if (!answer.at("ok").as_bool()) throw std::runtime_error(method + ": " + std::string(answer.at("error").as_string()));
  auto const& r = answer.at("result");
  return r.is_string() ? std::string(r.as_string()) : boost::json::serialize(r);
}

}  // namespace posta::itest
