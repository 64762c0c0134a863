// Password input: --password, --password-stdin, or a no-echo prompt on the
// terminal (termios), asked twice.
#include "app/cli/password.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace posta::cli {
namespace {

std::string read_line(std::istream& in) {
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

// Prompts on stderr, reads stdin with echo off, restores the terminal.
std::string prompt_hidden(char const* prompt) {
  std::fputs(prompt, stderr);
  std::fflush(stderr);
  termios saved{};
  bool const have_tty = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (have_tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line = read_line(std::cin);
  if (have_tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  std::fputs("\n", stderr);
  return line;
}

}  // namespace

result<std::string> obtain_password(password_source const& src) {
  std::string password;
  if (!src.flag_value.empty()) {
    password = src.flag_value;
  } else if (src.from_stdin) {
    password = read_line(std::cin);
  } else if (isatty(STDIN_FILENO)) {
    password = prompt_hidden("Password: ");
    if (prompt_hidden("Repeat password: ") != password)
      return make_error(errc::invalid_argument, "the passwords do not match");
  } else {
    return make_error(errc::invalid_argument,
                      "no password given: use --password, --password-stdin or run from a terminal");
  }
  if (password.empty()) return make_error(errc::invalid_argument, "empty password");
  return password;
}

}  // namespace posta::cli
