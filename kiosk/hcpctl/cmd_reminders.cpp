// hcpctl reminders [list] | called CASE_NO: the reminders of unrated cases (docs/reminders.md).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli.hpp"
#include "hcp/base/personal.hpp"
#include "hcp/config/config.hpp"
#include "hcp/store/store.hpp"
#include "hcp/store/unrated.hpp"

namespace hcpctl {

namespace {

constexpr const char* kDefaultConfig = "/etc/hcp-kiosk/hall.toml";

int list(const std::string& config_path, bool all, bool show_phone) {
    const hcp::Config config = hcp::load_config(config_path);
    hcp::ReminderBook book = hcp::ReminderBook::open(config.store.database);
    // The phone comes from the case, decrypted with the store key; masked unless asked for.
    std::optional<hcp::SecretKey> key;
    try {
        key = hcp::SecretKey::load_file(config.store.key_file);
    } catch (const hcp::Error&) {
        // Without the key (not root, not the hcp user) the list still shows, without phones.
    }
    hcp::Store store = hcp::Store::open_read_only(config.store.database, key);
    std::set<hcp::ReminderState> states;
    if (!all)
        states = {hcp::ReminderState::pending, hcp::ReminderState::unknown, hcp::ReminderState::failed,
                  hcp::ReminderState::no_phone};
    const auto rows = book.list(states);
    std::cout << "提醒方式：" << hcp::to_string(config.reminder.channel) << "；"
              << hcp::explain_zh(config.rating.unrated) << '\n';
    for (const auto& [state, n] : book.counts()) std::cout << "  " << hcp::label_zh(state) << " " << n << '\n';
    if (rows.empty()) {
        std::cout << (all ? "没有提醒记录。\n" : "没有需要处理的提醒。\n");
        return kExitOk;
    }
    std::cout << '\n';
    for (const auto& r : rows) {
        const auto c = store.find_case(r.case_no);
        std::string phone = "（无法解密）";
        if (c && key) phone = show_phone ? c->applicant.phone.reveal() : c->applicant.phone.masked();
        if (c && key && c->applicant.phone.empty()) phone = "（无电话）";
        std::cout << r.case_no << "  " << hcp::label_zh(r.state) << "  应提醒 " << hcp::format_iso8601(r.due_at) << "  "
                  << (c ? c->item.name : std::string("（办件已不存在）")) << "  " << phone;
        if (r.sent_at) std::cout << "  提醒于 " << hcp::format_iso8601(*r.sent_at);
        if (!r.last_error.empty()) std::cout << "  (" << r.last_error << ")";
        std::cout << '\n';
    }
    if (config.reminder.channel == hcp::ReminderChannelKind::call_list)
        std::cout << "\n电话提醒后执行：hcpctl reminders called 办件编号\n";
    return kExitOk;
}

int called(const std::string& config_path, const std::string& case_no) {
    const hcp::Config config = hcp::load_config(config_path);
    hcp::ReminderBook book = hcp::ReminderBook::open(config.store.database);
    if (!book.mark_called(case_no, hcp::now())) {
        std::cerr << "办件 " << case_no << " 没有待电话提醒的记录（hcpctl reminders 列出待办）。\n";
        return kExitFindings;
    }
    std::cout << "已记录：办件 " << case_no << " 已电话提醒。\n";
    return kExitOk;
}

}  // namespace

void add_reminders_command(CLI::App& app, int& exit_code) {
    struct Args {
        std::string config = kDefaultConfig;
        bool all = false;
        bool show_phone = false;
        std::string case_no;
    };
    auto a = std::make_shared<Args>();
    CLI::App& cmd = *app.add_subcommand(
        "reminders",
        "the reminders of unrated cases: those to call, those that failed or may have been sent; with\n"
        "`called CASE_NO` a person records that they reached the citizen");
    cmd.add_option("--config", a->config, "the hall configuration")->capture_default_str();
    cmd.add_flag("--all", a->all, "every reminder, sent ones included");
    cmd.add_flag("--show-phone", a->show_phone, "show phone numbers in full (for calling; needs the store key)");
    CLI::App& called_cmd = *cmd.add_subcommand("called", "record that a person called the citizen of CASE_NO");
    called_cmd.add_option("CASE_NO", a->case_no, "the case number")->required();
    called_cmd.add_option("--config", a->config, "the hall configuration")->capture_default_str();
    called_cmd.callback([a, &exit_code] { exit_code = called(a->config, a->case_no); });
    cmd.callback([a, &cmd, &exit_code] {
        if (cmd.get_subcommands().empty()) exit_code = list(a->config, a->all, a->show_phone);
    });
}

}  // namespace hcpctl
