// The values of an account's signature variables (directory/proto/
// signature_template): its name and address, and what its directory entry
// holds (schema/022 directory_attributes). Local accounts have name and mail.
#pragma once

#include "core/db/pool.hpp"
#include "directory/proto/signature_template.hpp"

#include <string>

namespace posta::directory::store {

asio::awaitable<result<proto::signature_values>> load_signature_values(db::pool& pool, std::string address);

// The variables from stored values (pure, for the unit tests): `details`
// are the keys of proto::attribute_map::details.
proto::signature_values signature_values_of(std::string const& display_name, std::string const& address,
                                            std::string const& dn,
                                            std::vector<std::pair<std::string, std::string>> const& details);

}  // namespace posta::directory::store
