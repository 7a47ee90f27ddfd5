// hcpctl staff set-pin: writes the argon2id hash of a staff member's console PIN into the hub's
// PIN file ([api].staff_pins_file, mode 0600), replacing that 工号's line or adding it. The PIN is
// read from the terminal without echo (asked twice), or as one line from a pipe (scripts).
// The file is replaced atomically (hcp::io::write_file_atomic); the hub reads it at start.
#include <pwd.h>
#include <termios.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "hcp/base/io.hpp"
#include "hcp/config/config.hpp"
#include "hcp/hub_server/hall_api.hpp"

namespace hcpctl {

namespace {

std::string read_pin(const std::string& prompt) {
    const bool tty = ::isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (tty) {
        std::cerr << prompt << std::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string pin;
    const bool got = static_cast<bool>(std::getline(std::cin, pin));
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << '\n';
    }
    if (!got) throw UsageError("没有读到密码：请在提示后输入 4 到 12 位数字，或从标准输入传入。");
    if (!pin.empty() && pin.back() == '\r') pin.pop_back();
    return pin;
}

// The hub runs as the service user, so root gives it the file when that user exists; a file the
// hub could not read (or others could) is not written at all.
void write_private_file(const std::filesystem::path& path, const std::string& text) {
    hcp::io::WriteOptions options;
    options.mode = 0600;
    if (const passwd* pw = ::geteuid() == 0 ? ::getpwnam("hcp") : nullptr; pw != nullptr) {
        options.owner = pw->pw_uid;
        options.group = pw->pw_gid;
    }
    hcp::io::write_file_atomic(path, text, options);
}

struct SetPinArgs {
    std::string config;
    std::string staff;
};

int set_pin(const SetPinArgs& a) {
    const hcp::Config cfg = hcp::load_config(a.config);
    if (!cfg.api || cfg.api->staff_pins_file.empty())
        throw UsageError(a.config +
                         " 中没有 [api] 一节：员工控制台由中心的大厅接口提供，请先按 docs/config.md 添加 [api]。");
    const hcp::Staff* staff = nullptr;
    for (const auto& s : cfg.staff)
        if (s.number == a.staff) staff = &s;
    if (staff == nullptr)
        throw UsageError("工号 " + a.staff + " 不在 " + a.config +
                         " 的 [[staff]] 名单中：请核对工号，或先在配置中添加这名工作人员。");

    const std::string pin = read_pin("请输入 " + staff->name + "（" + staff->number + "）的新密码（4–12 位数字）：");
    if (auto why = hcp::staff_pin_problem(pin); !why.empty()) {
        std::cerr << "hcpctl staff: " << why << '\n';
        return kExitUsage;
    }
    if (::isatty(STDIN_FILENO) != 0 && read_pin("请再输入一次：") != pin) {
        std::cerr << "hcpctl staff: 两次输入的密码不一致，未做修改。\n";
        return kExitUsage;
    }

    // The other entries are kept as they are (parsed strictly: a broken file is not rewritten).
    const auto& file = cfg.api->staff_pins_file;
    std::vector<hcp::StaffPin> pins;
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        pins = hcp::parse_staff_pins(text.str(), file.string());
    }
    bool replaced = false;
    for (auto& p : pins)
        if (p.staff_no == staff->number) {
            p.pin_hash = hcp::hash_staff_pin(pin);
            replaced = true;
        }
    if (!replaced) pins.push_back({staff->number, hcp::hash_staff_pin(pin)});

    std::string out =
        "# Staff console PINs: argon2id hashes written by `hcpctl staff set-pin` (docs/config.md).\n"
        "# Mode 0600; the hub reads this file when it starts.\n";
    for (const auto& p : pins)
        out += "\n[[staff]]\nnumber = \"" + p.staff_no + "\"\npin_hash = \"" + p.pin_hash + "\"\n";
    write_private_file(file, out);
    std::cout << (replaced ? "已更改 " : "已设置 ") << staff->name << "（工号 " << staff->number
              << "）的控制台密码，保存在 " << file.string()
              << "。请重启中心服务（systemctl restart hcp-hub）后生效。\n";
    return kExitOk;
}

}  // namespace

void add_staff_command(CLI::App& app, int& exit_code) {
    CLI::App& staff = add_command_group(app, "staff", "staff console accounts");
    CLI::App& set_pin_cmd = *staff.add_subcommand(
        "set-pin",
        "set a staff member's console PIN, read from standard input (without echo on a terminal);\n"
        "the hub's PIN file keeps only its argon2id hash, mode 0600");
    auto a = std::make_shared<SetPinArgs>();
    set_pin_cmd.add_option("--config", a->config, "the hub's configuration ([api] staff_pins_file)")
        ->option_text("CONFIG")
        ->required();
    set_pin_cmd.add_option("--staff", a->staff, "the staff member's 工号, a [[staff]] of the configuration")
        ->option_text("工号")
        ->required();
    set_pin_cmd.callback([a, &exit_code] { exit_code = set_pin(*a); });
}

}  // namespace hcpctl
