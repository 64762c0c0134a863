#include "directory/store/signature_values.hpp"

#include "core/identity/names.hpp"
#include "directory/proto/org_unit.hpp"

#include <boost/json/parse.hpp>

namespace posta::directory::store {
namespace {

std::string detail(std::vector<std::pair<std::string, std::string>> const& details, std::string_view key) {
  for (auto const& [k, v] : details)
    if (k == key) return v;
  return {};
}

// postalAddress (RFC 4517 3.3.28, "$"-separated), else one built from the parts.
std::string postal_address(std::vector<std::pair<std::string, std::string>> const& details) {
  if (auto whole = detail(details, "postal_address"); !whole.empty()) return whole;
  std::string out;
  for (auto const* key : {"street", "city", "region", "postal_code", "country"})
    if (auto v = detail(details, key); !v.empty()) out += (out.empty() ? "" : "$") + v;
  return out;
}

}  // namespace

proto::signature_values signature_values_of(std::string const& display_name, std::string const& address,
                                            std::string const& dn,
                                            std::vector<std::pair<std::string, std::string>> const& details) {
  proto::signature_values v;
  v["cn"] = display_name;
  v["mail"] = address;
  v["telephoneNumber"] = detail(details, "phone");
  v["postalAddress"] = postal_address(details);
  for (auto const* key : {"title", "mobile", "pager", "url", "description", "info", "department", "company"})
    v[key] = detail(details, key);
  // [ou]: the entry's ou attribute, else where the entry lives (AD);
  // [ounotes]: that unit's description, stored by the sync (fetch_units).
  v["ou"] = detail(details, "ou");
  if (v["ou"].empty()) v["ou"] = proto::first_ou(dn);
  v["ounotes"] = detail(details, "ounotes");
  return v;
}

asio::awaitable<result<proto::signature_values>> load_signature_values(db::pool& pool, std::string address) {
  POSTA_CO_TRY_ASSIGN(auto normal, identity::normalise_address(address));
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("SELECT display_name, address, coalesce(directory_dn, ''), "
                                                 "directory_attributes::text FROM accounts WHERE address = $1",
                                                 normal));
  if (rows.empty()) co_return make_error(errc::not_found, "account " + normal);
  std::vector<std::pair<std::string, std::string>> details;
  boost::system::error_code ec;
  auto doc = boost::json::parse(rows.text(0, 3), ec);
  if (!ec && doc.is_object())
    for (auto const& [k, val] : doc.as_object())
      if (val.is_string()) details.emplace_back(std::string(k), std::string(val.as_string()));
  co_return signature_values_of(rows.str(0, 0), rows.str(0, 1), rows.str(0, 2), details);
}

}  // namespace posta::directory::store
