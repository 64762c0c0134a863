// Active Directory passes (issue 12 "Sync"). The first pass reads everything
// by paged searches, after a DirSync pass (MS-ADTS 3.1.1.3.4.1.3) whose
// filter matches nothing: it returns no entry, only a cookie of the
// directory's state, so a change made during the long read comes again in
// the next pass (bench/README.md has the measurement that chose this over a
// DirSync pass from an empty cookie). Later passes ask DirSync what changed
// since the stored cookies and re-read each changed object whole, under the
// bases and with the source's filter: DirSync returns only the changed
// attributes, from the whole naming context, so an object no longer found
// there left the source (moved away, out of the filter). Deletions come as
// tombstones where the service account may read them (CN=Deleted Objects:
// administrators); otherwise the pass also lists the objectGUIDs still under
// the bases and the plan sees who is gone by absence. Where DirSync is
// refused, the same is done from uSNChanged against the DC's
// highestCommittedUSN.
#include "core/journal/journal.hpp"
#include "core/util/ascii.hpp"
#include "directory/proto/identity_values.hpp"
#include "directory/proto/ldap_filter.hpp"
#include "directory/sync/fetch_parts.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace posta::directory::sync::detail {
namespace {

constexpr std::string_view dirsync_oid = "1.2.840.113556.1.4.841";
// MS-ADTS 6.1.1.4: the well-known GUID of CN=Deleted Objects.
constexpr std::string_view deleted_objects_wkguid = "18e2ea80684f11d2b9aa00c04f79f805";
// No object has this class: the DirSync pass that only fetches a cookie.
constexpr std::string_view matches_nothing = "(&(objectClass=user)(objectClass=posta-matches-nothing))";
constexpr std::string_view refused_mark = "dirsync refused";
constexpr std::string_view usn_server_key = "usn server";  // USNs are per DC: the dsServiceName they belong to

std::string users_key(std::string const& nc) {
  return "dirsync " + nc;
}
std::string groups_key(std::string const& nc) {
  return "dirsync groups " + nc;
}
std::string usn_key(std::string const& nc) {
  return "usn " + nc;
}

bool offers(proto::entry const& dse, std::string_view oid) {
  auto const* controls = dse.values("supportedControl");
  return controls && std::find(controls->begin(), controls->end(), oid) != controls->end();
}

// The naming contexts holding the bases (DirSync searches only from one).
std::vector<std::string> naming_contexts(std::vector<std::string> const& bases, proto::entry const& dse) {
  std::vector<std::string> out;
  for (auto const& base : bases) {
    std::string best;
    auto const lower = util::ascii_lowercase(base);
    if (auto const* ncs = dse.values("namingContexts"))
      for (auto const& nc : *ncs) {
        auto const l = util::ascii_lowercase(nc);
        bool const holds = lower == l || lower.ends_with("," + l);
        if (holds && nc.size() > best.size()) best = nc;
      }
    if (best.empty()) best = dse.first("defaultNamingContext");
    if (std::find(out.begin(), out.end(), best) == out.end()) out.push_back(best);
  }
  return out;
}

// Objects of the stream's class, whether or not they still match the
// source's filter (a tombstone keeps its objectClass and little else).
std::string stream_filter(std::string_view object_class, std::string const& source_filter) {
  return "(|(objectClass=" + std::string(object_class) + ")" + source_filter + ")";
}

// Whether tombstones can be read: an administrator reads CN=Deleted
// Objects' own attributes, anyone else sees only its name (Samba and AD).
bool sees_tombstones(ldap::connection& conn, std::string const& nc) {
  ldap::search_request r;
  r.base = "<WKGUID=" + std::string(deleted_objects_wkguid) + "," + nc + ">";
  r.where = ldap::scope::base;
  r.attributes = {"isDeleted"};
  r.page_size = 0;
  r.max_entries = 1;
  r.show_deleted = true;
  auto got = conn.search_all_blocking(r);
  return got && !got->empty() && got->front().first("isDeleted") == "TRUE";
}

// One object a change list names.
struct changed_object {
  std::string raw_guid;  // objectGUID as the directory has it (16 bytes)
  std::string uuid;      // in proto's text form
  bool deleted = false;  // a tombstone
};

struct change_list {
  std::vector<changed_object> users, groups;
  cookies next;  // the positions to keep after this pass
};

void add_change(std::vector<changed_object>& into, proto::entry const& e, bool deleted) {
  auto const raw = e.first("objectGUID");
  if (auto uuid = proto::guid_text(raw)) into.push_back({std::string(raw), std::move(*uuid), deleted});
}

// --- DirSync ----------------------------------------------------------------

ldap::search_request dirsync_request(std::string const& nc, std::string filter, std::vector<std::string> attributes) {
  ldap::search_request r;
  r.base = nc;
  r.filter = std::move(filter);
  r.attributes = std::move(attributes);
  // A rename changes `name` (and the DN) only: without it DirSync would not
  // tell. isDeleted marks tombstones.
  r.attributes.push_back("name");
  r.attributes.push_back("isDeleted");
  r.page_size = 0;  // DirSync pages itself (its "more" flag)
  return r;
}

result<change_list> dirsync_changes(ldap::connection& conn, store::source_config const& c,
                                    std::vector<std::string> const& ncs, cookies const& from) {
  auto const map = c.attributes();
  change_list out;
  for (auto const& nc : ncs) {
    auto users = dirsync_request(nc, stream_filter("user", c.users_filter()), users_request(c, map).attributes);
    auto groups = dirsync_request(nc, stream_filter("group", c.groups_filter()), groups_request(c, map).attributes);
    for (auto* stream : {&users, &groups}) {
      auto const key = stream == &users ? users_key(nc) : groups_key(nc);
      auto pass = POSTA_TRY(conn.dirsync_blocking(*stream, from.at(key)));
      auto& into = stream == &users ? out.users : out.groups;
      for (auto const& ch : pass.changes) add_change(into, ch.entry, ch.what == ldap::change::kind::deleted);
      out.next[key] = std::move(pass.cookie);
    }
  }
  return out;
}

// The cookies a first pass starts from, taken before it reads anything.
result<void> starting_cookies(ldap::connection& conn, std::vector<std::string> const& ncs, cookies& next) {
  for (auto const& nc : ncs) {
    auto pass = POSTA_TRY(conn.dirsync_blocking(dirsync_request(nc, std::string(matches_nothing), {"objectGUID"}), ""));
    next[users_key(nc)] = pass.cookie;
    next[groups_key(nc)] = std::move(pass.cookie);
  }
  return {};
}

// --- uSNChanged ---------------------------------------------------------------

std::optional<std::uint64_t> parse_usn(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// Positions for the next uSNChanged pass: the DC's highestCommittedUSN now
// (read before this pass reads anything), and which DC that is.
bool usn_positions(proto::entry const& dse, std::vector<std::string> const& ncs, cookies& next) {
  auto const highest = dse.first("highestCommittedUSN");
  if (!parse_usn(highest) || dse.first("dsServiceName").empty()) return false;
  for (auto const& nc : ncs) next[usn_key(nc)] = highest;
  next[std::string(usn_server_key)] = dse.first("dsServiceName");
  return true;
}

result<change_list> usn_changes(ldap::connection& conn, store::source_config const& c, proto::entry const& dse,
                                std::vector<std::string> const& ncs, cookies const& from) {
  change_list out;
  if (!usn_positions(dse, ncs, out.next)) return make_error(errc::protocol_error, "root DSE without highestCommittedUSN");
  for (auto const& nc : ncs) {
    auto const since = parse_usn(from.at(usn_key(nc)));
    if (!since) return make_error(errc::invalid_argument, "stored USN unreadable");
    ldap::search_request r;
    r.base = nc;
    r.attributes = {"objectGUID", "isDeleted"};
    r.page_size = c.page_size;
    r.show_deleted = true;  // tombstones too, where the account may read them
    auto const newer = "(uSNChanged>=" + std::to_string(*since + 1) + ")";
    for (auto* into : {&out.users, &out.groups}) {
      auto const cls = into == &out.users ? stream_filter("user", c.users_filter())
                                          : stream_filter("group", c.groups_filter());
      r.filter = "(&" + cls + newer + ")";
      POSTA_TRY(conn.search_blocking(r, [&](proto::entry&& e) -> result<void> {
        add_change(*into, e, e.first("isDeleted") == "TRUE");
        return {};
      }));
    }
  }
  return out;
}

// --- applying a change list -----------------------------------------------------

// The object with `raw_guid` as the source sees it: searched under each base
// with the source's filter; none when it is no longer there.
result<std::optional<proto::entry>> reread(ldap::connection& conn, std::vector<std::string> const& bases,
                                           ldap::search_request req, std::string_view raw_guid) {
  req.filter = proto::and_equals(req.filter, "objectGUID", raw_guid);
  req.page_size = 0;
  req.max_entries = 1;
  for (auto const& base : bases) {
    req.base = base;
    auto got = conn.search_all_blocking(req);
    if (!got && got.error().code == make_error_code(errc::not_found)) continue;  // a base that went away
    if (!got) return std::move(got).error();
    if (!got->empty()) return std::optional<proto::entry>(std::move(got->front()));
  }
  return std::optional<proto::entry>();
}

// The objectGUIDs still under the bases (not in `skip`): the present phase
// of a pass that cannot see tombstones.
result<void> list_present(ldap::connection& conn, std::vector<std::string> const& bases, ldap::search_request req,
                          std::set<std::string> const& skip, std::vector<std::string>& into) {
  req.attributes = {"objectGUID"};
  std::set<std::string> seen;
  for (auto const& base : bases) {
    req.base = base;
    POSTA_TRY(conn.search_blocking(req, [&](proto::entry&& e) -> result<void> {
      auto uuid = proto::guid_text(e.first("objectGUID"));
      if (uuid && !skip.count(*uuid) && seen.insert(*uuid).second) into.push_back(std::move(*uuid));
      return {};
    }));
  }
  return {};
}

// In AD a renamed user's groups name it by its new DN without a change of
// their own that DirSync would report (member is a link to the object): so
// the groups of every changed user are re-read too.
result<void> reread_groups_of(ldap::connection& conn, store::source_config const& c, ldap::search_request const& greq,
                              std::vector<proto::directory_user> const& users, std::set<std::string>& changed,
                              group_collector& groups) {
  std::set<std::string> dns;
  for (auto const& u : users) dns.insert(u.member_of.begin(), u.member_of.end());
  for (auto const& dn : dns) {
    ldap::search_request r;
    r.base = dn;
    r.where = ldap::scope::base;
    r.filter = greq.filter;
    r.attributes = {"objectGUID"};
    r.page_size = 0;
    r.max_entries = 1;
    auto got = conn.search_all_blocking(r);
    if (!got && got.error().code == make_error_code(errc::not_found)) continue;
    if (!got) return std::move(got).error();
    if (got->empty()) continue;
    auto const raw = std::string(got->front().first("objectGUID"));
    auto uuid = proto::guid_text(raw);
    if (!uuid || !changed.insert(*uuid).second) continue;
    auto e = POSTA_TRY(reread(conn, c.base_dns, greq, raw));
    if (e) POSTA_TRY(groups.entry(std::move(*e), *uuid));
  }
  return {};
}

// Each changed object re-read whole through `take`; a tombstone, or one no
// longer under the bases with the filter, goes to `gone`.
template <class Take>
result<void> reread_all(ldap::connection& conn, std::vector<std::string> const& bases,
                        ldap::search_request const& req, std::vector<changed_object> const& objects,
                        std::set<std::string>& changed, std::vector<std::string>& gone, Take take) {
  for (auto const& o : objects) {
    changed.insert(o.uuid);
    std::optional<proto::entry> e;
    if (!o.deleted) e = POSTA_TRY(reread(conn, bases, req, o.raw_guid));
    if (e)
      POSTA_TRY(take(std::move(*e), o.uuid));
    else
      gone.push_back(o.uuid);
  }
  return {};
}

result<void> apply_changes(ldap::connection& conn, store::source_config const& c, std::vector<std::string> const& ncs,
                           change_list& list, collector& users, group_collector& groups) {
  auto& out = users.out;
  auto const map = c.attributes();
  auto const ureq = users_request(c, map);
  auto const greq = groups_request(c, map);
  out.from_cookie = true;
  out.complete = out.groups.complete = false;
  std::set<std::string> changed_users, changed_groups;
  POSTA_TRY(reread_all(conn, c.base_dns, ureq, list.users, changed_users, out.deleted_uuids,
                       [&](proto::entry&& e, std::string const& uuid) -> result<void> {
                         users.entry(std::move(e), uuid);
                         return {};
                       }));
  POSTA_TRY(reread_all(conn, c.base_dns, greq, list.groups, changed_groups, out.groups.deleted,
                       [&](proto::entry&& e, std::string const& uuid) { return groups.entry(std::move(e), uuid); }));
  POSTA_TRY(reread_groups_of(conn, c, greq, out.users, changed_groups, groups));
  bool const tombstones =
      std::all_of(ncs.begin(), ncs.end(), [&](std::string const& nc) { return sees_tombstones(conn, nc); });
  if (!tombstones) {
    out.complete = out.groups.complete = true;
    POSTA_TRY(list_present(conn, c.base_dns, ureq, changed_users, out.unchanged_uuids));
    POSTA_TRY(list_present(conn, c.base_dns, greq, changed_groups, out.groups.unchanged));
  }
  out.next_cookies = std::move(list.next);
  return {};
}

bool has_all(cookies const& from, std::vector<std::string> const& keys) {
  return std::all_of(keys.begin(), keys.end(), [&](std::string const& k) { return from.count(k) > 0; });
}

// The change list from the stored positions; none when there are none
// usable (a first pass, other bases, another DC for USNs).
result<std::optional<change_list>> stored_changes(ldap::connection& conn, store::source_config const& c,
                                                  proto::entry const& dse, std::vector<std::string> const& ncs,
                                                  cookies const& from) {
  std::vector<std::string> dirsync_keys, usn_keys;
  for (auto const& nc : ncs) {
    dirsync_keys.push_back(users_key(nc));
    dirsync_keys.push_back(groups_key(nc));
    usn_keys.push_back(usn_key(nc));
  }
  if (has_all(from, dirsync_keys) && offers(dse, dirsync_oid))
    return std::optional<change_list>(POSTA_TRY(dirsync_changes(conn, c, ncs, from)));
  auto const server = from.find(std::string(usn_server_key));
  if (has_all(from, usn_keys) && server != from.end() && server->second == dse.first("dsServiceName"))
    return std::optional<change_list>(POSTA_TRY(usn_changes(conn, c, dse, ncs, from)));
  return std::optional<change_list>();
}

// A complete pass, leaving the positions for the next one: DirSync cookies,
// or (DirSync refused, said once in the journal) the USN to poll from.
result<void> first_pass(ldap::connection& conn, store::source_config const& c, proto::entry const& dse,
                        std::vector<std::string> const& ncs, cookies const& from, collector& users,
                        group_collector& groups) {
  auto& next = users.out.next_cookies;
  result<void> started = make_error(errc::protocol_error, "the server does not offer DirSync");
  if (offers(dse, dirsync_oid)) started = starting_cookies(conn, ncs, next);
  if (!started) {
    if (started.error().code == make_error_code(errc::unavailable)) return std::move(started).error();
    next.clear();
    bool const polls = usn_positions(dse, ncs, next);
    if (!from.count(std::string(refused_mark)))
      journal::record(journal::level::warning, "directory",
                      polls ? "DirSync refused: incremental passes poll uSNChanged"
                            : "DirSync refused and no USN to poll: every pass reads everything",
                      {{"uri", conn.uri()}, {"error", started.error().message()}});
    next[std::string(refused_mark)] = "1";
  }
  return read_everything(conn, c, users, groups);
}

}  // namespace

result<void> fetch_ad(ldap::connection& conn, store::source_config const& c, cookies const& from, collector& users,
                      group_collector& groups) {
  // The root DSE first: its highestCommittedUSN must not be newer than
  // anything this pass reads.
  auto const dse = POSTA_TRY(conn.root_dse_blocking());
  auto const ncs = naming_contexts(c.base_dns, dse);
  auto listed = stored_changes(conn, c, dse, ncs, from);
  if (!listed && listed.error().code == make_error_code(errc::unavailable)) return std::move(listed).error();
  if (listed && *listed) {
    if (from.count(std::string(refused_mark))) (*listed)->next[std::string(refused_mark)] = "1";
    return apply_changes(conn, c, ncs, **listed, users, groups);
  }
  if (!listed)  // a cookie the server no longer takes, rights withdrawn …: start over
    journal::record(journal::level::warning, "directory", "directory incremental state unusable: a full pass",
                    {{"uri", conn.uri()}, {"error", listed.error().message()}});
  return first_pass(conn, c, dse, ncs, from, users, groups);
}

}  // namespace posta::directory::sync::detail
