// XEP-0054 vCard-temp, the pure part: the vCard an account shows, built in
// one place from identity (FN, EMAIL, JABBERID and, once the directory
// issue stores them, TEL, TITLE and ORGUNIT) and from the two fields the
// user owns (NICKNAME, PHOTO); and the reading of what a vCard set may
// change (XEP-0054 section 3.2; PHOTO as XEP-0153 section 3.1 uses it).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace posta::jabber::proto {

struct vcard_photo {
  std::string type;   // a MIME type such as image/png; may be empty
  std::string bytes;  // decoded BINVAL
};

// What the user may set. Everything else a client sends in a vCard set is
// owned by identity (or the directory) and ignored.
struct vcard_user_fields {
  std::string nickname;
  std::optional<vcard_photo> photo;
};

struct vcard {
  // From identity. A new identity or directory attribute is one member here
  // and one line in format_vcard; empty members are left out.
  std::string full_name;   // FN: the account's display name
  std::string email;       // EMAIL/INTERNET/USERID: the mail address
  std::string jabber_id;   // JABBERID: the bare JID
  std::string telephone;   // TEL/WORK/VOICE/NUMBER (directory)
  std::string title;       // TITLE (directory)
  std::string department;  // ORG/ORGUNIT (directory)
  // From the user.
  std::string nickname;
  std::string photo_type;
  std::string photo_base64;  // BINVAL as written; empty: no PHOTO
};

// <vCard xmlns='vcard-temp'>…</vCard>, fields in XEP-0054's schema order.
std::string format_vcard(vcard const& v);

// A vCard set's user-owned fields as read from the XML (BINVAL already
// base64-decoded by the caller, whitespace allowed: clients wrap lines).
struct vcard_set_request {
  std::string nickname;
  bool has_photo_binval = false;  // a PHOTO with BINVAL (EXTVAL is not kept)
  std::string photo_type;
  std::optional<std::string> photo_bytes;  // nullopt: BINVAL was not base64
};

// SECURITY: what one vCard may hold; the photo bound is on decoded bytes
// (the text was bounded by the stanza size before it was decoded).
struct vcard_limits {
  std::size_t max_photo_bytes = 128 * 1024;
  std::size_t max_nickname_bytes = 1023;
  std::size_t max_type_bytes = 127;
};

enum class vcard_set_error {
  none,
  bad_request,     // BINVAL is not base64, or TYPE is not a MIME type
  not_acceptable,  // a field past its bound
};

struct vcard_set_outcome {
  vcard_set_error error = vcard_set_error::none;
  vcard_user_fields fields;
};
vcard_set_outcome read_vcard_set(vcard_set_request const& req, vcard_limits const& limits);

}  // namespace posta::jabber::proto
