// Splitting a server's byte stream into SMTP replies (RFC 5321 4.2: "ddd-"
// continuation lines, then a "ddd " or "ddd" last line). Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace posta::bench::smtp_load {

struct reply {
  int code = 0;      // 100..599
  std::vector<std::string> lines;  // without CRLF; EHLO keywords are in lines[1..]
  bool is_positive() const { return code >= 200 && code < 300; }
};

enum class take_status { complete, need_more, malformed };

// Takes one whole reply off the front of `buffer` into `out`; leaves the
// buffer untouched unless it returns complete.
take_status take_reply(std::string& buffer, reply& out);

}  // namespace posta::bench::smtp_load
