// Container tree operations for RFC 5256 3 (REFERENCES steps 1 to 6) and the
// thread-list grammar of RFC 5256 4. Every walk is iterative.
#include "mail/imap/proto/thread_forest.hpp"

#include <algorithm>

namespace posta::mail::imap::proto::threading {

namespace {
constexpr int close_mark = -2;  // in format's work list: emit ')'
}

int forest::add(int message) {
  nodes_.push_back(node{message, no_node, {}});
  return static_cast<int>(nodes_.size()) - 1;
}

void forest::link(int parent, int child) {
  nodes_[child].parent = parent;
  nodes_[child].slot = nodes_[parent].children.size();
  nodes_[parent].children.push_back(child);
}

// SECURITY: a search for the child would make many unlinks from one
// crowded parent quadratic.
void forest::unlink(int child) {
  int p = nodes_[child].parent;
  if (p == no_node) return;
  auto& siblings = nodes_[p].children;
  int moved = siblings.back();
  siblings[nodes_[child].slot] = moved;
  nodes_[moved].slot = nodes_[child].slot;
  siblings.pop_back();
  nodes_[child].parent = no_node;
}

bool forest::would_loop(int parent, int child) const {
  if (parent == child) return true;
  if (nodes_[child].children.empty()) return false;  // the common case, without a walk
  for (int n = nodes_[parent].parent; n != no_node; n = nodes_[n].parent)
    if (n == child) return true;
  return false;
}

message_info const* forest::representative(int n) const {
  while (is_dummy(n)) {
    if (nodes_[n].children.empty()) return nullptr;
    n = nodes_[n].children.front();
  }
  return &messages_[nodes_[n].message];
}

bool forest::before(int a, int b) const {
  auto const* x = representative(a);
  auto const* y = representative(b);
  if (!x || !y) return x && !y;
  if (x->date != y->date) return x->date < y->date;
  return x->id < y->id;
}

void forest::sort_siblings(std::vector<int>& siblings) const {
  std::sort(siblings.begin(), siblings.end(), [this](int a, int b) { return before(a, b); });
}

std::vector<int> forest::post_order(std::vector<int> const& roots) const {
  std::vector<int> order;
  std::vector<std::pair<int, bool>> stack;  // node, children already pushed
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.emplace_back(*it, false);
  while (!stack.empty()) {
    auto [n, expanded] = stack.back();
    if (expanded) {
      stack.pop_back();
      order.push_back(n);
      continue;
    }
    stack.back().second = true;
    auto const& children = nodes_[n].children;
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.emplace_back(*it, false);
  }
  return order;
}

// thread-members = nz-number *(SP nz-number) [SP thread-nested]: a chain of
// only children is written inline, a branch as nested lists queued on
// `pending` (a dummy writes no number).
void forest::append_members(std::string& out, int n, std::vector<int>& pending) const {
  bool first = true;
  for (;;) {
    auto const& nd = nodes_[n];
    if (!is_dummy(n)) {
      if (!first) out += ' ';
      out += std::to_string(messages_[nd.message].id);
      first = false;
    }
    if (nd.children.size() == 1) {
      n = nd.children.front();
      continue;
    }
    pending.push_back(close_mark);
    if (!nd.children.empty() && !first) out += ' ';
    for (auto it = nd.children.rbegin(); it != nd.children.rend(); ++it) pending.push_back(*it);
    return;
  }
}

std::string forest::format(std::vector<int> const& roots) const {
  std::string out;
  std::vector<int> pending(roots.rbegin(), roots.rend());
  while (!pending.empty()) {
    int item = pending.back();
    pending.pop_back();
    if (item == close_mark) {
      out += ')';
      continue;
    }
    out += '(';
    append_members(out, item, pending);
  }
  return out;
}

}  // namespace posta::mail::imap::proto::threading
