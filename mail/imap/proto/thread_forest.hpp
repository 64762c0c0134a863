// The container tree both threading algorithms build (RFC 5256 3): nodes
// that are messages or dummies, parent/child links, and the walks over it.
// Internal to thread.cpp and its tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace posta::mail::imap::proto::threading {

inline constexpr int no_node = -1;

struct message_info {
  std::uint32_t id = 0;
  std::int64_t date = 0;
  std::string subject_key;  // base subject under i;ascii-casemap
  bool is_reply = false;
};

struct node {
  int message = no_node;  // index into the messages, no_node for a dummy
  int parent = no_node;
  std::vector<int> children;  // in no particular order until sorted
  std::size_t slot = 0;       // own index in the parent's children, kept by link/unlink
};

class forest {
 public:
  explicit forest(std::vector<message_info> const& messages) : messages_(messages) {}

  int add(int message);
  bool is_dummy(int n) const { return nodes_[n].message == no_node; }
  node& at(int n) { return nodes_[n]; }
  node const& at(int n) const { return nodes_[n]; }
  std::size_t size() const { return nodes_.size(); }

  void link(int parent, int child);  // child must have no parent yet
  // O(1), by swapping the last sibling into the child's place: only for
  // step 1, before anything else reorders children and so stales the slots.
  void unlink(int child);
  // True when making `parent` the parent of `child` would close a loop.
  bool would_loop(int parent, int child) const;

  // The message that stands for `n`: itself, or a dummy's first child's.
  message_info const* representative(int n) const;
  // Sent date, then id (RFC 5256 2.2); a dummy sorts as its first child.
  bool before(int a, int b) const;
  void sort_siblings(std::vector<int>& siblings) const;

  // Every node below `roots`, children before their parent.
  std::vector<int> post_order(std::vector<int> const& roots) const;
  // The THREAD response body for the threads under `roots`.
  std::string format(std::vector<int> const& roots) const;

 private:
  void append_members(std::string& out, int n, std::vector<int>& pending) const;

  std::vector<message_info> const& messages_;
  std::vector<node> nodes_;
};

}  // namespace posta::mail::imap::proto::threading
