// Duplicate names and NUL in JSON, found with Boost.JSON's SAX parser.
#include "core/http/strict_json.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <set>
#include <string>
#include <vector>

namespace posta::http {
namespace {

namespace json = boost::json;
using ec_t = boost::system::error_code;

struct strict_handler {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::vector<std::set<std::string>> names;  // one per open object
  std::string key;
  std::string problem;

  bool stop(ec_t& ec, std::string why) {
    problem = std::move(why);
    ec = json::error::syntax;  // any error: `problem` says which
    return false;
  }
  bool no_nul(json::string_view s, ec_t& ec, char const* where) {
    if (s.find('\0') == json::string_view::npos) return true;
    return stop(ec, std::string("NUL (\\u0000) is not allowed in a JSON ") + where);
  }

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_object_begin(ec_t&) {
    names.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, ec_t&) {
    names.pop_back();
    return true;
  }
  bool on_array_begin(ec_t&) { return true; }
  bool on_array_end(std::size_t, ec_t&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, ec_t& ec) {
    key.append(s.data(), s.size());
    return no_nul(s, ec, "member name");
  }
  bool on_key(json::string_view s, std::size_t, ec_t& ec) {
    if (!on_key_part(s, 0, ec)) return false;
    std::string name = std::move(key);
    key.clear();
    if (!names.back().insert(name).second) return stop(ec, "duplicate JSON member \"" + name + "\"");
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, ec_t& ec) { return no_nul(s, ec, "string"); }
  bool on_string(json::string_view s, std::size_t, ec_t& ec) { return no_nul(s, ec, "string"); }
  bool on_number_part(json::string_view, ec_t&) { return true; }
  bool on_int64(std::int64_t, json::string_view, ec_t&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, ec_t&) { return true; }
  bool on_double(double, json::string_view, ec_t&) { return true; }
  bool on_bool(bool, ec_t&) { return true; }
  bool on_null(ec_t&) { return true; }
  bool on_comment_part(json::string_view, ec_t&) { return true; }
  bool on_comment(json::string_view, ec_t&) { return true; }
};

}  // namespace

result<void> check_strict_json(std::string_view text) {
  json::basic_parser<strict_handler> parser{json::parse_options{}};
  ec_t ec;
  parser.write_some(false, text.data(), text.size(), ec);
  if (!parser.handler().problem.empty()) return make_error(errc::invalid_argument, parser.handler().problem);
  return {};  // syntax errors are reported by the parse that follows
}

}  // namespace posta::http
