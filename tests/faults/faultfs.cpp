// A fault-injecting LD_PRELOAD shim that turns one folder into a small filesystem, so the
// disk-full run (disk_full.cpp) needs no root, no loop device and no tmpfs mount (none of which a
// CI container may allow).
//
// Contract (for processes started with LD_PRELOAD=libhcp_faultfs.so and HCP_FAULTFS_DIR=DIR):
// - Files directly or indirectly under DIR share a capacity (hcp_faultfs_set_capacity; -1, the
//   start value, means unlimited). "Used" is the sum of the sizes of the regular files in DIR.
// - write/pwrite/pwrite64/ftruncate/ftruncate64 on a file under DIR that would grow it beyond
//   the capacity fail with ENOSPC and write nothing (what SQLite meets on a full disk: it maps
//   ENOSPC to SQLITE_FULL). Writes that do not grow a file always succeed, as on a real disk.
// - statvfs/statvfs64/fstatvfs/fstatvfs64 of DIR report the remaining capacity as free space,
//   so the store's free-space reserve sees the same small disk.
// - Everything outside DIR passes straight through.
// The program under test finds the control functions with dlsym(RTLD_DEFAULT, …).
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace {

std::atomic<long long> g_capacity{-1};
std::atomic<long long> g_refusals{0};
std::once_flag g_once;
std::string g_dir;  // canonical, no trailing slash; empty: the shim is inert

void init() {
    std::call_once(g_once, [] {
        const char* d = std::getenv("HCP_FAULTFS_DIR");
        if (!d || !*d) return;
        char buf[PATH_MAX];
        if (::realpath(d, buf)) g_dir = buf;
    });
}

template <typename F>
F real(const char* name) {
    return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

bool path_in_dir(const char* path) {
    init();
    if (g_dir.empty() || !path) return false;
    return std::strncmp(path, g_dir.c_str(), g_dir.size()) == 0 &&
           (path[g_dir.size()] == '/' || path[g_dir.size()] == 0);
}

bool fd_in_dir(int fd) {
    init();
    if (g_dir.empty() || fd < 0) return false;
    char link[64], path[PATH_MAX];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = ::readlink(link, path, sizeof path - 1);
    if (n <= 0) return false;
    path[n] = 0;
    return path_in_dir(path);
}

long long used_bytes_in(const std::string& dir) {
    long long total = 0;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return 0;
    while (dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
        std::string p = dir + "/" + e->d_name;
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0) continue;
        if (S_ISREG(st.st_mode))
            total += st.st_size;
        else if (S_ISDIR(st.st_mode))
            total += used_bytes_in(p);
    }
    ::closedir(d);
    return total;
}

// True when growing the file behind `fd` to `new_end` bytes does not fit.
bool refuse_growth(int fd, long long new_end) {
    const long long cap = g_capacity.load();
    if (cap < 0 || !fd_in_dir(fd)) return false;
    struct stat st {};
    if (::fstat(fd, &st) != 0) return false;
    const long long growth = new_end - static_cast<long long>(st.st_size);
    if (growth <= 0) return false;
    if (used_bytes_in(g_dir) + growth <= cap) return false;
    ++g_refusals;
    errno = ENOSPC;
    return true;
}

template <typename Count>
void shrink_to_capacity(unsigned long frsize, Count& blocks, Count& bfree, Count& bavail) {
    const long long cap = g_capacity.load();
    if (cap < 0 || frsize == 0) return;
    long long left = cap - used_bytes_in(g_dir);
    if (left < 0) left = 0;
    blocks = static_cast<Count>(cap / static_cast<long long>(frsize));
    bfree = bavail = static_cast<Count>(left / static_cast<long long>(frsize));
}

}  // namespace

extern "C" {

// Control (found with dlsym by the program under test).
__attribute__((visibility("default"))) void hcp_faultfs_set_capacity(long long bytes) {
    g_capacity = bytes;
}
__attribute__((visibility("default"))) long long hcp_faultfs_used() {
    init();
    return g_dir.empty() ? 0 : used_bytes_in(g_dir);
}
__attribute__((visibility("default"))) long long hcp_faultfs_refusals() {
    return g_refusals.load();
}

__attribute__((visibility("default"))) ssize_t write(int fd, const void* buf, size_t n) {
    static auto next = real<ssize_t (*)(int, const void*, size_t)>("write");
    if (n > 0 && g_capacity.load() >= 0 && fd_in_dir(fd)) {
        int flags = ::fcntl(fd, F_GETFL);
        struct stat st {};
        off_t at = (flags >= 0 && (flags & O_APPEND) && ::fstat(fd, &st) == 0) ? st.st_size : ::lseek(fd, 0, SEEK_CUR);
        if (at >= 0 && refuse_growth(fd, static_cast<long long>(at) + static_cast<long long>(n))) return -1;
    }
    return next(fd, buf, n);
}

__attribute__((visibility("default"))) ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
    static auto next = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
    if (n > 0 && refuse_growth(fd, static_cast<long long>(off) + static_cast<long long>(n))) return -1;
    return next(fd, buf, n, off);
}

__attribute__((visibility("default"))) ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
    static auto next = real<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
    if (n > 0 && refuse_growth(fd, static_cast<long long>(off) + static_cast<long long>(n))) return -1;
    return next(fd, buf, n, off);
}

__attribute__((visibility("default"))) int ftruncate(int fd, off_t len) noexcept {
    static auto next = real<int (*)(int, off_t)>("ftruncate");
    if (refuse_growth(fd, static_cast<long long>(len))) return -1;
    return next(fd, len);
}

__attribute__((visibility("default"))) int ftruncate64(int fd, off64_t len) noexcept {
    static auto next = real<int (*)(int, off64_t)>("ftruncate64");
    if (refuse_growth(fd, static_cast<long long>(len))) return -1;
    return next(fd, len);
}

__attribute__((visibility("default"))) int statvfs(const char* path, struct statvfs* out) noexcept {
    static auto next = real<int (*)(const char*, struct statvfs*)>("statvfs");
    int rc = next(path, out);
    char buf[PATH_MAX];
    if (rc == 0 && ::realpath(path, buf) && path_in_dir(buf))
        shrink_to_capacity(out->f_frsize, out->f_blocks, out->f_bfree, out->f_bavail);
    return rc;
}

__attribute__((visibility("default"))) int statvfs64(const char* path, struct statvfs64* out) noexcept {
    static auto next = real<int (*)(const char*, struct statvfs64*)>("statvfs64");
    int rc = next(path, out);
    char buf[PATH_MAX];
    if (rc == 0 && ::realpath(path, buf) && path_in_dir(buf))
        shrink_to_capacity(out->f_frsize, out->f_blocks, out->f_bfree, out->f_bavail);
    return rc;
}

__attribute__((visibility("default"))) int fstatvfs(int fd, struct statvfs* out) noexcept {
    static auto next = real<int (*)(int, struct statvfs*)>("fstatvfs");
    int rc = next(fd, out);
    if (rc == 0 && fd_in_dir(fd)) shrink_to_capacity(out->f_frsize, out->f_blocks, out->f_bfree, out->f_bavail);
    return rc;
}

__attribute__((visibility("default"))) int fstatvfs64(int fd, struct statvfs64* out) noexcept {
    static auto next = real<int (*)(int, struct statvfs64*)>("fstatvfs64");
    int rc = next(fd, out);
    if (rc == 0 && fd_in_dir(fd)) shrink_to_capacity(out->f_frsize, out->f_blocks, out->f_bfree, out->f_bavail);
    return rc;
}

}  // extern "C"
