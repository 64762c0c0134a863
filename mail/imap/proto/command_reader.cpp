// The command reader's state machine: line segments, the decision before
// each literal, literal bytes, and skipping of refused commands to their end
// (RFC 3501 2.2, 7.5; RFC 7888 3-4).
#include "mail/imap/proto/command_reader.hpp"

#include "mail/imap/proto/cursor.hpp"
#include "mail/imap/proto/collation.hpp"

#include <algorithm>
#include <optional>

namespace posta::mail::imap::proto {

namespace ev = reader_events;

namespace {

// RFC 7888 4: LITERAL- allows non-synchronizing literals up to this size.
constexpr std::uint64_t literal_minus_max = 4096;
// Enough of a skipped line's end to recognise "~{18446744073709551615+}".
constexpr std::size_t tail_keep = 32;

struct literal_header {
  std::uint64_t size = 0;
  bool synchronizing = true;
  bool binary = false;
};

// A line ending in "{n}", "{n+}", "~{n}" or "~{n+}" announces a literal.
std::optional<literal_header> trailing_literal(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  line.remove_suffix(1);
  literal_header h;
  if (!line.empty() && line.back() == '+') h.synchronizing = false, line.remove_suffix(1);
  std::size_t digits = 0;
  while (digits < line.size() && line[line.size() - 1 - digits] >= '0' && line[line.size() - 1 - digits] <= '9')
    ++digits;
  if (digits == 0 || digits == line.size() || line[line.size() - 1 - digits] != '{') return std::nullopt;
  for (char c : line.substr(line.size() - digits)) {
    auto d = static_cast<std::uint64_t>(c - '0');
    h.size = h.size > (UINT64_MAX - d) / 10 ? UINT64_MAX : h.size * 10 + d;
  }
  line.remove_suffix(digits + 1);
  h.binary = !line.empty() && line.back() == '~';
  return h;
}

// The first word when it is a valid tag followed by SP, else "".
std::string leading_tag(std::string_view s) {
  auto sp = s.find(' ');
  if (sp == std::string_view::npos || sp == 0) return {};
  auto t = s.substr(0, sp);
  bool ok = std::all_of(t.begin(), t.end(), [](char c) { return (is_atom_char(c) || c == ']') && c != '+'; });
  return ok ? std::string(t) : std::string();
}

std::string second_word(std::string_view s) {
  auto sp = s.find(' ');
  if (sp == std::string_view::npos) return {};
  s.remove_prefix(sp + 1);
  return casemap_key(s.substr(0, std::min<std::size_t>(s.find(' '), 32)));
}

}  // namespace

void command_reader::feed(std::string_view bytes) {
  compact();
  buf_.append(bytes);
}

void command_reader::compact() {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
}

reader_event command_reader::next() {
  while (true) {
    switch (state_) {
      case state::line:
        return read_line_segment(false);
      case state::decision:
        return pending_;
      case state::literal: {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, buf_.size() - pos_));
        cmd_.append(buf_, pos_, n);
        pos_ += n;
        literal_left_ -= n;
        if (literal_left_ > 0) return ev::need_more{};
        state_ = state::line;
        segment_start_ = cmd_.size();
        break;
      }
      case state::stream_literal: {
        if (literal_left_ == 0) {
          state_ = state::line;
          segment_start_ = cmd_.size();
          break;
        }
        if (pos_ == buf_.size()) return ev::need_more{};
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, buf_.size() - pos_));
        ev::literal_data data{std::string_view(buf_).substr(pos_, n), n == literal_left_};
        pos_ += n;
        literal_left_ -= n;
        return data;
      }
      case state::skip_line:
        if (!skip_line()) return ev::need_more{};
        break;
      case state::skip_literal:
        if (!skip_literal()) return ev::need_more{};
        break;
    }
  }
}

reader_event command_reader::next_line() {
  while (state_ == state::skip_line || state_ == state::skip_literal)
    if (!(state_ == state::skip_line ? skip_line() : skip_literal())) return ev::need_more{};
  if (state_ != state::line || (!cmd_.empty() && !raw_)) return next();
  raw_ = true;  // a line begun in raw mode is finished in raw mode
  auto e = read_line_segment(true);
  if (!std::holds_alternative<ev::need_more>(e)) raw_ = false;
  return e;
}

// Moves the available part of the current line into cmd_; at its LF, the
// line is complete and end_of_segment decides what it was.
reader_event command_reader::read_line_segment(bool raw) {
  auto lf = buf_.find('\n', pos_);
  std::size_t end = lf == std::string::npos ? buf_.size() : lf;
  std::size_t length = cmd_.size() - segment_start_ + (end - pos_);
  // SECURITY: max_line bounds what is held of one line; +1 lets a CR pass.
  if (length > limits_.max_line + 1) return refuse(ev::refusal::line_too_long);
  cmd_.append(buf_, pos_, end - pos_);
  if (lf == std::string::npos) {
    pos_ = buf_.size();
    return ev::need_more{};
  }
  pos_ = lf + 1;
  if (cmd_.size() > segment_start_ && cmd_.back() == '\r') cmd_.pop_back();
  if (cmd_.size() - segment_start_ > limits_.max_line) {
    pos_ = lf;  // skip_line looks at this line's end for a {n+}
    return refuse(ev::refusal::line_too_long);
  }
  return end_of_segment(raw);
}

reader_event command_reader::end_of_segment(bool raw) {
  auto header = raw ? std::nullopt : trailing_literal(std::string_view(cmd_).substr(segment_start_));
  if (!header) {
    ev::command done{std::move(cmd_), std::move(streamed_)};
    reset_command();
    if (raw) return ev::line{std::move(done.text)};
    return done;
  }
  if (!header->synchronizing && limits_.literal_minus && header->size > literal_minus_max) {
    auto r = refuse(ev::refusal::literal_too_long);
    state_ = state::skip_literal;
    literal_left_ = header->size;
    return r;
  }
  cmd_ += "\r\n";
  pending_ = ev::literal{leading_tag(cmd_), second_word(cmd_), header->size,  header->synchronizing,
                         header->binary,    literals_++,       cmd_.size() + streamed_bytes_, cmd_.size()};
  state_ = state::decision;
  return pending_;
}

void command_reader::accept_literal() {
  if (state_ != state::decision) return;
  state_ = state::literal;
  literal_left_ = pending_.size;
}

void command_reader::accept_literal_streamed() {
  if (state_ != state::decision) return;
  state_ = state::stream_literal;
  literal_left_ = pending_.size;
  streamed_.push_back(cmd_.size());
  streamed_bytes_ = pending_.size > UINT64_MAX - streamed_bytes_ ? UINT64_MAX : streamed_bytes_ + pending_.size;
}

void command_reader::reset_command() {
  cmd_.clear();
  segment_start_ = 0;
  literals_ = 0;
  streamed_.clear();
  streamed_bytes_ = 0;
}

void command_reader::refuse_literal() {
  if (state_ != state::decision) return;
  reset_command();
  // A synchronizing literal is not sent without "+"; the command ends here.
  // A non-synchronizing one is on its way and is skipped with the rest.
  state_ = pending_.synchronizing ? state::line : state::skip_literal;
  literal_left_ = pending_.size;
}

reader_event command_reader::refuse(ev::refusal why) {
  // The tag may be split between what is held and what is still buffered.
  std::string head = cmd_.substr(0, 128);
  head.append(buf_, pos_, std::min(buf_.size() - pos_, 128 - head.size()));
  ev::refused r{leading_tag(head), why};
  std::string_view segment = std::string_view(cmd_).substr(segment_start_);
  skip_tail_ = std::string(segment.substr(segment.size() - std::min(segment.size(), tail_keep)));
  reset_command();
  state_ = state::skip_line;
  return r;
}

// Discards up to the next LF; a non-synchronizing literal announced at the
// end of the skipped line is part of the same command and is skipped too.
bool command_reader::skip_line() {
  auto lf = buf_.find('\n', pos_);
  std::size_t end = lf == std::string::npos ? buf_.size() : lf;
  skip_tail_.append(buf_, pos_, end - pos_);
  if (skip_tail_.size() > tail_keep) skip_tail_.erase(0, skip_tail_.size() - tail_keep);
  pos_ = lf == std::string::npos ? end : lf + 1;
  if (lf == std::string::npos) return false;
  if (!skip_tail_.empty() && skip_tail_.back() == '\r') skip_tail_.pop_back();
  auto header = trailing_literal(skip_tail_);
  skip_tail_.clear();
  if (header && !header->synchronizing) {
    state_ = state::skip_literal;
    literal_left_ = header->size;
  } else {
    state_ = state::line;
  }
  return true;
}

bool command_reader::skip_literal() {
  auto n = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, buf_.size() - pos_));
  pos_ += n;
  literal_left_ -= n;
  if (literal_left_ > 0) return false;
  state_ = state::skip_line;
  skip_tail_.clear();  // what follows the literal is a new stretch of the line
  return true;
}

}  // namespace posta::mail::imap::proto
