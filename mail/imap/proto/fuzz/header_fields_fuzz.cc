// libFuzzer target: HEADER.FIELDS and HEADER.FIELDS.NOT of arbitrary bytes.
// The first line names the fields; both subsets together never hold more
// than the header plus one blank line, and each is made of input bytes only
// (its size never exceeds the input's).
#include "mail/imap/proto/header_fields.hpp"

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace posta::mail::imap::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  auto eol = in.find('\n');
  std::vector<std::string> names;
  for (std::string_view list = in.substr(0, eol); !list.empty();) {
    auto sp = list.find(' ');
    names.emplace_back(list.substr(0, sp));
    list = sp == std::string_view::npos ? std::string_view() : list.substr(sp + 1);
  }
  auto header = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
  auto only = filter_header_fields(header, names, field_selection::only);
  auto except = filter_header_fields(header, names, field_selection::except);
  if (only.size() > header.size() || except.size() > header.size()) std::abort();
  if (only.size() + except.size() > header.size() + 2) std::abort();
  return 0;
}
