// Pure incremental line splitter: see line_splitter.hpp.
#include "core/net/line_splitter.hpp"

#include <algorithm>
#include <cassert>

namespace posta::net {

line_splitter::line_splitter(line_limits limits) : limits_(limits) {}

void line_splitter::compact() {
  if (start_ == 0) return;
  buf_.erase(0, start_);
  scan_ -= std::min(scan_, start_);
  start_ = 0;
}

void line_splitter::feed(std::string_view bytes) {
  auto space = prepare(bytes.size());
  std::copy(bytes.begin(), bytes.end(), space.begin());
  commit(bytes.size());
}

std::span<char> line_splitter::prepare(std::size_t n) {
  compact();
  std::size_t const old = buf_.size();
  buf_.resize(old + n);
  prepared_ = n;
  return {buf_.data() + old, n};
}

void line_splitter::commit(std::size_t n) {
  assert(n <= prepared_);
  buf_.resize(buf_.size() - (prepared_ - n));
  prepared_ = 0;
}

// Index of the '\n' ending the first line at or after start_, or npos.
std::size_t line_splitter::find_terminator(std::size_t& terminator_size) {
  for (std::size_t i = std::max(scan_, start_); i < buf_.size(); ++i) {
    if (buf_[i] != '\n') continue;
    bool const has_cr = i > start_ && buf_[i - 1] == '\r';
    if (!has_cr && !limits_.accept_bare_lf) continue;
    terminator_size = has_cr ? 2 : 1;
    scan_ = i + 1;
    return i;
  }
  scan_ = buf_.size();
  return std::string::npos;
}

// SECURITY: the line in progress is over the limit; keep only a trailing CR
// (it may pair with the next byte) so memory stays bounded.
void line_splitter::start_discarding() {
  discarding_ = true;
  bool const keep_cr = buf_.size() > start_ && buf_.back() == '\r';
  start_ = keep_cr ? buf_.size() - 1 : buf_.size();
  compact();
  scan_ = buf_.size();
}

line_splitter::outcome line_splitter::next() {
  compact();
  std::size_t term_size = 0;
  std::size_t const lf = find_terminator(term_size);
  if (lf == std::string::npos) {
    // Content could still be max_line long with its CR already here.
    if (buf_.size() - start_ > limits_.max_line + 1) start_discarding();
    else if (discarding_) start_discarding();
    return {status::need_more, {}};
  }
  std::size_t const begin = start_;
  std::size_t const length = lf + 1 - term_size - begin;
  start_ = lf + 1;
  if (discarding_ || length > limits_.max_line) {
    discarding_ = false;
    return {status::too_long, {}};
  }
  return {status::line, std::string_view(buf_).substr(begin, length)};
}

std::string_view line_splitter::buffered() const {
  if (discarding_) return {};
  return std::string_view(buf_).substr(start_);
}

void line_splitter::consume(std::size_t n) {
  start_ += std::min(n, buffered().size());
}

std::string line_splitter::take_buffered() {
  std::string out(buffered());
  clear();
  return out;
}

std::size_t line_splitter::clear() {
  std::size_t const dropped = buf_.size() - start_;
  buf_.clear();
  start_ = scan_ = 0;
  discarding_ = false;
  return dropped;
}

}  // namespace posta::net
