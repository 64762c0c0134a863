// Benchmark messages: headers (RFC 5322 3.6), a body of pseudo-random words
// wrapped at 76 columns with a few lines that need dot-stuffing (RFC 5321
// 4.5.2), cut to an exact size.
#include "bench/smtp_load/message.hpp"

#include <array>
#include <ctime>
#include <random>

namespace posta::bench::smtp_load {
namespace {

constexpr std::size_t wrap_column = 76;

constexpr std::array<std::string_view, 48> words = {
    "the",     "meeting", "report",  "budget", "quarter", "please", "review", "attached", "draft",  "team",
    "project", "deadline", "thanks", "regards", "update", "customer", "order", "invoice", "schedule", "server",
    "office",  "monday",  "friday",  "agenda", "minutes", "follow",  "up",     "on",       "with",   "and",
    "for",     "we",      "will",    "need",   "to",      "discuss", "next",   "week",     "about",  "numbers",
    "sales",   "plan",    "is",      "ready",  "a",       "new",     "version", "of"};

// Lines a real message may contain that begin with a dot; "." alone would end
// DATA if it were not stuffed.
constexpr std::array<std::string_view, 3> dotted_lines = {".", "...and that was the last item.", ".profile was changed"};

std::string rfc5322_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 64> buf{};
  auto n = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buf.data(), n);
}

// Paragraphs of wrapped words; every 17th line is one of dotted_lines.
std::string make_body_template(std::size_t at_least, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1);
  std::string out, line;
  std::size_t lines = 0;
  auto end_line = [&] {
    out += line;
    out += "\r\n";
    line.clear();
    ++lines;
    if (lines % 17 == 0) out += std::string(dotted_lines[(lines / 17) % dotted_lines.size()]) + "\r\n";
    if (lines % 7 == 0) out += "\r\n";
  };
  while (out.size() < at_least) {
    auto w = words[pick(rng)];
    if (!line.empty() && line.size() + 1 + w.size() > wrap_column) end_line();
    if (!line.empty()) line += ' ';
    line += w;
  }
  end_line();
  return out;
}

// The first `n` bytes of `text` made into CRLF-terminated lines: a cut inside
// a line end is filled with letters, then the final CRLF is added.
std::string cut_lines(std::string_view text, std::size_t n) {
  if (n < 2) return "\r\n";
  std::string out(text.substr(0, n - 2));
  std::size_t fill = 0;
  while (!out.empty() && (out.back() == '\r' || out.back() == '\n')) {
    out.pop_back();
    ++fill;
  }
  out.append(fill, 'x');
  out += "\r\n";
  return out;
}

}  // namespace

std::string dot_stuff(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 64);
  bool at_line_start = true;
  for (char c : text) {
    if (at_line_start && c == '.') out += '.';
    out += c;
    at_line_start = c == '\n';
  }
  return out;
}

message_factory::message_factory(std::size_t size, std::string from, std::uint64_t seed)
    : size_(size), from_(std::move(from)), seed_(seed), date_(rfc5322_now()),
      body_template_(make_body_template(size + wrap_column, seed)) {}

std::string message_factory::headers(std::size_t index, std::vector<std::string> const& recipients) const {
  std::string to;
  for (auto const& r : recipients) to += (to.empty() ? "" : ",\r\n ") + r;
  auto n = std::to_string(index);
  return "Date: " + date_ + "\r\nFrom: Bench Sender <" + from_ + ">\r\nTo: " + to +
         "\r\nSubject: Load test message " + n + "\r\nMessage-ID: <" + n + "." + std::to_string(seed_) +
         ".smtp-load@bench.invalid>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n"
         "Content-Transfer-Encoding: 7bit\r\n\r\n";
}

std::string message_factory::plain(std::size_t index, std::vector<std::string> const& recipients) const {
  auto out = headers(index, recipients);
  auto body_size = size_ > out.size() ? size_ - out.size() : 2;
  out += cut_lines(body_template_, body_size);
  return out;
}

std::string message_factory::wire(std::size_t index, std::vector<std::string> const& recipients) const {
  return dot_stuff(plain(index, recipients));
}

}  // namespace posta::bench::smtp_load
