// Opening, writing and reading the per-account databases; each Xapian call
// sits inside guarded(), which turns Xapian's exceptions into errors.
#include "search/engine/mail_index.hpp"

#include "search/engine/xapian_build.hpp"
#include "search/proto/snippet.hpp"
#include "search/proto/terms.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <set>

namespace posta::search::engine {

struct mail_indexes::account_db {
  std::mutex mutex;  // Xapian objects are not thread-safe
  std::optional<Xapian::Database> reader;
};

namespace {

// SECURITY: readers kept open (each holds a few descriptors); past it the
// cache starts again, the next query of each account reopens its database.
constexpr std::size_t max_cached_readers = 256;

template <class F>
auto guarded(std::string_view what, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (Xapian::DatabaseLockError const& e) {
    return make_error(errc::unavailable, std::string(what) + ": " + e.get_msg());
  } catch (Xapian::DatabaseNotFoundError const& e) {
    return make_error(errc::not_found, std::string(what) + ": " + e.get_msg());
  } catch (Xapian::WildcardError const& e) {
    return make_error(errc::limit_exceeded, std::string(what) + ": " + e.get_msg());
  } catch (Xapian::Error const& e) {
    return make_error(errc::io_error, std::string(what) + ": " + e.get_type() + ": " + e.get_msg());
  } catch (std::exception const& e) {
    return make_error(errc::io_error, std::string(what) + ": " + e.what());
  }
}

std::string json_string(boost::json::object const& o, char const* key) {
  auto const* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::optional<language> parse_language(std::string_view name) {
  if (name == "english") return language::english;
  if (name == "french") return language::french;
  if (name == "russian") return language::russian;
  if (name == "none") return language::none;
  return std::nullopt;
}

mail_indexes::mail_indexes(std::filesystem::path root) : root_(std::move(root)) {}
mail_indexes::~mail_indexes() = default;

std::filesystem::path mail_indexes::path_of(std::int64_t account_id) const {
  return root_ / std::to_string(account_id);
}

std::shared_ptr<mail_indexes::account_db> mail_indexes::db_of(std::int64_t account_id) {
  std::lock_guard lock(mutex_);
  auto& slot = dbs_[account_id];
  if (!slot) {
    if (dbs_.size() > max_cached_readers) {
      // Entries in use stay alive through their shared_ptr.
      dbs_.clear();
      return dbs_[account_id] = std::make_shared<account_db>();
    }
    slot = std::make_shared<account_db>();
  }
  return slot;
}

result<void> mail_indexes::apply_blocking(std::int64_t account_id, std::vector<mail_change> const& changes) {
  auto db = db_of(account_id);
  std::lock_guard lock(db->mutex);
  auto const stem = stemmer_of(language_.load());
  return guarded("index of account " + std::to_string(account_id), [&]() -> result<void> {
    std::filesystem::create_directories(root_);
    // One writer at a time: this account's mutex in this process, Xapian's
    // lock file against any other.
    Xapian::WritableDatabase w(path_of(account_id).string(), Xapian::DB_CREATE_OR_OPEN);
    for (auto const& c : changes) {
      auto const id = proto::unique_term(c.mailbox_id, c.uid);
      if (c.k == mail_change::kind::add)
        w.replace_document(id, document_of(c.doc, stem));
      else
        w.delete_document(id);
    }
    w.commit();  // DURABILITY: fsynced here
    w.close();
    return {};
  });
}

result<void> mail_indexes::reset_blocking(std::int64_t account_id) {
  auto db = db_of(account_id);
  std::lock_guard lock(db->mutex);
  db->reader.reset();
  return guarded("reset of index " + std::to_string(account_id), [&]() -> result<void> {
    std::filesystem::create_directories(root_);
    Xapian::WritableDatabase w(path_of(account_id).string(), Xapian::DB_CREATE_OR_OVERWRITE);
    w.commit();
    w.close();
    return {};
  });
}

result<void> mail_indexes::drop_blocking(std::int64_t account_id) {
  auto db = db_of(account_id);
  std::lock_guard lock(db->mutex);
  db->reader.reset();
  std::error_code ec;
  std::filesystem::remove_all(path_of(account_id), ec);
  if (ec) return make_error(ec, "remove index " + std::to_string(account_id));
  return {};
}

// Opens the reader once, reopens it (to the latest commit) on every use.
// Absent database: nullopt, nothing is indexed yet.
static result<Xapian::Database*> fresh_reader(std::optional<Xapian::Database>& reader,
                                              std::filesystem::path const& path) {
  if (!std::filesystem::exists(path)) {
    reader.reset();
    return nullptr;
  }
  if (reader)
    reader->reopen();
  else
    reader.emplace(path.string());
  return &*reader;
}

result<std::vector<std::uint32_t>> mail_indexes::indexed_uids_blocking(std::int64_t account_id,
                                                                       std::int64_t mailbox_id) {
  auto db = db_of(account_id);
  std::lock_guard lock(db->mutex);
  return guarded("read index " + std::to_string(account_id), [&]() -> result<std::vector<std::uint32_t>> {
    auto* r = POSTA_TRY(fresh_reader(db->reader, path_of(account_id)));
    std::vector<std::uint32_t> out;
    if (!r) return out;
    for (auto it = r->valuestream_begin(proto::key_slot); it != r->valuestream_end(proto::key_slot); ++it)
      if (auto k = proto::parse_key(*it); k && k->mailbox_id == mailbox_id) out.push_back(k->uid);
    std::sort(out.begin(), out.end());
    return out;
  });
}

result<std::optional<std::vector<std::uint32_t>>> mail_indexes::match_imap_blocking(imap_words const& q) {
  using answer = std::optional<std::vector<std::uint32_t>>;
  auto db = db_of(q.account_id);
  std::lock_guard lock(db->mutex);
  return guarded("search index " + std::to_string(q.account_id), [&]() -> result<answer> {
    auto* r = POSTA_TRY(fresh_reader(db->reader, path_of(q.account_id)));
    if (!r) return answer{};
    auto query = imap_query_of(*r, q);
    if (!query) return answer{};
    Xapian::Enquire enquire(*r);
    enquire.set_query(
        Xapian::Query(Xapian::Query::OP_FILTER, *query, Xapian::Query(proto::mailbox_term(q.mailbox_id))));
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_docid_order(Xapian::Enquire::ASCENDING);
    auto const mset = enquire.get_mset(0, r->get_doccount());
    std::set<std::uint32_t> const wanted(q.uids.begin(), q.uids.end());
    std::vector<std::uint32_t> out;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      auto k = proto::parse_key(it.get_document().get_value(proto::key_slot));
      if (k && wanted.count(k->uid)) out.push_back(k->uid);
    }
    std::sort(out.begin(), out.end());
    return answer{std::move(out)};
  });
}

result<hits> mail_indexes::search_blocking(search_request const& req) {
  auto db = db_of(req.account_id);
  std::lock_guard lock(db->mutex);
  auto const stem = stemmer_of(language_.load());
  return guarded("search index " + std::to_string(req.account_id), [&]() -> result<hits> {
    hits out;
    auto* r = POSTA_TRY(fresh_reader(db->reader, path_of(req.account_id)));
    if (!r) return out;
    auto query = query_of(*r, req.query, stem);
    if (req.mailbox_id)
      query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(proto::mailbox_term(*req.mailbox_id)));
    Xapian::Enquire enquire(*r);
    enquire.set_query(query);
    enquire.set_sort_by_value_then_relevance(proto::date_slot, true);  // newest first
    auto const mset =
        enquire.get_mset(static_cast<Xapian::doccount>(req.offset), static_cast<Xapian::doccount>(req.limit));
    out.total = mset.get_matches_estimated();
    auto const words = proto::positive_words(req.query);
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      auto const doc = it.get_document();
      hit h;
      if (auto k = proto::parse_key(doc.get_value(proto::key_slot))) {
        h.mailbox_id = k->mailbox_id;
        h.uid = k->uid;
      }
      boost::system::error_code ec;
      auto data = boost::json::parse(doc.get_data(), ec);
      if (!ec && data.is_object()) {
        auto const& o = data.as_object();
        h.from = json_string(o, "f");
        h.subject = json_string(o, "s");
        if (auto const* d = o.if_contains("d"); d && d->is_int64()) h.date = d->as_int64();
        h.snippet = proto::make_snippet(json_string(o, "x"), words);
      }
      out.items.push_back(std::move(h));
    }
    return out;
  });
}

}  // namespace posta::search::engine
