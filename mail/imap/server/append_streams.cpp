// Streaming APPEND literals into blob writers: 64 KB at a time, on the disk
// pool once a body is a file (as SMTP's DATA does).
#include "mail/imap/server/append_streams.hpp"

#include "core/net/blocking.hpp"

#include <boost/asio/post.hpp>

#include <cstring>

namespace posta::mail::imap::server {
namespace {

// Bytes gathered before they are handed to the writer: one trip to the disk
// pool per 64 KB, not per read.
constexpr std::size_t flush_bytes = 64 * 1024;

}  // namespace

append_streams::~append_streams() { discard(); }

void append_streams::begin(blob::store const& blobs, bool to_file, bool literal8) {
  stream s;
  s.writer = std::make_unique<blob::writer>(to_file ? blobs.begin(0) : blobs.begin());
  s.literal8 = literal8;
  streams_.push_back(std::move(s));
  buffer_.clear();
}

asio::awaitable<void> append_streams::write(std::string_view bytes, bool last) {
  if (streams_.empty()) co_return;
  auto& s = streams_.back();
  // RFC 3501 9: CHAR8 excludes NUL; only literal8 may carry it.
  if (!s.literal8 && std::memchr(bytes.data(), '\0', bytes.size())) s.has_nul = true;
  buffer_.append(bytes);
  if (buffer_.size() >= flush_bytes || last) co_await flush(s);
}

asio::awaitable<void> append_streams::flush(stream& s) {
  if (!s.failed && !buffer_.empty()) {
    auto& w = *s.writer;
    std::string const& data = buffer_;
    result<void> written;
    if (w.stays_inline_with(data.size())) written = w.append(data);
    else written = co_await net::run_disk([&] { return w.append(data); });  // creates or extends the file
    if (!written) s.failed = true;  // answered when the APPEND runs
  }
  buffer_.clear();
}

blob::writer* append_streams::writer(std::size_t index, bool* nul_in_text) {
  if (index >= streams_.size()) return nullptr;
  auto& s = streams_[index];
  if (s.has_nul) *nul_in_text = true;
  return s.failed || s.has_nul ? nullptr : s.writer.get();
}

std::uint64_t append_streams::memory() const noexcept {
  std::uint64_t n = buffer_.capacity();
  for (auto const& s : streams_)
    if (s.writer->is_inline()) n += static_cast<std::uint64_t>(s.writer->size());
  return n;
}

// An unfinished writer unlinks its temporary file when destroyed: disk work,
// so the writers are destroyed on the disk pool, never on an io thread.
void append_streams::discard() {
  buffer_.clear();
  buffer_.shrink_to_fit();
  if (streams_.empty()) return;
  auto gone = std::make_shared<std::vector<stream>>(std::move(streams_));
  streams_.clear();
  asio::post(net::blocking_executor(net::pool_kind::disk), [gone] { gone->clear(); });
}

}  // namespace posta::mail::imap::server
