// libFuzzer target: every WebDAV/CardDAV request body parser on any bytes
// (bounded, never throws), and the multistatus writer on what they read.
#include "addressbook/proto/dav_request.hpp"
#include "addressbook/proto/dav_response.hpp"

#include <cstdlib>
#include <string_view>

using namespace posta::addressbook::proto;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  if (auto p = parse_propfind(in); p && p->listed.size() > max_listed_properties) std::abort();
  (void)parse_proppatch(in);
  (void)parse_mkcol(in);
  auto report = parse_report(in);
  if (report) {
    if (auto const* m = std::get_if<multiget_report>(&*report)) {
      if (m->hrefs.size() > max_hrefs) std::abort();
      std::vector<dav_response> responses;
      for (auto const& href : m->hrefs) responses.push_back({href, {}, 404});
      (void)multistatus_body(responses);
    }
  }
  return 0;
}
