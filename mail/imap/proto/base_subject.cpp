// RFC 5256 2.1, steps (1) to (7), on a view that only ever shrinks, so a
// subject of many thousand "Re:" or "[tag]" prefixes costs linear time.
#include "mail/imap/proto/base_subject.hpp"

#include "mail/imap/proto/collation.hpp"

#include <cstddef>

namespace posta::mail::imap::proto {

namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Step (1): tabs and line breaks become spaces, runs of spaces one space.
std::string normalise_whitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (!is_wsp(c)) {
      out.push_back(c);
    } else if (out.empty() || out.back() != ' ') {
      out.push_back(' ');
    }
  }
  return out;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP; its length at the start of `v`, or 0.
std::size_t blob_length(std::string_view v) {
  if (v.empty() || v[0] != '[') return 0;
  std::size_t i = 1;
  while (i < v.size() && v[i] != ']' && v[i] != '[') ++i;
  if (i >= v.size() || v[i] != ']') return 0;
  ++i;
  while (i < v.size() && v[i] == ' ') ++i;
  return i;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; length or 0.
std::size_t refwd_length(std::string_view v) {
  std::size_t i = 0;
  if (casemap_starts_with(v, "fwd")) {
    i = 3;
  } else if (casemap_starts_with(v, "re") || casemap_starts_with(v, "fw")) {
    i = 2;
  } else {
    return 0;
  }
  while (i < v.size() && v[i] == ' ') ++i;
  i += blob_length(v.substr(i));
  return i < v.size() && v[i] == ':' ? i + 1 : 0;
}

class extractor {
 public:
  explicit extractor(std::string_view decoded) : text_(normalise_whitespace(decoded)), v_(text_) {}

  base_subject run() {
    for (;;) {
      remove_trailers();                          // (2)
      while (remove_leader() || remove_blob()) {  // (3) to (5)
      }
      if (!unwrap_forward()) break;  // (6), then again from (2)
    }
    return {std::string(v_), reply_};  // (7)
  }

 private:
  // (2) subj-trailer = "(fwd)" / WSP, repeatedly from the end.
  void remove_trailers() {
    for (;;) {
      if (!v_.empty() && v_.back() == ' ') {
        v_.remove_suffix(1);
      } else if (casemap_ends_with(v_, "(fwd)")) {
        v_.remove_suffix(5);
        reply_ = true;
      } else {
        return;
      }
    }
  }

  std::size_t offset() const { return static_cast<std::size_t>(v_.data() - text_.data()); }

  // (3) subj-leader = (*subj-blob subj-refwd) / WSP. A run of blobs that is
  // not followed by a refwd stays so while (4) eats it blob by blob, so it
  // is scanned once, not once per blob.
  bool remove_leader() {
    if (!v_.empty() && v_[0] == ' ') {
      v_.remove_prefix(1);
      return true;
    }
    if (offset() < failed_blob_run_end_) return false;
    std::size_t i = 0;
    while (auto n = blob_length(v_.substr(i))) i += n;
    auto r = refwd_length(v_.substr(i));
    if (r == 0) {
      failed_blob_run_end_ = offset() + i;
      return false;
    }
    v_.remove_prefix(i + r);
    reply_ = true;
    return true;
  }

  // (4) a leading subj-blob goes when a non-empty subj-base remains.
  bool remove_blob() {
    auto n = blob_length(v_);
    if (n == 0 || n == v_.size()) return false;
    v_.remove_prefix(n);
    return true;
  }

  // (6) "[fwd:" subject "]".
  bool unwrap_forward() {
    if (v_.size() < 6 || !casemap_starts_with(v_, "[fwd:") || v_.back() != ']') return false;
    v_.remove_prefix(5);
    v_.remove_suffix(1);
    reply_ = true;
    failed_blob_run_end_ = 0;
    return true;
  }

  std::string text_;
  std::string_view v_;
  bool reply_ = false;
  std::size_t failed_blob_run_end_ = 0;
};

}  // namespace

base_subject extract_base_subject(std::string_view decoded) {
  return extractor(decoded).run();
}

}  // namespace posta::mail::imap::proto
