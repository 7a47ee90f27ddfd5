// hcpctl print and hcpctl token, run as an installer would.
#include <catch2/catch.hpp>

#include "fake_printer.hpp"
#include "printer_helpers.hpp"

using hcp::test::run_command;
using hcp::test::TempDir;
using hcp::test::write_file;

namespace {
std::string q(const std::filesystem::path& p) {
    return "'" + p.string() + "'";
}
std::string field(const std::string& out, const std::string& name) {
    const auto at = out.find(name + " ");
    if (at == std::string::npos) return {};
    const auto end = out.find('\n', at);
    return out.substr(at + name.size() + 1, end - at - name.size() - 1);
}
// A minimal hall configuration in `dir` (data there too) with `extra` sections appended.
std::string hall_config(const std::filesystem::path& dir, const std::string& extra) {
    return "[hall]\ncode = \"150102001\"\nname = \"示例市政务服务中心\"\narea_code = \"150102000000\"\nlevel = "
           "\"county\"\n\n"
           "[device]\nid = \"hub-01\"\nroles = [\"hub\"]\n\n"
           "[paths]\nassets = \"" +
           std::string(HCP_TEST_ASSETS_DIR) + "\"\ndata = \"" + dir.string() +
           "\"\n\n"
           "[rating]\ncatalog = \"catalog/cn-004.toml\"\n\n[rating.unrated]\npreset = \"taian\"\n\n"
           "[calendar]\nfiles = [\"calendars/cn-2026.toml\"]\n\n" +
           extra;
}
}  // namespace

TEST_CASE("hcpctl token issue and verify round-trip and a tampered token is refused in Chinese") {
    TempDir tmp;
    const std::string h = hcp::test::hcpctl_path();
    REQUIRE(run_command(h + " key create " + q(tmp / "qr.key")).exit_code == 0);
    const auto issued = run_command(h + " token issue --key " + q(tmp / "qr.key") +
                                    " --hall 150102001 --subject 20261122000123456789 --stage completed"
                                    " --prefix HTTPS://HCP.EXAMPLE.CN/R/");
    REQUIRE(issued.exit_code == 0);
    const std::string url = field(issued.output, "url");
    CHECK(url.size() <= 80);
    const auto ok = run_command(h + " token verify " + url + " --key " + q(tmp / "qr.key") + " --hall 150102001");
    CHECK(ok.exit_code == 0);
    CHECK(ok.output.find("subject 20261122000123456789") != std::string::npos);
    std::string bad = url;
    bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
    const auto refused = run_command(h + " token verify " + bad + " --key " + q(tmp / "qr.key") + " --hall 150102001");
    CHECK(refused.exit_code == 1);
    CHECK(refused.output.find("请") != std::string::npos);
    const auto expired =
        run_command(h + " token verify " + url + " --key " + q(tmp / "qr.key") + " --hall 150102001 --now 99999999999");
    CHECK(expired.exit_code == 1);
    CHECK(expired.output.find("expired") != std::string::npos);
}

TEST_CASE("hcpctl print writes bytes and a PNG whose QR verifies with the hall key") {
    TempDir tmp;
    const std::string h = hcp::test::hcpctl_path();
    REQUIRE(run_command(h + " key create " + q(tmp / "qr.key")).exit_code == 0);
    write_file(tmp / "printer.toml",
               hall_config(tmp.path(),
                           "[printer]\nprofile = \"generic-58\"\ntransport = \"file:" + (tmp / "never.bin").string() +
                               "\"\n\n[receipt_qr]\n"
                               "url_prefix = \"HTTPS://HCP.EXAMPLE.CN/R/\"\nkey_file = \"qr.key\"\n"));
    for (const char* kind : {"ticket", "receipt", "selftest"}) {
        const auto r = run_command(h + " print " + kind + " --config " + q(tmp / "printer.toml") + " --file " +
                                   q(tmp / "out.bin") + " --png " + q(tmp / "out.png"));
        INFO(r.output);
        REQUIRE(r.exit_code == 0);
        CHECK(std::filesystem::file_size(tmp / "out.bin") > 1000);
        CHECK(hcp::test::read_file(tmp / "out.png").substr(1, 3) == "PNG");
    }
    // escpos2png on captured bytes; garbage is refused with its offset.
    CHECK(run_command(h + " print render " + q(tmp / "out.bin") + " --profile generic-58 --png " + q(tmp / "again.png"))
              .exit_code == 0);
    write_file(tmp / "junk.bin", "\x1b@\x07junk");
    const auto junk = run_command(h + " print render " + q(tmp / "junk.bin") + " --png " + q(tmp / "junk.png"));
    CHECK(junk.exit_code == 1);
    CHECK(junk.output.find("at byte 2") != std::string::npos);
    // The receipt's bytes render and the QR inside verifies with the key from the config.
    REQUIRE(run_command(h + " print receipt --config " + q(tmp / "printer.toml") + " --file " + q(tmp / "r.bin"))
                .exit_code == 0);
    const auto raw = hcp::test::read_file(tmp / "r.bin");
    const auto page =
        hcp::printer::render(hcp::printer::Bytes(raw.begin(), raw.end()), hcp::printer::test::profile("generic-58"));
    REQUIRE(page.ok());
    const auto codes = hcp::printer::test::decode_qr(page.value());
    REQUIRE(codes.size() == 1);
    const auto v = run_command(h + " token verify " + codes[0] + " --key " + q(tmp / "qr.key") + " --hall 150102001");
    CHECK(v.exit_code == 0);
}

TEST_CASE("hcpctl print refuses bad settings and reports an unreachable printer in Chinese") {
    TempDir tmp;
    const std::string h = hcp::test::hcpctl_path();
    write_file(tmp / "bad.toml", hall_config(tmp.path(), "[receipt_qr]\nurl_prefix = \"https://x/\"\n"));
    const auto bad = run_command(h + " print ticket --config " + q(tmp / "bad.toml") + " --file " + q(tmp / "x"));
    CHECK(bad.exit_code == 3);
    CHECK(bad.output.find("receipt_qr.url_prefix") != std::string::npos);
    write_file(tmp / "unknown.toml",
               hall_config(tmp.path(), "[printer]\nprofil = \"generic-58\"\ntransport = \"file:x\"\n"));
    const auto unknown =
        run_command(h + " print ticket --config " + q(tmp / "unknown.toml") + " --file " + q(tmp / "x"));
    CHECK(unknown.exit_code == 3);
    CHECK(unknown.output.find("did you mean 'profile'") != std::string::npos);
    // A configured key file that does not exist is named, with the command that creates it.
    write_file(tmp / "nokey.toml", hall_config(tmp.path(), "[receipt_qr]\nkey_file = \"absent.key\"\n"));
    const auto nokey = run_command(h + " print receipt --config " + q(tmp / "nokey.toml") + " --file " + q(tmp / "x"));
    CHECK(nokey.exit_code != 0);
    CHECK(nokey.output.find("hcpctl key create") != std::string::npos);
    const auto down = run_command(h + " print ticket --printer tcp:127.0.0.1:1 --jobs " + q(tmp / "jobs"));
    CHECK(down.exit_code == 1);
    CHECK(down.output.find("连接不上打印机") != std::string::npos);
    CHECK(run_command(h + " print ticket --printer usb:/dev/x --jobs " + q(tmp / "jobs")).exit_code == 3);
    CHECK(run_command(h + " print poster --file x").exit_code == 2);
}

TEST_CASE("hcpctl print status reports a ready and a paper-out printer and print jobs lists them") {
    hcp::printer::test::FakePrinter fake;
    TempDir tmp;
    const std::string h = hcp::test::hcpctl_path();
    const std::string printer = " --printer tcp:127.0.0.1:" + std::to_string(fake.port());
    const auto ready = run_command(h + " print status" + printer);
    CHECK(ready.exit_code == 0);
    CHECK(ready.output.find("ready") != std::string::npos);
    fake.set_mode(hcp::printer::test::FakePrinter::Mode::paper_out);
    const auto out = run_command(h + " print status" + printer);
    CHECK(out.exit_code == 1);
    CHECK(out.output.find("缺纸") != std::string::npos);
    const auto job = run_command(h + " print ticket --profile generic-80" + printer + " --jobs " + q(tmp / "jobs"));
    CHECK(job.exit_code == 1);
    fake.set_mode(hcp::printer::test::FakePrinter::Mode::ready);
    const auto good = run_command(h + " print ticket --profile generic-80" + printer + " --jobs " + q(tmp / "jobs"));
    CHECK(good.exit_code == 0);
    CHECK(good.output.find("confirmed") != std::string::npos);
    const auto list = run_command(h + " print jobs --jobs " + q(tmp / "jobs"));
    CHECK(list.exit_code == 0);
    CHECK(list.output.find("00000001 failed ticket") != std::string::npos);
    CHECK(list.output.find("00000002 confirmed ticket") != std::string::npos);
}

TEST_CASE("hcpctl print takes the hall name from the configuration and refuses a prefix that is no web address") {
    TempDir tmp;
    const std::string h = hcp::test::hcpctl_path();
    std::string text = hall_config(tmp.path(), "");
    text.replace(text.find("示例市政务服务中心"), std::string("示例市政务服务中心").size(), "测试县便民服务中心");
    write_file(tmp / "hall.toml", text);
    REQUIRE(run_command(h + " key create " + q(tmp / "qr-token.key")).exit_code == 0);  // [receipt_qr]'s default
    // The hall name as the encoder sends it: GB18030 between FS & and FS .
    auto encoded = [](const std::string& name) {
        const auto p = hcp::printer::test::profile("generic-80");
        hcp::printer::Document doc(p.dots_per_line);
        doc.text(name);
        const auto b = hcp::printer::Encoder(p).encode(doc);
        const std::string s(b.begin(), b.end());
        const auto from = s.find("\x1c&") + 2;
        return s.substr(from, s.find("\x1c.", from) - from);
    };
    for (const char* kind : {"ticket", "receipt"}) {
        INFO(kind);
        const auto r = run_command(h + " print " + kind + " --config " + q(tmp / "hall.toml") +
                                   " --profile generic-80 --file " + q(tmp / "out.bin"));
        REQUIRE(r.exit_code == 0);
        const auto bytes = hcp::test::read_file(tmp / "out.bin");
        CHECK(bytes.find(encoded("测试县便民服务中心")) != std::string::npos);
        CHECK(bytes.find(encoded("示例市政务服务中心")) == std::string::npos);
    }
    for (const std::string& cmd :
         {" print ticket --file " + q(tmp / "x.bin") + " --prefix FTP://X/",
          " token issue --key " + q(tmp / "k") + " --hall 1 --subject 1 --stage completed --prefix FTP://X/"}) {
        INFO(cmd);
        const auto r = run_command(h + cmd);
        CHECK(r.exit_code == 2);
        CHECK(r.output.find("HTTPS://") != std::string::npos);
    }
    CHECK(run_command(h + " print --help").exit_code == 0);
    CHECK(run_command(h + " token --help").exit_code == 0);
}
