// Reading a source's users and groups for one sync pass (fetch.hpp): paged
// searches (RFC 2696), RFC 4533 content synchronisation from stored cookies,
// and the entry mapping every kind of pass shares (fetch_parts.hpp).
#include "directory/sync/fetch.hpp"

#include "directory/sync/fetch_parts.hpp"

#include "core/util/ascii.hpp"
#include "core/util/base64.hpp"
#include "core/util/crypto_hash.hpp"
#include "core/util/hex.hpp"
#include "directory/proto/identity_values.hpp"
#include "directory/proto/sync_position.hpp"
#include "directory/sync/fetch_units.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

namespace posta::directory::sync {
using namespace detail;
namespace {

// SECURITY: a photo larger than this is not kept (AD's thumbnailPhoto is at
// most 100 KB by schema); the account is synced without it.
constexpr std::size_t max_photo_bytes = 512 * 1024;
constexpr std::string_view content_sync_oid = "1.3.6.1.4.1.4203.1.9.1.1";  // RFC 4533 2.2

void keep_photo_digest(proto::directory_user& u) {
  if (u.photo && u.photo->size() > max_photo_bytes) u.photo.reset();
  if (u.photo) u.photo_sha256 = util::hex_encode(util::digest(util::hash_algorithm::sha256, *u.photo));
}

// What one content synchronisation named, by kind.
struct sync_sink {
  std::function<result<void>(proto::entry&&, std::string const& uuid)> changed;
  std::vector<std::string>& deleted;
  std::vector<std::string>& unchanged;
};

// One RFC 4533 refreshOnly pass over `req` from `cookie`; returns whether
// it listed everything (then what it did not name is gone).
result<bool> content_sync(ldap::connection& conn, ldap::search_request req, std::string const& cookie,
                          sync_sink const& into, std::string& next_cookie) {
  req.page_size = 0;  // RFC 4533 does not combine with paging; the server streams the entries
  auto pass = POSTA_TRY(conn.content_sync_blocking(req, cookie));
  for (auto& change : pass.changes) {
    if (change.what == ldap::change::kind::deleted) {
      into.deleted.push_back(change.uuid);
    } else if (change.entry.attributes.empty()) {
      into.unchanged.push_back(change.uuid);  // present phase: unchanged, named by UUID only
    } else {
      POSTA_TRY(into.changed(std::move(change.entry), change.uuid));
    }
  }
  next_cookie = pass.cookie;
  // A refresh without a cookie lists everything, whatever its last message says.
  return cookie.empty() || pass.complete_refresh;
}

// SECURITY: bounds the follow-up reads of one group's members (AD answers
// 1,500 per read: this allows 1.5 million).
constexpr int max_member_ranges = 1000;

// AD gives a large group's members in ranges ("member;range=0-1499"): the
// rest is read range by range and all of it becomes plain `member`.
result<void> complete_ranged_members(ldap::connection& conn, proto::entry& e, std::string const& member) {
  std::vector<std::string> all;
  std::optional<proto::ranged_attribute> pending;
  for (auto it = e.attributes.begin(); it != e.attributes.end();) {
    auto r = proto::parse_ranged(it->name);
    if (!r || !util::ascii_iequals(r->base, member)) {
      ++it;
      continue;
    }
    for (auto& v : it->values) all.push_back(std::move(v));
    if (r->high) pending = r;
    it = e.attributes.erase(it);
  }
  for (int round = 0; pending && round < max_member_ranges; ++round) {
    ldap::search_request more;
    more.base = e.dn;
    more.where = ldap::scope::base;
    more.attributes = {proto::next_range(*pending)};
    more.page_size = 0;
    more.max_entries = 1;
    auto got = POSTA_TRY(conn.search_all_blocking(more));
    pending.reset();
    if (got.empty()) break;
    for (auto& a : got.front().attributes) {
      auto r = proto::parse_ranged(a.name);
      if (!r) continue;
      for (auto& v : a.values) all.push_back(std::move(v));
      if (r->high) pending = r;
    }
  }
  if (all.empty()) return {};
  for (auto& a : e.attributes)
    if (util::ascii_iequals(a.name, member))
      return a.values.insert(a.values.end(), all.begin(), all.end()), result<void>{};
  e.attributes.push_back({member, std::move(all)});
  return {};
}

// RFC 4533 for the groups, from the cookies kept under "groups BASE".
result<void> content_sync_groups(ldap::connection& conn, store::source_config const& c,
                                 proto::attribute_map const& map, cookies const& from, group_collector& groups,
                                 fetched& out) {
  auto req = groups_request(c, map);
  auto& g = out.groups;
  for (auto const& base : c.base_dns) {
    req.base = base;
    auto const key = "groups " + base;
    auto const it = from.find(key);
    sync_sink sink{[&](proto::entry&& e, std::string const& uuid) { return groups.entry(std::move(e), uuid); },
                   g.deleted, g.unchanged};
    auto complete = POSTA_TRY(
        content_sync(conn, req, it == from.end() ? std::string() : it->second, sink, out.next_cookies[key]));
    g.complete = g.complete && complete;
  }
  return {};
}

}  // namespace

namespace detail {

void collector::entry(proto::entry&& e, std::string const& uuid_if_known) {
  ++out.entries;
  auto m = proto::map_user(e, map, now);
  if (!m.user) {
    out.skipped.push_back({e.dn, "", m.skipped_because});
    if (!uuid_if_known.empty()) out.deleted_uuids.push_back(uuid_if_known);
    return;
  }
  if (!seen.insert(m.user->uuid).second) return;
  keep_photo_digest(*m.user);
  out.users.push_back(std::move(*m.user));
}

result<void> group_collector::entry(proto::entry&& e, std::string const& uuid_if_known) {
  POSTA_TRY(complete_ranged_members(conn_, e, map_.member));
  auto mapped = proto::map_group(e, map_);
  if (!mapped.group) {
    if (!uuid_if_known.empty()) into_.deleted.push_back(uuid_if_known);  // no longer a group Posta can follow
    return {};
  }
  if (seen_.insert(mapped.group->uuid).second) into_.changed.push_back(std::move(*mapped.group));
  return {};
}

ldap::search_request users_request(store::source_config const& c, proto::attribute_map const& map) {
  ldap::search_request req;
  req.filter = c.users_filter();
  req.attributes = proto::requested_attributes(map);
  req.page_size = c.page_size;
  return req;
}

ldap::search_request groups_request(store::source_config const& c, proto::attribute_map const& map) {
  ldap::search_request req;
  req.filter = c.groups_filter();
  req.attributes = {map.uuid, "cn", map.display_name, map.mail, map.member, "description", "isDeleted"};
  req.page_size = c.page_size;
  return req;
}

result<void> read_everything(ldap::connection& conn, store::source_config const& c, collector& users,
                             group_collector& groups) {
  auto const map = c.attributes();
  auto req = users_request(c, map);
  auto greq = groups_request(c, map);
  for (auto const& base : c.base_dns) {
    req.base = greq.base = base;
    POSTA_TRY(conn.search_blocking(req, [&](proto::entry&& e) -> result<void> {
      users.entry(std::move(e));
      return {};
    }));
    POSTA_TRY(conn.search_blocking(greq, [&](proto::entry&& e) { return groups.entry(std::move(e)); }));
  }
  return {};
}

}  // namespace detail

bool offers_content_sync(ldap::connection& conn) {
  auto dse = conn.root_dse_blocking();
  if (!dse) return false;
  auto const* controls = dse->values("supportedControl");
  return controls && std::find(controls->begin(), controls->end(), content_sync_oid) != controls->end();
}

result<fetched> fetch_users_blocking(store::source_config const& c, std::string const& password, cookies const& from,
                                     std::int64_t now) {
  auto conn = POSTA_TRY(ldap::connection::open_blocking(c.server(), c.bind_dn, password));
  auto const map = c.attributes();
  fetched out;
  out.uri = conn->uri();
  collector users{map, now, out};
  group_collector groups(*conn, map, out.groups);
  // The users' organisational units' descriptions ([ounotes]) follow each read.
  if (c.profile == proto::profile::ad) {
    POSTA_TRY(fetch_ad(*conn, c, from, users, groups));
    POSTA_TRY(add_unit_notes_blocking(*conn, c, out.users));
    return out;
  }
  if (!offers_content_sync(*conn)) {
    POSTA_TRY(read_everything(*conn, c, users, groups));
    POSTA_TRY(add_unit_notes_blocking(*conn, c, out.users));
    return out;
  }
  auto req = users_request(c, map);
  for (auto const& base : c.base_dns) {
    req.base = base;
    auto const it = from.find(base);
    sync_sink sink{[&](proto::entry&& e, std::string const& uuid) -> result<void> {
                     users.entry(std::move(e), uuid);
                     return {};
                   },
                   out.deleted_uuids, out.unchanged_uuids};
    auto complete = POSTA_TRY(
        content_sync(*conn, req, it == from.end() ? std::string() : it->second, sink, out.next_cookies[base]));
    out.complete = out.complete && complete;
    out.from_cookie = out.from_cookie || it != from.end();
  }
  POSTA_TRY(content_sync_groups(*conn, c, map, from, groups, out));
  POSTA_TRY(add_unit_notes_blocking(*conn, c, out.users));
  return out;
}

std::string encode_cookies(cookies const& c) {
  boost::json::object o;
  for (auto const& [base, cookie] : c) o[base] = util::base64_encode(cookie);
  return boost::json::serialize(o);
}

cookies decode_cookies(std::string const& stored) {
  cookies out;
  boost::system::error_code ec;
  auto doc = boost::json::parse(stored, ec);
  if (ec || !doc.is_object()) return out;  // none, or unreadable: the next pass is a full one
  for (auto const& [base, text] : doc.as_object()) {
    if (!text.is_string()) continue;
    auto bytes = util::base64_decode(text.as_string());
    if (bytes) out[std::string(base)] = std::move(*bytes);
  }
  return out;
}

bool same_groups(std::vector<proto::directory_group> a, std::vector<proto::directory_group> b) {
  auto by_uuid = [](proto::directory_group const& x, proto::directory_group const& y) { return x.uuid < y.uuid; };
  std::sort(a.begin(), a.end(), by_uuid);
  std::sort(b.begin(), b.end(), by_uuid);
  return a == b;
}

incremental_state describe(cookies const& c) {
  incremental_state s;
  for (auto const& [key, value] : c) {
    if (key == "dirsync refused") continue;  // a mark, not a position
    std::string_view const k = key;
    auto const kind = k.starts_with("dirsync ") ? "dirsync" : k.starts_with("usn ") ? "usn" : "rfc4533";
    if (s.kind == "none") s.kind = kind;
    s.positions[key] = proto::short_position(value);
  }
  return s;
}

std::vector<proto::directory_group> merge_groups(std::vector<proto::directory_group> stored,
                                                 fetched::group_changes const& changes) {
  std::map<std::string, proto::directory_group> by_uuid;
  if (!changes.complete)
    for (auto& g : stored) by_uuid.emplace(g.uuid, std::move(g));
  else
    for (auto& g : stored)  // a complete pass keeps only what it named as unchanged
      if (std::find(changes.unchanged.begin(), changes.unchanged.end(), g.uuid) != changes.unchanged.end())
        by_uuid.emplace(g.uuid, std::move(g));
  for (auto const& uuid : changes.deleted) by_uuid.erase(uuid);
  for (auto const& g : changes.changed) by_uuid[g.uuid] = g;
  std::vector<proto::directory_group> out;
  for (auto& [uuid, g] : by_uuid) out.push_back(std::move(g));
  return out;
}

}  // namespace posta::directory::sync
