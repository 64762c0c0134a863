#include "directory/proto/entry.hpp"

#include "core/util/ascii.hpp"

namespace posta::directory::proto {

std::vector<std::string> const* entry::values(std::string_view name) const {
  for (auto const& a : attributes)
    if (util::ascii_iequals(a.name, name)) return &a.values;
  return nullptr;
}

std::string_view entry::first(std::string_view name) const {
  auto const* v = values(name);
  return v == nullptr || v->empty() ? std::string_view{} : std::string_view{v->front()};
}

}  // namespace posta::directory::proto
