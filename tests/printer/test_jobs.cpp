// Job manager against a fake TCP 9100 printer on loopback: every failure ends in the right
// state with a reason, nothing hangs, jobs survive a restart.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include "fake_printer.hpp"
#include "hcp/printer/jobs.hpp"
#include "printer_helpers.hpp"

using namespace hcp::printer;
using namespace hcp::printer::test;
using hcp::test::TempDir;
using Mode = FakePrinter::Mode;

namespace {

const JobOptions kFast{Millis(1000), Millis(500), Millis(300), {}};

Bytes ticket_bytes() {
    const Profile p = profile("generic-80");
    return Encoder(p).encode(ticket_document(sample_ticket(), p));
}

JobManager::TransportFactory tcp_to(const FakePrinter& fake) {
    const int port = fake.port();
    return [port] { return make_transport(parse_transport("tcp:127.0.0.1:" + std::to_string(port))); };
}

Job run_one(FakePrinter& fake, Mode mode, const TempDir& dir, const JobOptions& options = kFast) {
    fake.set_mode(mode);
    JobManager jobs(dir.path(), profile("generic-80"), tcp_to(fake), options);
    const auto id = jobs.submit(ticket_bytes(), "ticket A012");
    const auto j = jobs.wait(id, Millis(20000));
    REQUIRE(j);
    REQUIRE(j->finished);
    return *j;
}

}  // namespace

TEST_CASE("A ready printer receives the exact bytes and the job is confirmed by the end-of-job status") {
    FakePrinter fake;
    TempDir dir;
    const Job j = run_one(fake, Mode::ready, dir);
    CHECK(j.state == JobState::confirmed);
    const auto got = fake.received();
    const Bytes bytes = ticket_bytes();
    // status query, the job, status query
    REQUIRE(got.size() == bytes.size() + 18);
    CHECK(std::equal(bytes.begin(), bytes.end(), got.begin() + 9));
}

TEST_CASE("Paper out cover open and offline fail before sending with a reason a person understands") {
    for (auto [mode, word] :
         {std::pair{Mode::paper_out, "缺纸"}, std::pair{Mode::cover_open, "盖子"}, std::pair{Mode::offline, "离线"}}) {
        FakePrinter fake;
        TempDir dir;
        const Job j = run_one(fake, mode, dir);
        CHECK(j.state == JobState::failed);
        CHECK(j.reason.find(word) != std::string::npos);
        CHECK(fake.received().size() == 9);  // only the status queries
    }
}

TEST_CASE("Paper near end still prints and confirms with a warning") {
    FakePrinter fake;
    TempDir dir;
    const Job j = run_one(fake, Mode::paper_near_end, dir);
    CHECK(j.state == JobState::confirmed);
    CHECK(j.reason.find("快用完") != std::string::npos);
}

TEST_CASE("A printer that never answers status fails as no answer instead of hanging") {
    FakePrinter fake;
    TempDir dir;
    const Job j = run_one(fake, Mode::silent, dir);
    CHECK(j.state == JobState::failed);
    CHECK(j.reason.find("没有应答") != std::string::npos);
}

TEST_CASE("A slow printer still gets the whole job confirmed") {
    FakePrinter fake;
    TempDir dir;
    // The shipped deadlines, not kFast: a slow printer on a loaded machine must not look dead.
    const Job j = run_one(fake, Mode::slow, dir, JobOptions{});
    CHECK(j.state == JobState::confirmed);
    CHECK(fake.received().size() == ticket_bytes().size() + 18);
}

TEST_CASE("A printer that stops reading mid-job fails and the next job is preceded by a reset") {
    FakePrinter fake;
    TempDir dir;
    JobManager jobs(dir.path(), profile("generic-80"), tcp_to(fake), kFast);
    // The pre-job status is answered, then the printer stops reading: the end-of-job query
    // gets no answer.
    fake.set_mode(Mode::stall);
    const auto first = jobs.submit(ticket_bytes(), "t1");
    const auto j1 = jobs.wait(first, Millis(20000));
    REQUIRE(j1);
    CHECK(j1->finished);
    CHECK(j1->state == JobState::failed);
    fake.set_mode(Mode::ready);
    const auto second = jobs.submit(ticket_bytes(), "t2");
    const auto j2 = jobs.wait(second, Millis(20000));
    REQUIRE(j2);
    CHECK(j2->state == JobState::confirmed);
    // NUL padding then ESC @ before the second job's status query.
    const auto got = fake.received();
    const std::string s(got.begin(), got.end());
    INFO("first job: " << j1->reason << ", received " << got.size());
    CHECK(s.find(std::string(64, '\0') + "\x1b@\x10\x04\x01") != std::string::npos);
}

TEST_CASE("A connection dropped mid-job ends the job failed with a disconnect reason") {
    FakePrinter fake;
    fake.drop_after(2000);
    TempDir dir;
    const Job j = run_one(fake, Mode::drop, dir);
    CHECK(j.state == JobState::failed);
    CHECK_FALSE(j.reason.empty());
}

TEST_CASE("An unreachable printer fails quickly with a connection reason") {
    TempDir dir;
    int port = 0;
    {
        FakePrinter gone;
        port = gone.port();
    }
    JobManager jobs(
        dir.path(), profile("generic-80"),
        [port] { return make_transport(parse_transport("tcp:127.0.0.1:" + std::to_string(port))); }, kFast);
    const auto j = jobs.wait(jobs.submit(ticket_bytes(), "x"), Millis(20000));
    REQUIRE(j);
    CHECK(j->state == JobState::failed);
    CHECK(j->reason.find("连接不上") != std::string::npos);
}

TEST_CASE("Jobs persist across a restart and an interrupted job is never resent automatically") {
    TempDir dir;
    FakePrinter fake;
    std::string done_id;
    {
        JobManager jobs(dir.path(), profile("generic-80"), tcp_to(fake), kFast);
        done_id = jobs.submit(ticket_bytes(), "ticket A012");
        REQUIRE(jobs.wait(done_id, Millis(20000))->state == JobState::confirmed);
    }
    // Simulate a crash while a job was sending.
    hcp::test::write_file(dir / "00000099.job", "state=sending\nlabel=receipt\nreason=\nattempts=1\n");
    hcp::test::write_file(dir / "00000099.bin", "\x1b@");
    JobManager again(dir.path(), profile("generic-80"), tcp_to(fake), kFast);
    CHECK(again.job(done_id)->state == JobState::confirmed);
    const auto crashed = again.job("00000099");
    REQUIRE(crashed);
    CHECK(crashed->state == JobState::failed);
    CHECK(crashed->reason.find("重新打印") != std::string::npos);
    // Reprint makes a new job with the same bytes; new ids continue after the highest.
    const auto re = again.reprint(done_id);
    CHECK(re == "00000100");
    CHECK(again.wait(re, Millis(20000))->state == JobState::confirmed);
}

TEST_CASE("A one-way file transport ends in sent because nothing can confirm it") {
    TempDir dir;
    const auto out = (dir / "out.bin").string();
    JobManager jobs(
        dir / "jobs", profile("generic-80"), [out] { return make_transport(parse_transport("file:" + out)); }, kFast);
    const auto j = jobs.wait(jobs.submit(ticket_bytes(), "x"), Millis(20000));
    REQUIRE(j);
    CHECK(j->state == JobState::sent);
    CHECK(hcp::test::read_file(out) == as_string(ticket_bytes()));
}

TEST_CASE("Status bytes are decoded per DLE EOT and malformed replies are unknown") {
    CHECK(condition_from_status(0x12, 0x12, 0x12) == PrinterCondition::ready);
    CHECK(condition_from_status(0x1A, 0x32, 0x72) == PrinterCondition::paper_out);
    CHECK(condition_from_status(0x1A, 0x16, 0x12) == PrinterCondition::cover_open);
    CHECK(condition_from_status(0x12, 0x12, 0x1E) == PrinterCondition::paper_near_end);
    CHECK(condition_from_status(0xFF, 0x12, 0x12) == PrinterCondition::unknown);
    CHECK(condition_from_status(0x00, 0x12, 0x12) == PrinterCondition::unknown);
}

TEST_CASE("Transport specifications are parsed and bad ones are refused with the allowed forms") {
    CHECK(parse_transport("tcp:192.168.1.50").port == 9100);
    CHECK(parse_transport("tcp:printer.local:9101").port == 9101);
    const auto s = parse_transport("serial:/dev/ttyS0@115200,xonxoff");
    CHECK(s.baud == 115200);
    CHECK_FALSE(s.rtscts);
    CHECK(parse_transport("cups:Receipt_80").kind == TransportSpec::Kind::cups);
    for (const char* bad : {"", "tcp:", "usb:/dev/x", "tcp:host:99999", "tcp:host:9x", "serial:/dev/ttyS0@1234",
                            "cups:a;rm -rf /", "file"})
        CHECK_THROWS_AS(parse_transport(bad), hcp::Error);
}

TEST_CASE("A missing device file is reported as unreachable") {
    auto t = make_transport(parse_transport("device:/nonexistent/lp9"));
    const auto r = t->open(Millis(100));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().fault == TransportFault::unreachable);
}

TEST_CASE("The CUPS transport streams the job into lp -d QUEUE -o raw and reports a failing lp") {
    TempDir dir;
    // A stand-in lp on PATH records its arguments and stdin; queue "broken" makes it fail.
    hcp::test::write_file(dir / "lp", "#!/bin/sh\necho \"$@\" > \"" + (dir / "args").string() + "\"\ncat > \"" +
                                          (dir / "job").string() +
                                          "\"\ncase \"$*\" in *broken*) exit 1;; esac\nexit 0\n");
    std::filesystem::permissions(dir / "lp", std::filesystem::perms::owner_all);
    const std::string old_path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
    ::setenv("PATH", (dir.path().string() + ":" + old_path).c_str(), 1);
    {
        JobManager jobs(
            dir / "jobs", profile("generic-80"), [] { return make_transport(parse_transport("cups:Receipt")); }, kFast);
        const auto j = jobs.wait(jobs.submit(ticket_bytes(), "x"), Millis(20000));
        REQUIRE(j);
        CHECK(j->state == JobState::sent);
        CHECK(hcp::test::read_file(dir / "job") == as_string(ticket_bytes()));
        CHECK(hcp::test::read_file(dir / "args").find("-d Receipt -o raw") != std::string::npos);
        JobManager broken(
            dir / "jobs2", profile("generic-80"), [] { return make_transport(parse_transport("cups:broken")); }, kFast);
        const auto b = broken.wait(broken.submit(ticket_bytes(), "x"), Millis(20000));
        REQUIRE(b);
        CHECK(b->state == JobState::failed);
    }
    ::setenv("PATH", old_path.c_str(), 1);
}

TEST_CASE("A failed job leaves an English log line with the transport and the cause") {
    TempDir dir;
    int port = 0;
    {
        FakePrinter gone;
        port = gone.port();
    }
    auto lines = std::make_shared<std::vector<std::string>>();
    auto mutex = std::make_shared<std::mutex>();
    JobOptions opts = kFast;
    opts.log = [lines, mutex](const std::string& l) {
        std::lock_guard lock(*mutex);
        lines->push_back(l);
    };
    {
        JobManager jobs(
            dir.path(), profile("generic-80"),
            [port] { return make_transport(parse_transport("tcp:127.0.0.1:" + std::to_string(port))); }, opts);
        REQUIRE(jobs.wait(jobs.submit(ticket_bytes(), "x"), Millis(20000))->state == JobState::failed);
    }
    std::lock_guard lock(*mutex);
    REQUIRE(lines->size() == 1);
    CHECK(lines->front().find("tcp:127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(lines->front().find("unreachable") != std::string::npos);
}

TEST_CASE("The serial transport sets up a pseudo-terminal and delivers the bytes") {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    const std::string slave = ::ptsname(master);
    auto t = make_transport(parse_transport("serial:" + slave + "@115200,xonxoff"));
    REQUIRE(t->open(Millis(500)).ok());
    const Bytes bytes = {0x1B, '@', 'O', 'K', 0x0A};
    REQUIRE(t->write(bytes.data(), bytes.size(), Millis(500)).ok());
    std::uint8_t buf[16] = {};
    pollfd p{master, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 2000) == 1);
    const ssize_t n = ::read(master, buf, sizeof buf);
    CHECK(n == 5);
    CHECK(std::equal(bytes.begin(), bytes.end(), buf));
    // A status reply from the printer side reaches read().
    const std::uint8_t status = 0x12;
    REQUIRE(::write(master, &status, 1) == 1);
    const auto r = t->read(1, Millis(1000));
    REQUIRE(r.ok());
    REQUIRE(r.value().size() == 1);
    CHECK(r.value()[0] == 0x12);
    t->close();
    ::close(master);
}

TEST_CASE("The device transport times out instead of blocking when nobody takes the bytes") {
    TempDir dir;
    const auto fifo = dir / "lp0";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // Keep a reader open that never reads, like a printer that stopped taking data.
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(reader >= 0);
    auto t = make_transport(parse_transport("device:" + fifo.string()));
    REQUIRE(t->open(Millis(100)).ok());
    const Bytes big(1 << 20, 0x41);  // more than a pipe holds
    const auto r = t->write(big.data(), big.size(), Millis(200));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().fault == TransportFault::timeout);
    t->close();
    ::close(reader);
}

namespace {

// A listening socket whose accept queue is full: the kernel drops further SYNs, so a connect
// gets no answer at all, like a printer that is switched off.
class SilentListener {
public:
    SilentListener() {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(m_listen, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(m_listen, 0) != 0)
            throw std::runtime_error("silent listener: bind/listen failed");
        socklen_t len = sizeof a;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        for (int i = 0; i < 4; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
            m_fillers.push_back(fd);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the handshakes settle
    }
    ~SilentListener() {
        for (int fd : m_fillers) ::close(fd);
        ::close(m_listen);
    }
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;
    int port() const { return m_port; }

private:
    int m_listen = -1;
    int m_port = 0;
    std::vector<int> m_fillers;
};

}  // namespace

TEST_CASE("A printer that does not answer the connection is reported as off or unreachable and not as paper") {
    SilentListener silent;
    const std::string spec = "tcp:127.0.0.1:" + std::to_string(silent.port());
    auto t = make_transport(parse_transport(spec));
    const auto r = t->open(Millis(300));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().fault == TransportFault::connect_timeout);

    TempDir dir;
    JobManager jobs(
        dir.path(), profile("generic-80"), [spec] { return make_transport(parse_transport(spec)); }, kFast);
    const auto j = jobs.wait(jobs.submit(ticket_bytes(), "x"), Millis(20000));
    REQUIRE(j);
    CHECK(j->state == JobState::failed);
    CHECK(j->reason.find("缺纸") == std::string::npos);
    CHECK(j->reason.find("开机") != std::string::npos);
}

TEST_CASE("The resync after an aborted job happens also when the next job comes from a new process") {
    FakePrinter fake;
    TempDir dir;
    {
        JobManager jobs(dir.path(), profile("generic-80"), tcp_to(fake), kFast);
        fake.set_mode(Mode::stall);
        const auto j = jobs.wait(jobs.submit(ticket_bytes(), "t1"), Millis(20000));
        REQUIRE(j);
        REQUIRE(j->state == JobState::failed);
    }
    fake.set_mode(Mode::ready);
    const auto before = fake.received().size();
    JobManager again(dir.path(), profile("generic-80"), tcp_to(fake), kFast);
    const auto j2 = again.wait(again.submit(ticket_bytes(), "t2"), Millis(20000));
    REQUIRE(j2);
    CHECK(j2->state == JobState::confirmed);
    const auto got = fake.received();
    const std::string s(got.begin() + static_cast<std::ptrdiff_t>(before), got.end());
    CHECK(s.find(std::string(64, '\0') + "\x1b@\x10\x04\x01") != std::string::npos);
    // Done once: a third job starts with the status query.
    const auto mid = fake.received().size();
    REQUIRE(again.wait(again.submit(ticket_bytes(), "t3"), Millis(20000))->state == JobState::confirmed);
    const auto third = fake.received();
    CHECK(third.at(mid) == 0x10);
}

TEST_CASE("On a link without status a printer that never reads fails with the bytes it did not take") {
    FakePrinter fake(4096);  // a printer-sized receive window
    fake.set_mode(Mode::deaf);
    TempDir dir;
    JobManager jobs(dir.path(), profile("generic-safe"), tcp_to(fake), kFast);
    const Bytes job(12000, 'A');
    const auto j = jobs.wait(jobs.submit(job, "deaf"), Millis(20000));
    REQUIRE(j);
    CHECK(j->finished);
    CHECK(j->state == JobState::failed);
    INFO(j->reason);
    CHECK(j->reason.find("没有收下") != std::string::npos);
    CHECK(j->reason.find("共 12000 字节") != std::string::npos);
}

TEST_CASE("On a link without status a printer that drops the connection mid-job is not reported sent") {
    FakePrinter fake(4096);
    fake.set_mode(Mode::drop);
    fake.drop_after(3054);
    TempDir dir;
    JobManager jobs(dir.path(), profile("generic-safe"), tcp_to(fake), kFast);
    const Bytes job(12000, 'A');
    const auto j = jobs.wait(jobs.submit(job, "dropped"), Millis(20000));
    REQUIRE(j);
    CHECK(j->state == JobState::failed);
    INFO(j->reason);
    CHECK(j->reason.find("断开") != std::string::npos);
}

TEST_CASE("On a link without status a printer that takes every byte ends sent") {
    FakePrinter fake(4096);
    TempDir dir;
    JobManager jobs(dir.path(), profile("generic-safe"), tcp_to(fake), kFast);
    const Bytes job(12000, 'A');
    const auto j = jobs.wait(jobs.submit(job, "fine"), Millis(20000));
    REQUIRE(j);
    CHECK(j->state == JobState::sent);
    CHECK(fake.received().size() == job.size());
}

TEST_CASE("A printer that takes a long job slowly but completely is confirmed and not reported silent") {
    FakePrinter fake;
    fake.set_mode(Mode::paced);
    fake.pace(5000);
    TempDir dir;
    // 10 000 bytes at 5 000 B/s: the end-of-job answer comes after about 2 s, far past the 300 ms
    // status deadline of a short exchange.
    JobManager jobs(dir.path(), profile("generic-80"), tcp_to(fake), kFast);
    const Bytes job(10000, 'A');
    const auto j = jobs.wait(jobs.submit(job, "long"), Millis(30000));
    REQUIRE(j);
    INFO(j->reason);
    CHECK(j->state == JobState::confirmed);
}

TEST_CASE("The end-of-job wait grows with the job and with a slow serial link") {
    const JobOptions o;  // 1.5 s, 2 000 B/s
    CHECK(end_of_job_wait(0, std::nullopt, o) == Millis(1500));
    CHECK(end_of_job_wait(27093, std::nullopt, o) == Millis(1500 + 13546));
    CHECK(end_of_job_wait(27093, 11520, o) == Millis(1500 + 13546));  // 115200 baud: the printer is slower
    CHECK(end_of_job_wait(27093, 960, o) == Millis(1500 + 28221));    // 9600 baud
    CHECK(make_transport(parse_transport("serial:/dev/ttyS0@9600"))->link_bytes_per_second() == 960);
    CHECK_FALSE(make_transport(parse_transport("tcp:127.0.0.1:9100"))->link_bytes_per_second());
}
