// File plumbing of the core (shared/include/hcp/base/io.hpp): the owned file descriptor and the
// atomic write of a private file.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <utility>

#include "hcp/base/io.hpp"
#include "test_support.hpp"

using namespace hcp;
using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777U;
}

// Every entry of the folder: a leftover temporary file shows here.
int entries(const fs::path& dir) {
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
    return n;
}

bool fd_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

// Sets the umask for one scope.
class Umask {
public:
    explicit Umask(mode_t m) : m_saved(::umask(m)) {}
    ~Umask() { ::umask(m_saved); }
    Umask(const Umask&) = delete;
    Umask& operator=(const Umask&) = delete;

private:
    mode_t m_saved;
};

}  // namespace

TEST_CASE("a unique fd closes its descriptor when it goes and hands it on when moved", "[io]") {
    int raw = -1;
    {
        io::UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        REQUIRE(fd.valid());
        raw = fd.get();
        io::UniqueFd moved(std::move(fd));
        CHECK_FALSE(fd.valid());  // NOLINT(bugprone-use-after-move): the moved-from state is the contract
        CHECK(moved.get() == raw);
        CHECK(fd_open(raw));
    }
    CHECK_FALSE(fd_open(raw));

    io::UniqueFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    const int released = a.release();
    CHECK_FALSE(a.valid());
    CHECK(fd_open(released));
    a.reset(released);
    CHECK(a.close() == 0);
    CHECK_FALSE(a.valid());
    CHECK_FALSE(fd_open(released));
}

TEST_CASE("an atomic write leaves exactly the content with mode 0600 whatever the umask and no temporary file",
          "[io]") {
    test::TempDir dir;
    const auto file = dir / "secret.txt";
    {
        Umask loose(0);
        io::write_file_atomic(file, "first\n");
    }
    CHECK(test::read_file(file) == "first\n");
    CHECK(mode_of(file) == 0600);
    {
        Umask strict(0277);  // would make a plain open(…, 0600) read-only
        io::write_file_atomic(file, std::string(100000, 'x'));
    }
    CHECK(test::read_file(file) == std::string(100000, 'x'));
    CHECK(mode_of(file) == 0600);
    CHECK(entries(dir.path()) == 1);
}

TEST_CASE("an atomic write gives the file the mode it is asked for", "[io]") {
    test::TempDir dir;
    const auto file = dir / "hall.toml";
    io::WriteOptions options;
    options.mode = 0640;
    io::write_file_atomic(file, "a = 1\n", options);
    CHECK(mode_of(file) == 0640);
    CHECK(test::read_file(file) == "a = 1\n");
}

TEST_CASE("an atomic write never writes through a file planted at a predictable temporary name", "[io]") {
    test::TempDir dir;
    const auto file = dir / "pins";
    const auto victim = dir / "victim";
    test::write_file(victim, "untouched");
    fs::create_symlink(victim, dir / "pins.tmp");
    io::write_file_atomic(file, "new");
    CHECK(test::read_file(file) == "new");
    CHECK(test::read_file(victim) == "untouched");
}

TEST_CASE("an atomic write that must not clobber refuses an existing file and leaves it as it was", "[io]") {
    test::TempDir dir;
    const auto file = dir / "store.key";
    io::WriteOptions keep;
    keep.replace = false;
    io::write_file_atomic(file, "original", keep);
    CHECK(test::read_file(file) == "original");
    CHECK(mode_of(file) == 0600);
    try {
        io::write_file_atomic(file, "other", keep);
        FAIL("an existing file was replaced");
    } catch (const io::FileError& e) {
        CHECK(e.error_number() == EEXIST);
        CHECK(e.code() == Errc::io_failure);
        CHECK_THAT(e.what(), Contains(file.string()));
    }
    CHECK(test::read_file(file) == "original");
    CHECK(entries(dir.path()) == 1);
}

TEST_CASE("a failed atomic write says why and leaves the target as it was and no temporary file", "[io]") {
    test::TempDir dir;
    // The target's name is taken by a folder: rename() fails after the content was written.
    const auto taken = dir / "taken";
    fs::create_directory(taken);
    test::write_file(taken / "inside", "x");
    CHECK_THROWS_AS(io::write_file_atomic(taken, "content"), io::FileError);
    CHECK(fs::is_directory(taken));
    CHECK(entries(dir.path()) == 1);

    // A folder that does not exist: nothing can be created.
    try {
        io::write_file_atomic(dir / "missing" / "file", "content");
        FAIL("wrote into a missing folder");
    } catch (const io::FileError& e) {
        CHECK(e.error_number() == ENOENT);
        CHECK_THAT(e.what(), Contains("missing"));
    }
    CHECK(entries(dir.path()) == 1);
}

TEST_CASE("a file and its folder can be synced but a missing file cannot", "[io]") {
    test::TempDir dir;
    test::write_file(dir / "f", "x");
    CHECK_NOTHROW(io::sync_file(dir / "f"));
    CHECK_NOTHROW(io::sync_directory(dir.path()));
    CHECK_THROWS_AS(io::sync_file(dir / "nope"), io::FileError);
}
