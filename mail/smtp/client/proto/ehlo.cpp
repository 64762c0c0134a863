// EHLO reply keywords. RFC 5321 4.1.1.1 and the extension RFCs.
#include "mail/smtp/client/proto/ehlo.hpp"

#include "mail/smtp/proto/grammar.hpp"

#include <algorithm>
#include <charconv>

namespace posta::mail::smtp::client::proto {
namespace {

namespace grammar = smtp::proto::grammar;

struct keyword_line {
  std::string keyword;     // upper case
  std::string_view params; // after the keyword and its separator
};

keyword_line split(std::string_view line) {
  std::size_t end = 0;
  while (end < line.size() && line[end] != ' ' && line[end] != '=') ++end;
  keyword_line out{grammar::ascii_upper(line.substr(0, end)), {}};
  if (end < line.size()) out.params = line.substr(end + 1);
  return out;
}

// RFC 1870 4: a missing or unparsable number means no fixed limit (0).
std::uint64_t parse_size(std::string_view params) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(params.data(), params.data() + params.size(), value);
  if (ec != std::errc{}) return 0;
  (void)end;
  return value;
}

void add_mechanisms(capabilities& caps, std::string_view params) {
  while (!params.empty()) {
    auto space = params.find(' ');
    auto mech = grammar::ascii_upper(params.substr(0, space));
    params = space == std::string_view::npos ? std::string_view{} : params.substr(space + 1);
    if (mech.empty() || caps.auth_mechanisms.size() == max_auth_mechanisms) continue;
    if (std::find(caps.auth_mechanisms.begin(), caps.auth_mechanisms.end(), mech) == caps.auth_mechanisms.end())
      caps.auth_mechanisms.push_back(std::move(mech));
  }
}

capabilities none() {
  capabilities c;
  c.pipelining = c.eight_bit_mime = c.smtputf8 = c.enhanced_status_codes = false;
  c.starttls = c.chunking = c.dsn = c.help = false;
  c.size.reset();
  return c;
}

}  // namespace

capabilities parse_ehlo(smtp::proto::reply const& ehlo) {
  capabilities caps = none();
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    auto [keyword, params] = split(ehlo.lines[i]);
    if (keyword == "PIPELINING") caps.pipelining = true;
    else if (keyword == "SIZE") caps.size = parse_size(params);
    else if (keyword == "8BITMIME") caps.eight_bit_mime = true;
    else if (keyword == "SMTPUTF8") caps.smtputf8 = true;
    else if (keyword == "ENHANCEDSTATUSCODES") caps.enhanced_status_codes = true;
    else if (keyword == "STARTTLS") caps.starttls = true;
    else if (keyword == "AUTH") add_mechanisms(caps, params);
    else if (keyword == "CHUNKING") caps.chunking = true;
    else if (keyword == "DSN") caps.dsn = true;
    else if (keyword == "HELP") caps.help = true;
  }
  return caps;
}

}  // namespace posta::mail::smtp::client::proto
