// The `blobs` rows: pinning bodies inside the delivering transaction (inline
// bodies are written there) and reading a body or a range wherever it lives.
#include "core/blob/blob_store.hpp"

#include "core/db/arrays.hpp"
#include "core/net/blocking.hpp"

#include <sys/stat.h>

#include <map>

namespace posta::blob {
namespace {

bool file_exists_blocking(std::filesystem::path const& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0;
}

struct pin_arrays {
  std::vector<std::string> hashes;
  std::vector<std::int64_t> sizes, is_inline, references;
  std::vector<std::int64_t> offsets;  // 1-based, into `bodies`; 0 for file blobs
  std::string bodies;                 // every inline body, one after the other
};

pin_arrays arrays_of(std::vector<blob_use> const& uses) {
  struct merged {
    blob_ref const* ref;
    std::int64_t references;
  };
  std::map<std::string, merged> unique;  // one row may be touched once per statement
  for (auto const& u : uses) {
    auto [it, added] = unique.emplace(u.ref.hash, merged{&u.ref, u.references});
    if (added) continue;
    it->second.references += u.references;
    if (u.ref.is_inline()) it->second.ref = &u.ref;
  }
  pin_arrays out;
  for (auto const& [hash, m] : unique) {
    out.hashes.push_back(hash);
    out.sizes.push_back(m.ref->size);
    out.references.push_back(m.references);
    out.is_inline.push_back(m.ref->is_inline() ? 1 : 0);
    out.offsets.push_back(m.ref->is_inline() ? static_cast<std::int64_t>(out.bodies.size()) + 1 : 0);
    if (m.ref->is_inline()) out.bodies.append(*m.ref->inline_body);
  }
  return out;
}

}  // namespace

asio::awaitable<result<void>> store::pin(db::connection& conn, std::vector<blob_use> const& uses) const {
  auto a = arrays_of(uses);
  // A row that exists as a file blob takes the inline body when one comes
  // along; its file becomes redundant and garbage collection removes it.
  // The bodies travel as one binary parameter, cut by offset: raw bytes, no
  // text encoding to build, check and decode, and no array of large
  // elements for the server to parse (array_in was a seventh of its CPU).
  // A new row is written once, with its final reference count.
  db::bytes bodies{std::move(a.bodies)};  // not a temporary in co_await (g++ 12, core/util/async.hpp)
  POSTA_CO_TRY_ASSIGN(auto rows,
                      co_await conn.q("INSERT INTO blobs(hash, size, refcount, body) "
                                      "SELECT h, s, n, CASE WHEN i = 1 THEN substring($5::bytea FROM o::int FOR s::int) END "
                                      "FROM unnest($1::text[], $2::bigint[], $3::int[], $4::bigint[], $6::bigint[]) "
                                      "AS v(h, s, i, o, n) "
                                      "ON CONFLICT (hash) DO UPDATE SET refcount = blobs.refcount + excluded.refcount, "
                                      "updated_at = now(), body = coalesce(blobs.body, excluded.body) "
                                      "RETURNING hash, body IS NULL",
                                      db::text_array(a.hashes), db::int_array(a.sizes), db::int_array(a.is_inline),
                                      db::int_array(a.offsets), std::move(bodies),
                                      db::int_array(a.references)));
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < rows.size(); ++i)
    if (rows.boolean(i, 1)) files.push_back(path_of(rows.text(i, 0)));
  if (files.empty()) co_return result<void>{};
  std::string missing = co_await net::run_disk([&] {
    for (auto const& f : files)
      if (!file_exists_blocking(f)) return f.filename().string();
    return std::string();
  });
  if (!missing.empty()) co_return make_error(errc::unavailable, "blob …" + missing + " vanished; retry");
  co_return result<void>{};
}

asio::awaitable<result<std::string>> store::read(db::connection& conn, std::string hash, std::int64_t offset,
                                                 std::int64_t length) const {
  if (offset < 0) co_return make_error(errc::invalid_argument, "blob offset");
  // Two tries: a body moved from its file into the database between our
  // look-up and the file read is found in the row the second time.
  for (int attempt = 0; attempt < 2; ++attempt) {
    // substring() on an uncompressed, out-of-line value reads only the TOAST
    // chunks of a range (see schema/003_inline_blobs.sql). NULL: a file
    // blob. Binary results: the bytes as stored, not escaped text.
    std::string sql = length < 0 ? "SELECT substring(body FROM $2::int) FROM blobs WHERE hash = $1"
                                 : "SELECT substring(body FROM $2::int FOR $3::int) FROM blobs WHERE hash = $1";
    auto args = length < 0 ? db::make_params(hash, offset + 1) : db::make_params(hash, offset + 1, length);
    auto rows = co_await conn.query_binary(std::move(sql), std::move(args));
    if (!rows) co_return rows.error();
    if (!rows->empty() && !rows->is_null(0, 0)) co_return rows->bytes(0, 0);
    auto from_file = co_await net::run_disk([&] { return read_file_blocking(hash, offset, length); });
    if (from_file || from_file.error().code != make_error_code(errc::not_found) || rows->empty()) co_return from_file;
  }
  co_return make_error(errc::not_found, "blob " + hash);
}

}  // namespace posta::blob
