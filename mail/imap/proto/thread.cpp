// THREAD=ORDEREDSUBJECT (RFC 5256 3, first algorithm) and THREAD=REFERENCES
// (RFC 5256 3, steps 1 to 6), on the container tree of thread_forest.hpp.
#include "mail/imap/proto/thread.hpp"

#include "mail/imap/proto/base_subject.hpp"
#include "mail/imap/proto/collation.hpp"
#include "mail/imap/proto/thread_forest.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

namespace posta::mail::imap::proto {

namespace {

using threading::forest;
using threading::message_info;
using threading::no_node;

bool is_fws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Ascending id order: REFERENCES gives a duplicated Message-ID to the
// lowest-numbered message.
std::vector<message_info> describe(std::span<thread_fields const> messages, std::vector<std::size_t>& order) {
  order.resize(messages.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return messages[a].id < messages[b].id; });
  std::vector<message_info> infos;
  infos.reserve(messages.size());
  for (auto i : order) {
    auto base = extract_base_subject(messages[i].subject);
    infos.push_back({messages[i].id, messages[i].sent_date, casemap_key(base.text), base.is_reply_or_forward});
  }
  return infos;
}

// RFC 5256 3 step 1: the id table and the parent/child links.
class reference_linker {
 public:
  reference_linker(forest& f, thread_limits const& limits) : f_(f), limits_(limits) {}

  void add(int message, thread_fields const& m) {
    int self = message_node(message, m.message_id);
    auto refs = references_of(m);
    for (std::size_t i = 0; i + 1 < refs.size(); ++i) link_references(node_for(refs[i]), node_for(refs[i + 1]));
    int parent = refs.empty() ? no_node : node_for(refs.back());
    // 1.B: a parent from an earlier, truncated References gives way.
    if (f_.at(self).parent != parent) f_.unlink(self);
    if (parent != no_node && f_.at(self).parent == no_node && !f_.would_loop(parent, self)) f_.link(parent, self);
  }

 private:
  // A missing, invalid or already used Message-ID gets a node of its own.
  int message_node(int message, std::string_view message_id) {
    auto ids = parse_msg_ids(message_id);
    if (ids.empty()) return f_.add(message);
    auto [it, inserted] = table_.try_emplace(ids.front(), no_node);
    if (inserted)
      it->second = f_.add(message);
    else if (f_.is_dummy(it->second))
      f_.at(it->second).message = message;
    else
      return f_.add(message);
    return it->second;
  }

  // References, or else the first id of In-Reply-To; only the last few.
  std::vector<std::string> references_of(thread_fields const& m) const {
    auto refs = parse_msg_ids(m.references);
    if (refs.empty()) {
      refs = parse_msg_ids(m.in_reply_to);
      if (refs.size() > 1) refs.resize(1);
    }
    if (refs.size() > limits_.max_references)
      refs.erase(refs.begin(), refs.end() - static_cast<std::ptrdiff_t>(limits_.max_references));
    return refs;
  }

  int node_for(std::string const& id) {
    auto [it, inserted] = table_.try_emplace(id, no_node);
    if (inserted) it->second = f_.add(no_node);
    return it->second;
  }

  // 1.A: an existing link stays (References may be truncated); no loops.
  void link_references(int parent, int child) {
    if (f_.at(child).parent == no_node && !f_.would_loop(parent, child)) f_.link(parent, child);
  }

  forest& f_;
  thread_limits const& limits_;
  std::unordered_map<std::string, int> table_;
};

// Step 3: dummies without children go, the others hand their children to
// their parent; at the top only a dummy with one child is dissolved.
std::vector<int> prune(forest& f, std::vector<int> const& roots) {
  for (int n : f.post_order(roots)) {
    std::vector<int> kept;
    for (int c : f.at(n).children) {
      if (!f.is_dummy(c)) {
        kept.push_back(c);
        continue;
      }
      for (int g : f.at(c).children) {
        f.at(g).parent = n;
        kept.push_back(g);
      }
      f.at(c).children.clear();
      f.at(c).parent = no_node;
    }
    f.at(n).children = std::move(kept);
  }
  std::vector<int> top;
  for (int r : roots) {
    auto& children = f.at(r).children;
    if (!f.is_dummy(r) || children.size() > 1) {
      top.push_back(r);
    } else if (children.size() == 1) {
      f.at(children.front()).parent = no_node;
      top.push_back(children.front());
    }
  }
  return top;
}

// Step 5: top-level threads with the same base subject come together.
class subject_grouper {
 public:
  explicit subject_grouper(forest& f) : f_(f) {}

  std::vector<int> group(std::vector<int> const& roots) {
    for (int r : roots) choose(r);
    std::vector<int> merged_roots;
    for (int r : roots) {
      int n = resolve(r);
      if (!deleted(n) && f_.at(n).parent == no_node) merge(n);
    }
    for (int r : roots) {
      int n = resolve(r);
      if (!deleted(n) && f_.at(n).parent == no_node) merged_roots.push_back(n);
    }
    return merged_roots;
  }

 private:
  std::string const* subject(int n) const {
    auto const* m = f_.representative(n);
    return m && !m->subject_key.empty() ? &m->subject_key : nullptr;
  }
  bool is_reply(int n) const { return f_.representative(n)->is_reply; }
  int resolve(int n) const {
    auto it = replaced_.find(n);
    return it == replaced_.end() ? n : it->second;
  }
  bool deleted(int n) const { return deleted_.count(n) != 0; }

  // 5.B: a dummy beats a message, an original beats a reply.
  void choose(int n) {
    auto const* s = subject(n);
    if (!s) return;
    auto [it, inserted] = table_.try_emplace(*s, n);
    if (inserted) return;
    int t = it->second;
    if ((!f_.is_dummy(t) && f_.is_dummy(n)) || (is_reply(t) && !is_reply(n))) it->second = n;
  }

  // 5.C i to iv.
  void merge(int n) {
    auto const* s = subject(n);
    if (!s) return;
    auto& t = table_.at(*s);
    if (t == n) return;
    if (f_.is_dummy(t) && f_.is_dummy(n)) {
      auto children = std::move(f_.at(n).children);
      f_.at(n).children.clear();
      for (int c : children) {
        f_.at(c).parent = no_node;
        f_.link(t, c);
      }
      deleted_.insert(n);
    } else if (f_.is_dummy(t) || (is_reply(n) && !is_reply(t))) {
      f_.link(t, n);
    } else {
      int d = f_.add(no_node);
      f_.link(d, t);
      f_.link(d, n);
      replaced_[t] = d;
      t = d;
    }
  }

  forest& f_;
  std::unordered_map<std::string, int> table_;
  std::unordered_map<int, int> replaced_;  // top-level message -> the dummy now holding it
  std::unordered_set<int> deleted_;
};

// Step 6: every set of siblings by sent date, deepest first, then the top.
void sort_all(forest& f, std::vector<int>& roots) {
  for (int n : f.post_order(roots)) f.sort_siblings(f.at(n).children);
  f.sort_siblings(roots);
}

}  // namespace

std::vector<std::string> parse_msg_ids(std::string_view value) {
  std::vector<std::string> ids;
  std::size_t i = 0;
  while ((i = value.find('<', i)) != std::string_view::npos) {
    auto close = value.find_first_of("<>", i + 1);
    if (close == std::string_view::npos) break;
    if (value[close] == '<') {  // "<<a@b>": the inner one may be valid
      i = close;
      continue;
    }
    std::string id;
    for (char c : value.substr(i + 1, close - i - 1))
      if (!is_fws(c)) id.push_back(c);
    auto at = id.find('@');
    if (at != std::string::npos && at > 0 && at + 1 < id.size()) ids.push_back(std::move(id));
    i = close + 1;
  }
  return ids;
}

thread_fields make_thread_fields(mail::mime::message_structure const& ms, std::uint32_t id, std::int64_t internal_date,
                                 std::string_view references) {
  return thread_fields{id,
                       ms.sent_date.value_or(internal_date),
                       ms.subject_decoded,
                       ms.env.message_id.value_or(""),
                       ms.env.in_reply_to.value_or(""),
                       std::string(references)};
}

std::string thread_orderedsubject(std::span<thread_fields const> messages) {
  std::vector<std::size_t> order;
  auto infos = describe(messages, order);
  forest f(infos);
  // Sorted by base subject, then sent date; each subject is one thread
  // whose first message is the parent of all the others.
  std::vector<int> sorted(infos.size());
  std::iota(sorted.begin(), sorted.end(), 0);
  std::sort(sorted.begin(), sorted.end(), [&](int a, int b) {
    auto const &x = infos[a], &y = infos[b];
    if (x.subject_key != y.subject_key) return x.subject_key < y.subject_key;
    return x.date != y.date ? x.date < y.date : x.id < y.id;
  });
  std::vector<int> roots;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    int n = f.add(sorted[i]);
    if (i > 0 && infos[sorted[i]].subject_key == infos[sorted[i - 1]].subject_key) {
      f.link(roots.back(), n);
    } else {
      roots.push_back(n);
    }
  }
  f.sort_siblings(roots);
  return f.format(roots);
}

std::string thread_references(std::span<thread_fields const> messages, thread_limits const& limits) {
  std::vector<std::size_t> order;
  auto infos = describe(messages, order);
  forest f(infos);
  reference_linker linker(f, limits);
  for (std::size_t i = 0; i < order.size(); ++i) linker.add(static_cast<int>(i), messages[order[i]]);
  std::vector<int> roots;  // step 2: the parentless nodes
  for (std::size_t n = 0; n < f.size(); ++n)
    if (f.at(static_cast<int>(n)).parent == no_node) roots.push_back(static_cast<int>(n));
  roots = prune(f, roots);
  for (int r : roots)  // step 4: a dummy sorts as its oldest child
    if (f.is_dummy(r)) f.sort_siblings(f.at(r).children);
  f.sort_siblings(roots);
  roots = subject_grouper(f).group(roots);
  sort_all(f, roots);
  return f.format(roots);
}

}  // namespace posta::mail::imap::proto
