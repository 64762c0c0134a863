// What IMAP needs to know about a stored message, computed once at delivery:
// the ENVELOPE (RFC 3501 7.4.2), the body structure tree (RFC 2045/2046/2183/
// 2231) and byte offsets of every part into the raw message, so FETCH slices.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::mime {

// One element of an IMAP address list (RFC 3501 7.4.2). Strings are raw
// header text: RFC 2047 encoded words are kept, as IMAP requires.
// Group start: mailbox = group name, host = nullopt; group end: all nullopt.
struct address {
  std::optional<std::string> name;
  std::optional<std::string> adl;  // obsolete source route, "@a,@b"
  std::optional<std::string> mailbox;
  std::optional<std::string> host;

  bool is_group_start() const { return mailbox && !host; }
  bool is_group_end() const { return !name && !adl && !mailbox && !host; }
  bool operator==(address const&) const = default;
};

using address_list = std::vector<address>;

// Raw (unfolded, not RFC 2047 decoded) header values; nullopt is NIL.
// sender and reply_to already default to from, as RFC 3501 says.
struct envelope {
  std::optional<std::string> date;
  std::optional<std::string> subject;
  address_list from;
  address_list sender;
  address_list reply_to;
  address_list to;
  address_list cc;
  address_list bcc;
  std::optional<std::string> in_reply_to;
  std::optional<std::string> message_id;

  bool operator==(envelope const&) const = default;
};

// A Content-Type or Content-Disposition parameter. name is lowercase; value is
// decoded (RFC 2231 continuations and charsets, RFC 2047 workaround) to UTF-8.
struct parameter {
  std::string name;
  std::string value;

  bool operator==(parameter const&) const = default;
};

// Half-open [begin, end) byte range into the raw message.
struct byte_range {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  std::uint64_t size() const { return end - begin; }
  bool operator==(byte_range const&) const = default;
};

// One MIME entity. For the root (and for the root of a message/rfc822 inner
// message) the "header" is the whole RFC 5322 header; otherwise it is the MIME
// header that follows the boundary line. Offsets satisfy
// header_start <= body_start <= body_end <= message size; the header range
// includes the blank line that ends it.
struct body_part {
  std::string type = "text";  // lowercase
  std::string subtype = "plain";
  std::vector<parameter> params;
  std::optional<std::string> id;           // Content-ID, raw
  std::optional<std::string> description;  // Content-Description, raw
  std::optional<std::string> encoding;     // Content-Transfer-Encoding, lowercase
  std::optional<std::string> md5;          // Content-MD5
  std::optional<std::string> disposition;  // Content-Disposition type, lowercase
  std::vector<parameter> disposition_params;
  std::vector<std::string> language;       // Content-Language tags
  std::optional<std::string> location;     // Content-Location, raw

  std::uint64_t header_start = 0;
  std::uint64_t body_start = 0;
  std::uint64_t body_end = 0;
  std::uint64_t lines = 0;  // lines of the body (meaningful for text/* and message/rfc822)

  // multipart/*: its parts. message/rfc822: exactly one, the inner message's
  // root (whose header range is this part's body start up to the inner body).
  std::vector<body_part> children;
  std::optional<envelope> message_envelope;  // message/rfc822 only

  bool is_multipart() const { return type == "multipart"; }
  bool is_message_rfc822() const {
    return type == "message" && subtype == "rfc822" && message_envelope && children.size() == 1;
  }
  bool is_text() const { return type == "text"; }
  byte_range header() const { return {header_start, body_start}; }
  byte_range body() const { return {body_start, body_end}; }
  // Content-Type parameter by lowercase name.
  std::optional<std::string> param(std::string_view name) const {
    for (auto const& p : params)
      if (p.name == name) return p.value;
    return std::nullopt;
  }

  bool operator==(body_part const&) const = default;
};

struct message_structure {
  envelope env;
  body_part root;  // root.header() is the message header, root.body() its body
  std::uint64_t size = 0;          // RFC822.SIZE
  std::uint64_t header_lines = 0;  // lines of the message header (with the blank line)
  std::string subject_decoded;     // UTF-8, RFC 2047 decoded; for listing and search
  std::string from_name_decoded;   // UTF-8 display name of the first From address
  std::optional<std::int64_t> sent_date;  // Date header as Unix seconds, for SORT
  bool has_attachments = false;

  std::uint64_t header_size() const { return root.body_start - root.header_start; }
  std::uint64_t body_size() const { return root.body_end - root.body_start; }
  std::uint64_t body_lines() const { return root.lines; }

  bool operator==(message_structure const&) const = default;
};

}  // namespace posta::mail::mime
