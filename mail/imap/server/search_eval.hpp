// Evaluating a SEARCH program (RFC 3501 6.4.4, RFC 9051 6.4.4, RFC 7162
// MODSEQ, RFC 5032 OLDER/YOUNGER, RFC 5182 "$") against one message: what
// the session knows of it (flags, MODSEQ, numbers), its metadata and, for
// text keys, its decoded text. Pure: the clock value is passed in.
#pragma once

#include "mail/imap/proto/search_key.hpp"
#include "mail/mime/proto/message_structure.hpp"
#include "mail/mime/search_text.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace posta::mail::imap::server {

struct search_subject {
  std::uint32_t seq = 0;  // 1-based
  std::uint32_t uid = 0;
  std::uint64_t modseq = 0;
  std::vector<std::string> const* flags = nullptr;
  std::int64_t internal_date = 0;  // Unix seconds (needs metadata)
  std::int64_t size = 0;
  mail::mime::message_structure const* structure = nullptr;  // for SENT*
  mail::mime::search_text const* text = nullptr;             // for text keys
  bool recent = false;  // \Recent in this session (RFC 3501 2.3.2)
};

struct search_context {
  std::uint32_t message_count = 0;  // for '*' among sequence numbers
  std::uint32_t largest_uid = 0;    // for '*' among UIDs
  std::set<std::uint32_t> const* saved = nullptr;  // "$", as UIDs
  std::int64_t now = 0;
  // Text keys answered by an index: key node -> matching UIDs.
  std::map<proto::search_key const*, std::set<std::uint32_t>> const* indexed = nullptr;
};

bool is_text_key(proto::search_kind k);
// What the program needs beyond flags and numbers.
bool needs_metadata(proto::search_key const& key);
bool needs_structure(proto::search_key const& key);
bool needs_text(proto::search_key const& key);
// Whether a text key looks past the header (TEXT, BODY): else only the
// header is read and decoded.
bool needs_body(proto::search_key const& key);
// Whether the program has a MODSEQ key (SEARCH then reports the highest).
bool has_modseq_key(proto::search_key const& key);

bool search_matches(proto::search_key const& key, search_subject const& m, search_context const& ctx);

}  // namespace posta::mail::imap::server
