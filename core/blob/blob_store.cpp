// The writer and the file store: bodies stay in memory up to the inline
// limit; larger ones go to a temp file, fsync, rename, directory fsync
// (Postfix's rule: never acknowledge what is not on disk).
#include "core/blob/blob_store.hpp"

#include "core/journal/log.hpp"
#include "core/util/atomic_file.hpp"
#include "core/util/crypto_hash.hpp"
#include "core/util/hex.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <random>
#include <sstream>
#include <utility>

namespace posta::blob {
namespace fs = std::filesystem;

namespace {

error sys_error(std::string what) { return make_error(std::error_code(errno, std::generic_category()), std::move(what)); }

// TEST ONLY: the power-loss test (tests/integration/powerloss) proves it can
// see a missing fsync by running the server with POSTA_TEST_SKIP_BLOB_FSYNC=1:
// writers then skip the blob file and folder fsyncs. Never set in production.
bool skip_fsync_for_tests() {
  static bool const skip = [] {
    char const* v = std::getenv("POSTA_TEST_SKIP_BLOB_FSYNC");
    return v && *v && std::string_view(v) != "0";
  }();
  return skip;
}

int sync_fd(int fd) { return skip_fsync_for_tests() ? 0 : ::fsync(fd); }

// A blob's folder after the rename (skipped by the test switch).
result<void> fsync_path(fs::path const& p) {
  if (skip_fsync_for_tests()) return {};
  return util::fsync_folder(p);
}
// The store's own folders at start-up and after re-creating one (always).
result<void> fsync_dir(fs::path const& p) { return util::fsync_folder(p); }

std::string random_name() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::ostringstream out;
  out << std::hex << rng() << rng();
  return out.str();
}

bool is_hash(std::string_view h) {
  return h.size() == 64 && h.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string fan_out_name(int i) {
  static constexpr char digits[] = "0123456789abcdef";
  return {digits[i >> 4], digits[i & 15]};
}

result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("write blob");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  return util::hex_encode(util::digest(util::hash_algorithm::sha256, data));
}

struct writer::state {
  fs::path root;
  std::int64_t inline_max = 0;
  std::string memory;  // the body while it is small enough to be inline
  fs::path temp;       // set once spilled to a file
  int fd = -1;
  std::int64_t size = 0;
  util::sha256_stream sha;

  ~state() {
    if (fd >= 0) ::close(fd);
    if (!temp.empty()) ::unlink(temp.c_str());
  }
};

writer::writer(std::unique_ptr<state> s) : state_(std::move(s)) {}
writer::writer(writer&&) noexcept = default;
writer& writer::operator=(writer&&) noexcept = default;
writer::~writer() = default;

std::int64_t writer::size() const noexcept { return state_->size; }
bool writer::is_inline() const noexcept { return state_->temp.empty(); }
bool writer::stays_inline_with(std::size_t more) const noexcept {
  return is_inline() && state_->size + static_cast<std::int64_t>(more) <= state_->inline_max;
}
std::string const& writer::memory() const noexcept { return state_->memory; }

// The body outgrew the inline limit: from now on it is a file.
result<void> writer::spill() {
  auto& s = *state_;
  auto temp = s.root / "tmp" / random_name();
  s.fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (s.fd < 0) return sys_error("create blob temp file");
  s.temp = std::move(temp);
  POSTA_TRY(write_all(s.fd, s.memory));
  std::string().swap(s.memory);
  return {};
}

result<void> writer::append(std::string_view data) {
  auto& s = *state_;
  s.sha.update(data);
  if (is_inline() && s.size + static_cast<std::int64_t>(data.size()) > s.inline_max) POSTA_TRY(spill());
  if (is_inline()) {
    s.memory.append(data);
  } else {
    POSTA_TRY(write_all(s.fd, data));
  }
  s.size += static_cast<std::int64_t>(data.size());
  return {};
}

result<blob_ref> writer::finish_blocking() {
  auto& s = *state_;
  blob_ref ref{util::hex_encode(s.sha.finish()), s.size};
  if (is_inline()) {
    ref.inline_body = std::make_shared<std::string const>(std::move(s.memory));
    return ref;
  }
  if (sync_fd(s.fd) != 0) return sys_error("fsync blob");
  ::close(s.fd);
  s.fd = -1;
  fs::path dir = s.root / ref.hash.substr(0, 2);
  fs::path final_path = dir / ref.hash.substr(2);
  // open_blocking() made every fan-out folder durably; one removed while we
  // run is made again, and the root fsynced before the blob counts as stored.
  if (::rename(s.temp.c_str(), final_path.c_str()) != 0) {
    if (errno != ENOENT) return sys_error("rename blob");
    std::error_code ec;
    fs::create_directory(dir, ec);
    if (ec) return make_error(ec, "create " + dir.string());
    POSTA_TRY(fsync_dir(s.root));
    if (::rename(s.temp.c_str(), final_path.c_str()) != 0) return sys_error("rename blob");
  }
  s.temp.clear();
  POSTA_TRY(fsync_path(dir));
  return ref;
}

store::store(fs::path root) : root_(std::move(root)) {}

// DURABILITY: the folders blobs are renamed into (tmp and the 256 fan-out
// folders ab/) are created here, before anything is acknowledged, and their
// entries made durable: the root is fsynced, and the data folder holding the
// root. A blob whose folder's own entry was still in the page cache would be
// lost by a power cut although the blob and its folder had been fsynced.
// Synced on every start, since a crash may have come between mkdir and fsync.
result<void> store::open_blocking() {
  std::error_code ec;
  fs::create_directories(root_ / "tmp", ec);
  if (ec) return make_error(ec, "create " + root_.string());
  for (int i = 0; i < 256; ++i) {
    auto dir = root_ / fan_out_name(i);
    fs::create_directory(dir, ec);
    if (ec) return make_error(ec, "create " + dir.string());
  }
  POSTA_TRY(fsync_dir(root_));
  POSTA_TRY(fsync_dir(root_ / ".."));  // the data folder: our own entry
  if (skip_fsync_for_tests())
    journal::log(journal::level::warning, "POSTA_TEST_SKIP_BLOB_FSYNC=1: blob fsyncs are OFF; accepted mail can be lost in a power cut "
                 "(a test-only switch: never set it in production)");
  return {};
}

fs::path store::path_of(std::string_view hash) const {
  return root_ / std::string(hash.substr(0, 2)) / std::string(hash.substr(2));
}

writer store::begin() const { return begin(inline_max_.load()); }

writer store::begin(std::int64_t inline_max_bytes) const {
  auto s = std::make_unique<writer::state>();
  s->root = root_;
  s->inline_max = std::min(inline_max_bytes, inline_max_.load());
  return writer(std::move(s));
}

result<blob_ref> store::put_blocking(std::string_view data) const {
  auto w = begin();
  POSTA_TRY(w.append(data));
  return w.finish_blocking();
}

namespace {
// A body file opened for reading, with its size; the caller closes it.
result<std::pair<int, std::int64_t>> open_for_reading(std::filesystem::path const& path, std::string_view hash) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return make_error(errc::not_found, "blob " + std::string(hash));
  if (fd < 0) return sys_error("open blob " + std::string(hash));
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return sys_error("stat blob");
  }
  return std::pair{fd, static_cast<std::int64_t>(st.st_size)};
}
}  // namespace

result<std::string> store::read_file_blocking(std::string_view hash, std::int64_t offset, std::int64_t length) const {
  if (!is_hash(hash)) return make_error(errc::invalid_argument, "blob hash");
  if (offset < 0) return make_error(errc::invalid_argument, "blob offset");
  auto [fd, size] = POSTA_TRY(open_for_reading(path_of(hash), hash));
  std::int64_t available = std::max<std::int64_t>(0, size - offset);
  std::int64_t want = length < 0 ? available : std::min(length, available);
  std::string out(static_cast<size_t>(want), '\0');
  std::int64_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd, out.data() + got, static_cast<size_t>(want - got), offset + got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += n;
  }
  ::close(fd);
  if (got < want) return make_error(errc::io_error, "short read of blob " + std::string(hash));
  return out;
}

}  // namespace posta::blob

namespace posta::blob {

mapped_file::mapped_file(mapped_file&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
mapped_file& mapped_file::operator=(mapped_file&& o) noexcept {
  std::swap(data_, o.data_);
  std::swap(size_, o.size_);
  return *this;
}
mapped_file::~mapped_file() {
  if (data_) ::munmap(data_, size_);
}

result<mapped_file> store::map_file_blocking(std::string_view hash) const {
  if (!is_hash(hash)) return make_error(errc::invalid_argument, "blob hash");
  auto [fd, size] = POSTA_TRY(open_for_reading(path_of(hash), hash));
  if (size == 0) {
    ::close(fd);
    return mapped_file();
  }
  void* p = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);  // the mapping keeps the file
  if (p == MAP_FAILED) return sys_error("map blob");
  return mapped_file(p, static_cast<std::size_t>(size));
}

}  // namespace posta::blob
