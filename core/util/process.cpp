// fork/exec with an optional user switch. The child only calls async-signal-safe
// functions between fork and exec.
#include "core/util/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace posta::util {
namespace {

struct user_ids {
  uid_t uid;
  gid_t gid;
};

result<std::optional<user_ids>> lookup_user(std::optional<std::string> const& name) {
  if (!name || !is_root()) return std::optional<user_ids>{};
  passwd* pw = getpwnam(name->c_str());
  if (!pw) return make_error(errc::not_found, "system user " + *name);
  return std::optional<user_ids>{user_ids{pw->pw_uid, pw->pw_gid}};
}

[[noreturn]] void exec_child(std::vector<char*> const& args, spawn_options const& o,
                             std::optional<user_ids> ids, int out_fd) {
  if (o.new_process_group) setpgid(0, 0);
  if (out_fd >= 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
  }
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, STDIN_FILENO);
  if (ids && (setgroups(0, nullptr) != 0 || setgid(ids->gid) != 0 || setuid(ids->uid) != 0)) _exit(126);
  // After the user switch: a credential change clears the death signal.
  if (o.parent_death_signal) prctl(PR_SET_PDEATHSIG, o.parent_death_signal);
  if (chdir(o.working_dir.c_str()) != 0) _exit(126);
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

bool is_root() { return geteuid() == 0; }

bool is_process_alive(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

result<pid_t> spawn(std::vector<std::string> const& argv, spawn_options const& options) {
  auto ids = POSTA_TRY(lookup_user(options.run_as_user));
  int out_fd = -1;
  if (!options.output_path.empty()) {
    out_fd = open(options.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (out_fd < 0) return make_error(std::error_code(errno, std::generic_category()), options.output_path);
  }
  std::vector<char*> args;
  for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) exec_child(args, options, ids, out_fd);  // dup2 drops O_CLOEXEC on 0-2
  int fork_errno = errno;
  if (out_fd >= 0) close(out_fd);
  if (pid < 0) return make_error(std::error_code(fork_errno, std::generic_category()), "fork " + argv[0]);
  return pid;
}

result<int> wait_exit_blocking(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0) return make_error(std::error_code(errno, std::generic_category()), "waitpid");
    if (std::chrono::steady_clock::now() > deadline) return make_error(errc::unavailable, "child did not exit in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

result<int> run_process_blocking(std::vector<std::string> const& argv, spawn_options const& options,
                         std::chrono::milliseconds timeout) {
  auto pid = POSTA_TRY(spawn(argv, options));
  return wait_exit_blocking(pid, timeout);
}

}  // namespace posta::util
