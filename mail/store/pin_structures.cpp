#include "mail/store/pin_structures.hpp"

#include "core/db/arrays.hpp"

namespace posta::mail::store {

asio::awaitable<result<void>> pin_with_structures(db::connection& c, blob::store const& blobs,
                                                  std::vector<blob::blob_use> const& uses,
                                                  std::vector<std::string> const& structures) {
  if (uses.empty()) co_return result<void>{};
  std::vector<std::string> hashes;
  for (auto const& u : uses) hashes.push_back(u.ref.hash);
  POSTA_CO_TRY(co_await blobs.pin(c, uses));
  POSTA_CO_TRY(co_await c.q("INSERT INTO blob_structures(hash, structure) "
                            "SELECT h, s FROM unnest($1::text[], $2::text[]) AS v(h, s) "
                            "ON CONFLICT (hash) DO NOTHING",
                            db::text_array(hashes), db::text_array(structures)));
  co_return result<void>{};
}

}  // namespace posta::mail::store
