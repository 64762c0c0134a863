// Passwords for `account add` and `account passwd`: from a flag, one line of
// stdin, or typed at the terminal without echo.
#pragma once

#include "core/util/result.hpp"

#include <string>

namespace posta::cli {

struct password_source {
  std::string flag_value;  // --password P
  bool from_stdin = false; // --password-stdin
};

// Fails when neither is given and stdin is not a terminal, when the terminal
// entries differ, or when the password is empty.
result<std::string> obtain_password(password_source const& src);

}  // namespace posta::cli
