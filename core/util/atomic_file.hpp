// Writing a small file (a key, a certificate, a generated secret) so that a
// crash leaves either the old file or the whole new one, never a part.
#pragma once

#include "core/util/result.hpp"

#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace posta::util {

// DURABILITY: writes `path.tmp` with `mode`, fsyncs it, renames it over
// `path` and fsyncs the folder, so the new name survives a power loss too.
// SECURITY: `mode` is set with fchmod, so the umask or an old temp file
// cannot widen it.
result<void> write_file_atomically(std::filesystem::path const& path, std::string_view data, mode_t mode);

// DURABILITY: makes the entries of `folder` (new files, folders, renames)
// survive a power loss.
result<void> fsync_folder(std::filesystem::path const& folder);

}  // namespace posta::util
