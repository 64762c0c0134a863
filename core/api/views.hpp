// JSON shapes of the API objects (docs/api.md).
#pragma once

#include "core/identity/store.hpp"
#include "core/http/message.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace posta::api {

boost::json::object to_json(identity::domain_info const& d);
boost::json::object to_json(identity::account_info const& a);
boost::json::object to_json(identity::alias_info const& a);
boost::json::object to_json(identity::group_info const& g);

template <class T>
boost::json::array to_json_array(std::vector<T> const& items) {
  boost::json::array out;
  for (auto const& item : items) out.push_back(to_json(item));
  return out;
}

// The common endings of a handler: the object (or list under `key`), or the error.
template <class T>
http::response respond(result<T> const& r, int status = 200) {
  if (!r) return http::error_response(r.error());
  return http::json_response(status, to_json(*r));
}
template <class T>
http::response respond_list(result<std::vector<T>> const& r, char const* key) {
  if (!r) return http::error_response(r.error());
  return http::json_response(200, boost::json::object{{key, to_json_array(*r)}});
}
http::response respond_deleted(result<void> const& r);

}  // namespace posta::api
