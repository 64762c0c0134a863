// temp + fsync + rename + directory fsync: see atomic_file.hpp.
#include "core/util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace posta::util {
namespace fs = std::filesystem;

namespace {

error sys_error(int err, std::string what) { return make_error(std::error_code(err, std::generic_category()), std::move(what)); }

bool write_all(int fd, std::string_view data) {
  for (std::size_t done = 0; done < data.size();) {
    ssize_t const n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

result<void> fsync_folder(fs::path const& folder) {
  int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error(errno, "open " + folder.string());
  int const rc = ::fsync(fd);
  int const saved = errno;
  ::close(fd);
  if (rc != 0) return sys_error(saved, "fsync " + folder.string());
  return {};
}

result<void> write_file_atomically(fs::path const& path, std::string_view data, mode_t mode) {
  fs::path const tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return sys_error(errno, "create " + tmp.string());
  bool const ok = ::fchmod(fd, mode) == 0 && write_all(fd, data) && ::fsync(fd) == 0;
  int const saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int const err = ok ? errno : saved;
    ::unlink(tmp.c_str());
    return sys_error(err, "write " + path.string());
  }
  return fsync_folder(path.parent_path());
}

}  // namespace posta::util
