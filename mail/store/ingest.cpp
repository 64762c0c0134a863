// APPEND's blob: finish the writer off the session strand, parse once.
#include "mail/store/ingest.hpp"

#include "core/net/blocking.hpp"
#include "mail/mime/parse_message.hpp"
#include "mail/mime/structure_json.hpp"

namespace posta::mail::store {
namespace {

result<std::string> structure_of_blocking(std::string_view text) {
  auto structure = POSTA_TRY(mime::parse_message(text));
  return mime::to_json_text(structure);
}

}  // namespace

asio::awaitable<result<ingested>> ingest(blob::writer& w, blob::store const& blobs) {
  ingested out;
  if (w.is_inline()) {
    // A body that lives in the database: hashing and parsing are one trip.
    auto done = co_await net::run_cpu([&]() -> result<ingested> {
      ingested r;
      r.blob = POSTA_TRY(w.finish_blocking());
      r.structure_json = POSTA_TRY(structure_of_blocking(*r.blob.inline_body));
      return r;
    });
    co_return done;
  }
  // A file body is parsed from a read-only mapping: page cache, not heap,
  // so a large APPEND never holds its message in the process's memory.
  auto mapped = co_await net::run_disk([&]() -> result<blob::mapped_file> {
    out.blob = POSTA_TRY(w.finish_blocking());
    return blobs.map_file_blocking(out.blob.hash);
  });
  if (!mapped) co_return mapped.error();
  auto structure = co_await net::run_cpu([&] { return structure_of_blocking(mapped->bytes()); });
  if (!structure) co_return structure.error();
  out.structure_json = std::move(*structure);
  co_return out;
}

asio::awaitable<result<ingested>> ingest_text(std::string_view message, blob::store const& blobs) {
  auto w = blobs.begin();
  if (!w.stays_inline_with(message.size())) {
    auto appended = co_await net::run_disk([&] { return w.append(message); });
    if (!appended) co_return appended.error();
  } else {
    POSTA_CO_TRY(w.append(message));
  }
  co_return co_await ingest(w, blobs);
}

}  // namespace posta::mail::store
