// Turning the bytes of an APPEND into a stored blob and its parsed structure,
// the way an SMTP delivery does: blob::writer (memory up to the inline limit,
// else a file), finish (fsync of a file body), mail::mime parse once.
#pragma once

#include "core/blob/blob_store.hpp"

#include <string>
#include <string_view>

namespace posta::mail::store {

struct ingested {
  blob::blob_ref blob;
  std::string structure_json;
};

// Finishes `w` (on the disk pool when it spilled to a file, which is then
// fsynced) and parses the message (CPU pool). DURABILITY: a file body is on
// disk when this returns; an inline body becomes durable with append()'s
// commit. The writer is spent afterwards.
asio::awaitable<result<ingested>> ingest(blob::writer& w, blob::store const& blobs);

// The same for a message already in memory (tests, small APPENDs).
asio::awaitable<result<ingested>> ingest_text(std::string_view message, blob::store const& blobs);

}  // namespace posta::mail::store
