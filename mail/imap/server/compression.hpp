// COMPRESS=DEFLATE (RFC 4978): raw deflate (RFC 1951, no zlib header) in
// both directions once the command succeeds. Output is flushed with
// Z_SYNC_FLUSH after each burst so that the client can decode it at once.
// SECURITY: input is inflated at most `max` bytes at a time, the rest kept
// compressed, so a small "deflate bomb" never becomes a large buffer.
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace posta::mail::imap::server {

class deflate_codec {
 public:
  deflate_codec();
  ~deflate_codec();
  deflate_codec(deflate_codec const&) = delete;
  deflate_codec& operator=(deflate_codec const&) = delete;

  // The compressed form of `plain`, ending with a sync flush.
  std::string compress(std::string_view plain);

  // Compressed input from the client; kept until inflated.
  void feed(std::string_view compressed);
  // Up to `max` inflated bytes; empty when more input is needed. An error
  // for a corrupt stream (the session then ends).
  result<std::string> inflate(std::size_t max);
  // True when inflate() may give more without new input.
  bool has_pending() const noexcept { return pending_; }

 private:
  struct streams;
  std::unique_ptr<streams> z_;
  std::string input_;
  bool pending_ = false;
};

}  // namespace posta::mail::imap::server
