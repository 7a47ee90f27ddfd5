#include "hcp/base/io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace hcp::io {

namespace {

[[noreturn]] void fail(int err, const std::string& what, const std::filesystem::path& path) {
    throw FileError(err, "cannot " + what + " " + path.string() + ": " + std::strerror(err));
}

std::filesystem::path folder_of(const std::filesystem::path& path) {
    return path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
}

// Removes the temporary file unless it was handed over to its final name.
class TempFile {
public:
    explicit TempFile(std::string path) : m_path(std::move(path)) {}
    ~TempFile() {
        if (!m_path.empty()) ::unlink(m_path.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const noexcept { return m_path; }
    void forget() noexcept { m_path.clear(); }

private:
    std::string m_path;
};

void write_all(int fd, std::string_view content, const std::string& tmp) {
    size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(errno, "write", tmp);
        }
        done += static_cast<size_t>(n);
    }
}

void sync_fd(int fd, const std::filesystem::path& path, bool directory) {
    if (::fsync(fd) == 0) return;
    // Some file systems cannot sync a directory; that says nothing about the data.
    if (directory && (errno == EINVAL || errno == ENOTSUP)) return;
    fail(errno, "sync", path);
}

}  // namespace

void UniqueFd::reset(int fd) noexcept {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
}

int UniqueFd::close() noexcept {
    if (m_fd < 0) return 0;
    const int rc = ::close(release());
    return rc == 0 ? 0 : errno;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content, const WriteOptions& options) {
    if (path.filename().empty()) throw FileError(EINVAL, "cannot write " + path.string() + ": not a file name");
    const auto folder = folder_of(path);
    // mkostemp opens O_CREAT|O_EXCL with mode 0600 under a name nobody could predict. The name
    // starts with a dot so a directory listing does not show a half-written file.
    std::string pattern = (folder / ("." + path.filename().string() + ".XXXXXX")).string();
    UniqueFd fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd) fail(errno, "create a temporary file for", path);
    TempFile tmp(pattern);

    write_all(fd.get(), content, tmp.path());
    if (::fchmod(fd.get(), options.mode) != 0) fail(errno, "set the mode of", tmp.path());
    if ((options.owner || options.group) && ::fchown(fd.get(), options.owner.value_or(static_cast<uid_t>(-1)),
                                                     options.group.value_or(static_cast<gid_t>(-1))) != 0)
        fail(errno, "set the owner of", tmp.path());
    sync_fd(fd.get(), tmp.path(), false);
    if (const int err = fd.close(); err != 0) fail(err, "write", tmp.path());

    if (options.replace) {
        if (::rename(tmp.path().c_str(), path.c_str()) != 0) fail(errno, "replace", path);
        tmp.forget();
    } else {
        // link() refuses an existing name, so even a file that appeared meanwhile is kept.
        if (::link(tmp.path().c_str(), path.c_str()) != 0) fail(errno, "create", path);
    }
    sync_directory(folder);
}

void sync_file(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) fail(errno, "open", path);
    sync_fd(fd.get(), path, false);
}

void sync_directory(const std::filesystem::path& directory) {
    const auto dir = directory.empty() ? std::filesystem::path(".") : directory;
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) fail(errno, "open the folder", dir);
    sync_fd(fd.get(), dir, true);
}

}  // namespace hcp::io
