// A real directory server for the C++ directory tests: slapd or a Samba AD
// DC started by tests/integration/harness/directory_fixtures.py (one fixture
// implementation for Python and C++). The script prints one JSON line that
// describes the server and then answers one JSON call per line; closing its
// stdin (our destructor, or our death) stops the server by its pid.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <sys/types.h>
#include <vector>

namespace posta::itest {

class directory_server {
 public:
  // kind: "slapd" or "samba"; extra: more arguments ("--no-tls").
  explicit directory_server(std::string const& kind, std::vector<std::string> const& extra = {});
  ~directory_server();
  directory_server(directory_server const&) = delete;
  directory_server& operator=(directory_server const&) = delete;

  // A string attribute of the description (uri, ldaps_uri, ca_file,
  // wrong_ca_file, base_dn, admin_dn, admin_password …); "" if absent.
  std::string get(std::string const& key) const;

  // Calls a fixture method (add_user, modify, add, delete, create_user,
  // disable_user …); its result as text. Throws with the fixture's reason.
  std::string call(std::string const& method, boost::json::array args = {}, boost::json::object kwargs = {});

 private:
  std::string read_line();
  void cleanup();
  boost::json::object info_;
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffer_;
  std::string log_;
};

}  // namespace posta::itest
