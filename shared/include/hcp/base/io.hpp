#pragma once
// File plumbing every part of the core and hcpctl shares: an owned file descriptor and the one
// way a private file is written durably.
//
// write_file_atomic() contract: the content goes to a fresh file under a unique name in the
// target's directory (created O_CREAT|O_EXCL, mode 0600, so nothing planted at a predictable
// name is written through), is written completely and fsynced, gets its mode (and owner, when
// asked) and only then takes the target's name (rename, or link when the target must not be
// replaced); the directory is fsynced last. A reader sees the old file or the whole new one,
// never half of it; after a failure the temporary file is gone and the target is as it was.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "hcp/base/error.hpp"

namespace hcp::io {

// A file descriptor owned by one object: closed when it goes; moved, never copied.
class UniqueFd {
public:
    UniqueFd() noexcept = default;
    explicit UniqueFd(int fd) noexcept : m_fd(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const noexcept { return m_fd; }
    bool valid() const noexcept { return m_fd >= 0; }
    explicit operator bool() const noexcept { return valid(); }
    // Gives the descriptor up without closing it.
    int release() noexcept {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    // Closes the current descriptor (if any) and owns `fd`.
    void reset(int fd = -1) noexcept;
    // Closes now; returns close()'s errno (0 on success), which some file systems use to report
    // a failed write-back.
    int close() noexcept;

private:
    int m_fd = -1;
};

// A file operation that failed: what() says which and why ("cannot write /x: No space left on
// device"); error_number() is the errno, EEXIST when a no-clobber write met an existing file.
class FileError : public Error {
public:
    FileError(int error_number, const std::string& message) : Error(Errc::io_failure, message), m_errno(error_number) {}
    int error_number() const noexcept { return m_errno; }

private:
    int m_errno;
};

struct WriteOptions {
    mode_t mode = 0600;          // set with fchmod: the umask plays no part
    std::optional<uid_t> owner;  // fchown before the file takes its name (needs root)
    std::optional<gid_t> group;
    bool replace = true;  // false: an existing target is never replaced (FileError EEXIST)
};

// Writes `content` as the whole of `path` (see the contract above). Throws FileError.
void write_file_atomic(const std::filesystem::path& path, std::string_view content, const WriteOptions& options = {});

// fsync() of an existing file, and of a directory (so a rename or a new name in it is durable).
// Throw FileError; a file system that cannot sync directories (EINVAL) is not an error.
void sync_file(const std::filesystem::path& path);
void sync_directory(const std::filesystem::path& directory);

}  // namespace hcp::io
