#include "addressbook/dav/index.hpp"

#include "addressbook/proto/card_fields.hpp"
#include "core/util/ascii.hpp"
#include "search/proto/fold.hpp"

namespace posta::addressbook::dav {

store::card_index index_of(proto::vcard const& card) {
  auto const f = proto::extract_fields(card);
  store::card_index out;
  out.uid = f.uid;
  out.formatted_name = f.formatted_name;
  std::string text = f.formatted_name + " " + f.nickname + " " + f.organization + " " + f.department + " " + f.title;
  for (auto const& e : f.emails) {
    out.emails.push_back(util::ascii_lowercase(e.value));
    text += " " + e.value;
  }
  for (auto const& p : f.phones) text += " " + p.value;
  out.search_text = search::proto::fold(text);
  return out;
}

}  // namespace posta::addressbook::dav
