// mail.auto_folders: parsing its items and creating the folders of a new
// account in the account's own transaction (RFC 6154 special-use names).
#include "core/identity/auto_folders.hpp"

#include "core/db/arrays.hpp"
#include "core/settings/settings.hpp"
#include "core/util/ascii.hpp"
#include "core/util/utf8.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <set>

namespace posta::identity {
namespace {

constexpr std::array<std::string_view, 7> special_uses = {"\\All",  "\\Archive", "\\Drafts", "\\Flagged",
                                                          "\\Junk", "\\Sent",    "\\Trash"};

std::optional<std::string> canonical_use(std::string_view use) {
  for (auto u : special_uses)
    if (util::ascii_iequals(u, use)) return std::string(u);
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

result<void> check_name(std::string_view name) {
  auto bad = [&](std::string why) {
    return make_error(errc::invalid_argument, "auto folder '" + std::string(name) + "': " + why);
  };
  if (name.empty()) return bad("empty name");
  if (name.size() > max_auto_folder_bytes) return bad("longer than 255 bytes");
  if (!util::is_valid_utf8(name)) return bad("not UTF-8");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return bad("control character");
  if (name.find('/') != std::string_view::npos) return bad("'/' is the hierarchy separator");
  if (name.front() == '\\') return bad("a name, then optionally a special-use such as \\Sent");
  return {};
}

}  // namespace

result<auto_folder> parse_auto_folder(std::string_view item) {
  auto text = trim(item);
  auto_folder out;
  auto space = text.find_last_of(" \t");
  if (space != std::string_view::npos && text.substr(space + 1).starts_with('\\')) {
    auto use = text.substr(space + 1);
    out.special_use = canonical_use(use);
    if (!out.special_use)
      return make_error(errc::invalid_argument, "auto folder '" + std::string(text) + "': unknown special-use " +
                                                    std::string(use) + " (RFC 6154)");
    text = trim(text.substr(0, space));
  }
  POSTA_TRY(check_name(text));
  out.name = std::string(text);
  if (!out.special_use) out.special_use = canonical_use("\\" + out.name);
  return out;
}

result<void> validate_auto_folder(std::string_view item) {
  POSTA_TRY(parse_auto_folder(item));
  return {};
}

namespace {

// The list in force: the stored override, read in the caller's transaction
// (so it is the value committed before this account), or the default.
asio::awaitable<result<std::vector<std::string>>> configured_items(db::connection& c) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await c.q("SELECT value::text FROM settings WHERE key = 'mail.auto_folders'"));
  boost::json::value value;
  if (!rows.empty()) {
    boost::system::error_code ec;
    value = boost::json::parse(rows.text(0, 0), ec);
  }
  if (!value.is_array()) value = settings::find_definition("mail.auto_folders")->default_value;
  std::vector<std::string> out;
  for (auto const& item : value.as_array())
    if (item.is_string()) out.emplace_back(item.as_string());
  co_return out;
}

}  // namespace

asio::awaitable<result<void>> create_auto_folders(db::connection& c, std::int64_t account_id) {
  std::vector<std::int64_t> ids{account_id};
  auto made = co_await create_auto_folders(c, std::move(ids));
  co_return made;
}

asio::awaitable<result<void>> create_auto_folders(db::connection& c, std::vector<std::int64_t> account_ids) {
  POSTA_CO_TRY_ASSIGN(auto items, co_await configured_items(c));
  std::vector<std::string> names;
  std::vector<std::string> uses;
  std::set<std::string> seen;
  for (auto const& item : items) {
    auto folder = parse_auto_folder(item);
    if (!folder || util::ascii_iequals(folder->name, "INBOX") || !seen.insert(folder->name).second) continue;
    names.push_back(folder->name);
    uses.push_back(folder->special_use.value_or(""));
  }
  if (names.empty() || account_ids.empty()) co_return result<void>{};
  auto const ids = db::int_array(account_ids);
  // WITH ORDINALITY: UIDVALIDITY values follow the setting's order.
  POSTA_CO_TRY(
      co_await c.q("INSERT INTO mailboxes(account_id, name, special_use) "
                   "SELECT a, n, nullif(u, '') FROM unnest($1::bigint[]) AS x(a), "
                   "unnest($2::text[], $3::text[]) WITH ORDINALITY AS v(n, u, i) "
                   "ORDER BY a, i ON CONFLICT (account_id, name) DO NOTHING",
                   ids, db::text_array(names), db::text_array(uses)));
  POSTA_CO_TRY(
      co_await c.q("INSERT INTO subscriptions(account_id, name) SELECT a, n FROM unnest($1::bigint[]) AS x(a), "
                   "unnest($2::text[]) AS n ON CONFLICT DO NOTHING",
                   ids, db::text_array(names)));
  co_return result<void>{};
}

}  // namespace posta::identity
