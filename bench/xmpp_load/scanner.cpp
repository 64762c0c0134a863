// Cutting an XMPP stream into top-level elements; see scanner.hpp.
#include "bench/xmpp_load/scanner.hpp"

namespace posta::bench::xmpp_load {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The end ('>') of the tag starting at `lt`, skipping quoted values; npos
// when it has not arrived yet.
std::size_t tag_end(std::string_view s, std::size_t lt) {
  char quote = 0;
  for (std::size_t i = lt + 1; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string_view strip_prefix(std::string_view qname) {
  auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

// Where the start tag of a child with local name `child` begins, or npos.
std::size_t find_child(std::string_view element, std::string_view child) {
  auto first = tag_end(element, 0);
  for (std::size_t i = first; i != std::string_view::npos && i < element.size(); ++i) {
    if (element[i] != '<' || i + 1 >= element.size() || element[i + 1] == '/') continue;
    if (local_name(element.substr(i)) == child) return i;
  }
  return std::string_view::npos;
}

}  // namespace

void stream_scanner::restart() {
  buf_.erase(0, pos_);
  pos_ = start_ = 0;
  depth_ = 0;
}

void stream_scanner::compact() {
  if (depth_ <= 1 && pos_ > 64 * 1024) {
    buf_.erase(0, pos_);
    pos_ = start_ = 0;
  }
}

scan_event stream_scanner::next(std::string& out) {
  for (;;) {
    compact();
    auto lt = buf_.find('<', pos_);
    if (lt == std::string::npos) {
      if (depth_ <= 1) pos_ = buf_.size();  // whitespace keepalives between stanzas
      return buffered() > max_element_bytes ? scan_event::malformed : scan_event::need_more;
    }
    std::string_view s(buf_);
    if (s.substr(lt, 4) == "<!--") {
      auto end = s.find("-->", lt + 4);
      if (end == std::string_view::npos) return scan_event::need_more;
      pos_ = end + 3;
      continue;
    }
    auto gt = tag_end(s, lt);
    if (gt == std::string_view::npos) {
      if (depth_ <= 1) pos_ = lt;
      return buf_.size() - (depth_ <= 1 ? lt : start_) > max_element_bytes ? scan_event::malformed
                                                                           : scan_event::need_more;
    }
    pos_ = gt + 1;
    if (s[lt + 1] == '?') continue;                      // the XML declaration
    if (s[lt + 1] == '!') return scan_event::malformed;  // DOCTYPE, CDATA: not from a server
    bool const end_tag = s[lt + 1] == '/';
    bool const empty = !end_tag && s[gt - 1] == '/';
    if (depth_ == 0) {
      if (end_tag || empty) return scan_event::malformed;
      depth_ = 1;
      out.assign(s.substr(lt, gt + 1 - lt));
      return scan_event::header;
    }
    if (end_tag) {
      if (--depth_ == 0) return scan_event::closed;
      if (depth_ == 1) {
        out.assign(s.substr(start_, gt + 1 - start_));
        return scan_event::element;
      }
      continue;
    }
    if (depth_ == 1) start_ = lt;
    if (empty) {
      if (depth_ == 1) {
        out.assign(s.substr(lt, gt + 1 - lt));
        return scan_event::element;
      }
      continue;
    }
    ++depth_;
  }
}

std::string_view element_name(std::string_view element) {
  if (element.size() < 2 || element[0] != '<') return {};
  std::size_t end = 1;
  while (end < element.size() && !is_space(element[end]) && element[end] != '>' && element[end] != '/') ++end;
  return element.substr(1, end - 1);
}

std::string_view local_name(std::string_view element) {
  return strip_prefix(element_name(element));
}

std::optional<std::string_view> attribute(std::string_view element, std::string_view name) {
  auto gt = tag_end(element, 0);
  if (gt == std::string_view::npos) return std::nullopt;
  std::string_view tag = element.substr(0, gt);
  std::size_t i = 1 + element_name(element).size();
  for (;;) {
    while (i < tag.size() && (is_space(tag[i]) || tag[i] == '/')) ++i;
    auto eq = tag.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    auto key = tag.substr(i, eq - i);
    while (!key.empty() && is_space(key.back())) key.remove_suffix(1);
    auto q = eq + 1;
    while (q < tag.size() && is_space(tag[q])) ++q;
    if (q >= tag.size() || (tag[q] != '"' && tag[q] != '\'')) return std::nullopt;
    auto close = tag.find(tag[q], q + 1);
    if (close == std::string_view::npos) return std::nullopt;
    if (key == name) return tag.substr(q + 1, close - q - 1);
    i = close + 1;
  }
}

std::optional<std::string_view> child_text(std::string_view element, std::string_view child) {
  auto at = find_child(element, child);
  if (at == std::string_view::npos) return std::nullopt;
  auto gt = tag_end(element, at);
  if (gt == std::string_view::npos) return std::nullopt;
  if (element[gt - 1] == '/') return std::string_view{};
  auto lt = element.find('<', gt + 1);
  if (lt == std::string_view::npos) return std::nullopt;
  return element.substr(gt + 1, lt - gt - 1);
}

bool has_child(std::string_view element, std::string_view child) {
  return find_child(element, child) != std::string_view::npos;
}

}  // namespace posta::bench::xmpp_load
