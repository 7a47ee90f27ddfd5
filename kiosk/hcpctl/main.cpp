// hcpctl: the headless tool for installers and tests. Links only libhcp_core.
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "hcp/base/error.hpp"

namespace hcpctl {
int cmd_check(const std::vector<std::string>& args);  // cmd_check.cpp (issue 7 item 3)
int cmd_staff(const std::vector<std::string>& args);  // cmd_staff.cpp: console PINs
int cmd_provision(const std::vector<std::string>& args);  // cmd_provision.cpp (issue 7 item 4)
int cmd_backup(const std::vector<std::string>& args);     // cmd_backup.cpp (issue 7 item 4)
int cmd_restore(const std::vector<std::string>& args);    // cmd_backup.cpp (issue 7 item 4)
}  // namespace hcpctl

namespace {

constexpr const char* kUsage = R"(hcpctl — 好差评 kiosk command-line tool

usage:
  hcpctl check [--config FILE] [--json] [--skip-network]
                                    check this device on site: configuration, keys, database,
                                    disk, clock, printer, hub, platform, font, display
                                    (default /etc/hcp-kiosk/hall.toml; docs/troubleshooting.md);
                                    exit 0 all ok, 1 warnings only, 3 errors
  hcpctl config check FILE          validate a configuration (and its catalog and calendars)
  hcpctl provision --config FILE --hall-code C --hall-name N --area-code 12DIGITS --level LEVEL
                   --device-id ID --roles R1,R2 [--window N] [--hub-url URL] [--hub-token-file F]
                   [--unrated taian|gansu] [--assets DIR] [--data DIR] [--force]
                                    fill in this device's configuration (the shipped hall.toml or
                                    FILE), create the data folder and the storage key, say what is left
  hcpctl backup DB OUT [--key FILE] [--force]
                                    online backup of a running hub's database, checked and verified
  hcpctl restore BACKUP DB [--key FILE] [--force]
                                    put a checked backup in place (hub stopped; the old DB is kept)
  hcpctl key create FILE            create a new key file (mode 0600); never overwrites
  hcpctl verify DB [--key FILE] [--json]
                                    check every rating chain for deleted, altered, reordered
                                    or inserted ratings
  hcpctl export DB --from DATE --to DATE [--format csv|json] [--key FILE] [--unmasked]
                                    ratings tapped in [from, to) (dates YYYY-MM-DD, China time);
                                    applicant data is masked unless --unmasked
  hcpctl demo [--config FILE]       run a demo morning at the demo hall in ./var/demo
  hcpctl platform-sim --secret FILE [--db FILE] [--port N] [fault switches]
                                    the reference 好差评 platform on 127.0.0.1 (page at /)
  hcpctl sync --config CONFIG [--status]
                                    upload the outbox once and print what happened, or
                                    (--status) how many ratings wait and since when
  hcpctl print ticket|receipt|selftest [--profile ID] [--file OUT] [--png OUT.png]
                                    encode a queue ticket, 办件回执 or printer self-test page
  hcpctl token issue|verify ...     issue or check a signed rating QR token (docs/qr-token.md)
  hcpctl staff set-pin --config FILE --staff 工号
                                    set a staff member's console PIN (read without echo; the
                                    hub's PIN file keeps only its argon2id hash, mode 0600)
  hcpctl hub --config FILE [--listen HOST:PORT]
                                    run the hub headless: the hall API (docs/hall-api.md)
                                    until SIGINT/SIGTERM
  hcpctl --version

exit codes: 0 ok, 1 problems found, 2 usage error, 3 could not run
)";

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
        std::cout << kUsage;
        return args.empty() ? hcpctl::kExitUsage : hcpctl::kExitOk;
    }
    if (args[0] == "--version" || args[0] == "version") {
        std::cout << "hcpctl " << HCP_VERSION << '\n';
        return hcpctl::kExitOk;
    }
    const std::string command = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    try {
        if (command == "check") return hcpctl::cmd_check(rest);
        if (command == "config") return hcpctl::cmd_config(rest);
        if (command == "provision") return hcpctl::cmd_provision(rest);
        if (command == "backup") return hcpctl::cmd_backup(rest);
        if (command == "restore") return hcpctl::cmd_restore(rest);
        if (command == "key") return hcpctl::cmd_key(rest);
        if (command == "verify") return hcpctl::cmd_verify(rest);
        if (command == "export") return hcpctl::cmd_export(rest);
        if (command == "demo") return hcpctl::cmd_demo(rest);
        if (command == "hub") return hcpctl::cmd_hub(rest);
        if (command == "print") return hcpctl::cmd_print(rest);
        if (command == "token") return hcpctl::cmd_token(rest);
        if (command == "platform-sim") return hcpctl::cmd_platform_sim(rest);
        if (command == "sync") return hcpctl::cmd_sync(rest);
        if (command == "staff") return hcpctl::cmd_staff(rest);
        std::cerr << "hcpctl: unknown command '" << command << "'\n\n" << kUsage;
        return hcpctl::kExitUsage;
    } catch (const hcpctl::UsageError& e) {
        std::cerr << "hcpctl " << command << ": " << e.what() << '\n';
        return hcpctl::kExitUsage;
    } catch (const hcp::Error& e) {
        std::cerr << "hcpctl " << command << ": " << e.what() << '\n';
        return hcpctl::kExitFailed;
    } catch (const std::exception& e) {
        std::cerr << "hcpctl " << command << ": unexpected error: " << e.what() << '\n';
        return hcpctl::kExitFailed;
    }
}
