// IMAP response framing for the load generator (RFC 9051 4.3 literals).
#include "bench/imap_load/reader.hpp"

#include <cctype>

namespace posta::bench::imap_load {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string_view word(std::string_view line, std::size_t& pos) {
  auto end = line.find(' ', pos);
  if (end == std::string_view::npos) end = line.size();
  auto w = line.substr(pos, end - pos);
  pos = end < line.size() ? end + 1 : end;
  return w;
}

bool is_status_word(std::string_view w) {
  return iequals(w, "OK") || iequals(w, "NO") || iequals(w, "BAD") || iequals(w, "BYE") || iequals(w, "PREAUTH");
}

// The size announced by "{n}" / "{n+}" / "~{n}" at the end of a line segment.
std::optional<std::size_t> announced_literal(std::string_view seg) {
  if (seg.empty() || seg.back() != '}') return std::nullopt;
  auto open = seg.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  auto digits = seg.substr(open + 1, seg.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 12) return std::nullopt;
  std::size_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

}  // namespace

bool status_is(std::string_view status, std::string_view w) { return iequals(status, w); }

void response_reader::feed(std::string_view bytes) {
  compact();
  buf_.append(bytes);
}

// Drops whole responses already handed out, once they are most of the buffer.
void response_reader::compact() {
  if (start_ == 0 || start_ < buf_.size() / 2) return;
  buf_.erase(0, start_);
  scan_ -= start_;
  segment_ -= start_;
  if (literal_end_ != 0) literal_end_ -= start_;
  start_ = 0;
}

read_status response_reader::next(response& out) {
  for (;;) {
    if (literal_end_ != 0) {
      if (buf_.size() < literal_end_) return read_status::need_more;
      scan_ = segment_ = literal_end_;
      literal_end_ = 0;
    }
    auto eol = buf_.find("\r\n", scan_);
    if (eol == std::string::npos) {
      if (buf_.size() - segment_ > max_line_) return read_status::malformed;
      scan_ = buf_.size() > segment_ ? buf_.size() - 1 : segment_;  // a lone '\r' may end the buffer
      return read_status::need_more;
    }
    if (eol - segment_ > max_line_) return read_status::malformed;
    std::string_view seg(buf_.data() + segment_, eol - segment_);
    bool const first = segment_ == start_;
    std::size_t pos = 0;
    std::string_view tag, second;
    if (first) {
      tag = word(seg, pos);
      second = word(seg, pos);
    }
    bool const one_line = first && (tag == "+" || is_status_word(second));
    auto literal = one_line ? std::nullopt : announced_literal(seg);
    if (literal) {
      if (*literal > max_literal_) return read_status::malformed;
      literals_ += *literal;
      literal_end_ = eol + 2 + *literal;
      continue;
    }
    std::string_view whole(buf_.data() + start_, eol - start_);
    pos = 0;
    out = response{};
    out.text = whole;
    out.literal_bytes = literals_;
    auto t = word(whole, pos);
    auto s = word(whole, pos);
    if (t == "+") {
      out.kind = response_kind::continuation;
    } else {
      out.kind = t == "*" ? response_kind::untagged : response_kind::tagged;
      if (out.kind == response_kind::tagged) out.tag = t;
      if (is_status_word(s)) out.status = s;
    }
    if (t.empty()) return read_status::malformed;
    start_ = scan_ = segment_ = eol + 2;
    literals_ = 0;
    return read_status::complete;
  }
}

}  // namespace posta::bench::imap_load
