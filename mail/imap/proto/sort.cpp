// RFC 5256 3 (SORT keys and their comparison) and RFC 5957 2 (DISPLAYFROM,
// DISPLAYTO).
#include "mail/imap/proto/sort.hpp"

#include "mail/imap/proto/base_subject.hpp"
#include "mail/imap/proto/collation.hpp"

#include <algorithm>

namespace posta::mail::imap::proto {

namespace mime = posta::mail::mime;

namespace {

std::string mailbox_of(mime::address_list const& list) {
  auto const* a = first_mailbox(list);
  return a && a->mailbox ? *a->mailbox : std::string();
}

// RFC 5957 2: the display-name when there is a non-empty one, else the
// addr-spec "mailbox@host".
std::string display_of(mime::address_list const& list, name_decoder const& decode) {
  auto const* a = first_mailbox(list);
  if (!a) return {};
  if (a->name) {
    auto name = decode(*a->name);
    if (!name.empty()) return name;
  }
  return a->mailbox.value_or("") + "@" + a->host.value_or("");
}

template <class T>
int three_way(T const& a, T const& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_key(sort_fields const& a, sort_fields const& b, sort_key key) {
  switch (key) {
    case sort_key::arrival:
      return three_way(a.internal_date, b.internal_date);
    case sort_key::cc:
      return casemap_compare(a.cc, b.cc);
    case sort_key::date:
      return three_way(a.sent_date, b.sent_date);
    case sort_key::from:
      return casemap_compare(a.from, b.from);
    case sort_key::size:
      return three_way(a.size, b.size);
    case sort_key::subject:
      return casemap_compare(a.subject, b.subject);
    case sort_key::to:
      return casemap_compare(a.to, b.to);
    case sort_key::display_from:
      return casemap_compare(a.display_from, b.display_from);
    case sort_key::display_to:
      return casemap_compare(a.display_to, b.display_to);
  }
  return 0;
}

}  // namespace

mime::address const* first_mailbox(mime::address_list const& list) {
  for (auto const& a : list)
    if (!a.is_group_start() && !a.is_group_end()) return &a;
  return nullptr;
}

sort_fields make_sort_fields(mime::message_structure const& ms, std::uint32_t id, std::int64_t internal_date,
                             name_decoder const& decode) {
  sort_fields f;
  f.id = id;
  f.internal_date = internal_date;
  f.sent_date = ms.sent_date.value_or(internal_date);
  f.size = ms.size;
  f.subject = extract_base_subject(ms.subject_decoded).text;
  f.from = mailbox_of(ms.env.from);
  f.to = mailbox_of(ms.env.to);
  f.cc = mailbox_of(ms.env.cc);
  f.display_from = display_of(ms.env.from, decode);
  f.display_to = display_of(ms.env.to, decode);
  return f;
}

std::vector<std::uint32_t> sort_messages(std::vector<sort_fields> messages, std::span<sort_criterion const> program) {
  auto before = [&](sort_fields const& a, sort_fields const& b) {
    for (auto const& c : program) {
      int r = compare_key(a, b, c.key);
      if (r != 0) return c.reverse ? r > 0 : r < 0;
    }
    return a.id < b.id;
  };
  std::sort(messages.begin(), messages.end(), before);
  std::vector<std::uint32_t> ids;
  ids.reserve(messages.size());
  for (auto const& m : messages) ids.push_back(m.id);
  return ids;
}

}  // namespace posta::mail::imap::proto
