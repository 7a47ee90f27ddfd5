// hcpctl demo: a morning at the demo hall, end to end through the real core — configuration,
// catalog, calendar, rules, the durable store and its chain, verification and export.
// `./dev demo` runs this first, then hcp-kiosk with the embedded hub that uploads these ratings.
#include <CLI/CLI.hpp>

#include <array>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string_view>

#include "cli.hpp"
#include "hcp/base/utf8.hpp"
#include "hcp/config/config.hpp"
#include "hcp/domain/calendar.hpp"
#include "hcp/domain/calendar_sources.hpp"
#include "hcp/domain/catalog.hpp"
#include "hcp/store/export.hpp"
#include "hcp/store/store.hpp"
#include "hcp/store/verify.hpp"

namespace hcpctl {

namespace {

struct Demo {
    hcp::Config config;
    hcp::OptionCatalog catalog;
    hcp::WorkCalendar calendar;
    hcp::Store store;
    hcp::TimePoint clock;
    int serial = 0;

    std::string next_case_no(const hcp::ServiceItem& item) {
        // 办件编号 in the common "实施编码 + yyyyMMdd + serial" shape (reference/haochaping-spec §1a).
        auto date = hcp::format_date(hcp::china_date(clock));
        std::string ymd = date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
        for (;;) {
            std::ostringstream no;
            no << item.code << ymd << std::setw(4) << std::setfill('0') << ++serial;
            if (!store.find_case(no.str())) return no.str();
        }
    }

    hcp::Case make_case(size_t item_index, size_t staff_index, hcp::CaseKind kind, const char* name, const char* phone,
                        const char* id_no) {
        const auto& item = config.items.at(item_index % config.items.size());
        const auto& staff = config.staff.at(staff_index % config.staff.size());
        hcp::Case c;
        c.case_no = next_case_no(item);
        c.item = item;
        c.kind = kind;
        c.stage = hcp::Stage::accepted;
        c.window = config.windows.empty() ? 1 : config.windows.at(staff_index % config.windows.size()).number;
        c.staff = staff;
        c.applicant.name = hcp::PersonalField(hcp::PersonalKind::name, name);
        c.applicant.phone = hcp::PersonalField(hcp::PersonalKind::phone, phone);
        c.applicant.id_number = hcp::PersonalField(hcp::PersonalKind::id_number, id_no);
        c.accepted_at = clock;
        return c;
    }

    void complete(hcp::Case& c) {
        clock += std::chrono::minutes{7};
        c.stage = hcp::Stage::completed;
        c.completed_at = clock;
        store.save_case(c);
    }

    void rate(const std::string& what, const hcp::RatingDraft& draft) {
        std::cout << "  " << what << "\n";
        auto result = store.record_rating(draft, hcp::RatingContext{config.hall, catalog});
        if (!result) {
            std::cout << "    → 未保存：" << result.error().message_zh() << "\n";
            return;
        }
        const auto& r = result.value();
        std::cout << "    → 已保存 seq " << r.seq << "  " << hcp::label_zh(r.level) << "  (" << hcp::label_zh(r.channel)
                  << ", " << hcp::to_string(r.target) << ")  hash " << r.hash.substr(0, 12) << "…\n";
        if (!r.option_labels.empty()) {
            std::cout << "      差评原因：";
            for (size_t i = 0; i < r.option_labels.size(); ++i) std::cout << (i ? "；" : "") << r.option_labels[i];
            std::cout << "\n";
        }
        if (r.case_nos.size() > 1) std::cout << "      覆盖办件 " << r.case_nos.size() << " 笔\n";
    }
};

hcp::RatingDraft draft_for(const std::vector<std::string>& cases, hcp::Level level, hcp::Stage stage,
                           hcp::RatingTarget target, hcp::Channel channel, hcp::TimePoint at) {
    hcp::RatingDraft d;
    d.case_nos = cases;
    d.level = level;
    d.stage = stage;
    d.target = target;
    d.channel = channel;
    d.tapped_at = at;
    return d;
}

std::string when(hcp::TimePoint t) {
    auto s = hcp::format_iso8601(t);
    return s.substr(0, 10) + " " + s.substr(11, 5) + " (周" +
           std::string(std::array{"一", "二", "三", "四", "五", "六", "日"}[hcp::iso_weekday(hcp::china_date(t)) - 1]) +
           ")";
}

int run_demo(const std::filesystem::path& config_path) {
    hcp::Config config;
    try {
        config = hcp::load_config(config_path);
    } catch (const hcp::ConfigError& e) {
        std::cerr << config_path.string() << ":\n";
        for (const auto& i : e.issues()) std::cerr << "  " << i.to_string() << '\n';
        return kExitFindings;
    }
    if (config.items.empty() || config.staff.empty())
        throw UsageError("the demo needs at least one [[item]] and one [[staff]] in " + config_path.string());
    std::filesystem::create_directories(config.paths.data);
    if (!std::filesystem::exists(config.store.key_file)) {
        hcp::SecretKey::create_file(config.store.key_file);
        std::cout << "新建密钥文件 " << config.store.key_file.string() << "（仅本用户可读）\n";
    }
    auto key = hcp::SecretKey::load_file(config.store.key_file);
    hcp::StoreOptions so;
    so.path = config.store.database;
    so.device_id = config.device.id;
    so.min_free_bytes = config.store.min_free_mb * 1024 * 1024;
    Demo demo{config,
              hcp::OptionCatalog::load_file(config.rating.catalog),
              hcp::load_hall_calendar(config.calendar).calendar,
              hcp::Store::open(so, key),
              hcp::now(),
              0};

    std::cout << "\n== " << config.hall.name << "（" << config.hall.code << "，区划 " << config.hall.area_code
              << "）==\n";
    std::cout << "设备 " << config.device.id << "，数据库 " << config.store.database.string() << "（已有评价 "
              << demo.store.rating_count() << " 条）\n";
    std::cout << "差评目录 " << demo.catalog.id() << " v" << demo.catalog.version() << "，"
              << demo.catalog.option_count() << " 个选项；工作日历 ";
    for (int y : demo.calendar.years()) std::cout << y << " ";
    std::cout << "\n\n-- 上午的办件与评价 --\n";

    using hcp::Channel;
    using hcp::Level;
    using hcp::RatingTarget;
    using hcp::Stage;

    // 1. 即办件, rated at the window terminal.
    auto c1 = demo.make_case(0, 0, hcp::CaseKind::immediate, "张伟", "13812345678", "150102198801011234");
    demo.store.save_case(c1);
    demo.complete(c1);
    std::cout << "办件 " << c1.case_no << "  " << c1.item.name << "  窗口" << c1.window << " " << c1.staff.name << "("
              << c1.staff.number << ")  办事人 " << c1.applicant.masked_summary() << "\n";
    demo.rate("窗口评价器：非常满意", draft_for({c1.case_no}, Level::very_satisfied, Stage::completed,
                                                RatingTarget::both, Channel::window_rater, demo.clock));

    // 2. 差评 with reasons; then a second try on the same case.
    auto c2 = demo.make_case(1, 1, hcp::CaseKind::immediate, "李秀英", "13987654321", "150102196505052345");
    demo.store.save_case(c2);
    demo.complete(c2);
    std::cout << "办件 " << c2.case_no << "  " << c2.item.name << "  办事人 " << c2.applicant.masked_summary() << "\n";
    auto bad_without_reason = draft_for({c2.case_no}, Level::dissatisfied, Stage::completed, RatingTarget::both,
                                        Channel::window_rater, demo.clock);
    demo.rate("窗口评价器：不满意，但没有选原因", bad_without_reason);
    auto bad = bad_without_reason;
    for (const auto& dim : demo.catalog.dimensions()) {
        if (!dim.options.empty() && bad.option_codes.size() < 2) bad.option_codes.push_back(dim.options.back().code);
    }
    bad.text = "等了四十分钟才叫到号";
    demo.rate("窗口评价器：不满意，选了原因并写了意见", bad);
    demo.rate("同一笔办件再评一次", bad);

    // 3. 承诺件: staff at acceptance, item and staff at completion (by QR).
    auto c3 = demo.make_case(2, 2, hcp::CaseKind::promised, "王芳", "15011112222", "15010219900303456X");
    demo.store.save_case(c3);
    std::cout << "承诺件 " << c3.case_no << "  " << c3.item.name << "（受理）\n";
    demo.rate("受理时评价窗口人员：满意", draft_for({c3.case_no}, Level::satisfied, Stage::accepted,
                                                    RatingTarget::staff, Channel::window_rater, demo.clock));
    demo.rate("受理时想评价事项（不允许）", draft_for({c3.case_no}, Level::satisfied, Stage::accepted,
                                                      RatingTarget::item, Channel::window_rater, demo.clock));
    demo.complete(c3);
    demo.rate("办结后扫回执二维码评价：非常满意", draft_for({c3.case_no}, Level::very_satisfied, Stage::completed,
                                                            RatingTarget::both, Channel::qr_code, demo.clock));

    // 4. 批量业务: three cases, one rating.
    std::string batch = "BATCH-" + std::to_string(demo.clock.time_since_epoch().count());
    std::vector<std::string> batch_cases;
    for (int i = 0; i < 3; ++i) {
        auto c =
            demo.make_case(3, 3, hcp::CaseKind::immediate, "某某科技有限公司", "04712345678", "91150102MA0N123456");
        c.batch_id = batch;
        demo.store.save_case(c);
        demo.complete(c);
        batch_cases.push_back(c.case_no);
    }
    std::cout << "批量业务 " << batch << "：3 笔办件\n";
    demo.rate("对其中一笔评价：满意（适用于整批）", draft_for({batch_cases[0]}, Level::satisfied, Stage::completed,
                                                              RatingTarget::both, Channel::window_rater, demo.clock));

    // 5. 一件事 (theme): an overall rating over linked items.
    std::string theme = "THEME-" + std::to_string(demo.clock.time_since_epoch().count());
    std::vector<std::string> theme_cases;
    for (size_t i = 0; i < 2; ++i) {
        auto c = demo.make_case(4 + i, 0, hcp::CaseKind::immediate, "赵磊", "18600001111", "150102200001011111");
        c.theme_id = theme;
        demo.store.save_case(c);
        demo.complete(c);
        theme_cases.push_back(c.case_no);
    }
    std::cout << "主题式服务 " << theme << "：2 个关联事项\n";
    demo.rate("总体评价：非常满意", draft_for(theme_cases, Level::very_satisfied, Stage::completed, RatingTarget::both,
                                              Channel::window_rater, demo.clock));

    // 6. Self-service terminal: the item only.
    auto c6 = demo.make_case(0, 0, hcp::CaseKind::immediate, "孙丽", "13700002222", "150102197707071234");
    c6.window = 0;
    c6.staff = {};
    demo.store.save_case(c6);
    demo.complete(c6);
    std::cout << "自助终端办件 " << c6.case_no << "  " << c6.item.name << "\n";
    demo.rate("自助终端：评价事项和人员（不允许）", draft_for({c6.case_no}, Level::satisfied, Stage::completed,
                                                              RatingTarget::both, Channel::self_service, demo.clock));
    demo.rate("自助终端：评价事项，基本满意", draft_for({c6.case_no}, Level::basically_satisfied, Stage::completed,
                                                        RatingTarget::item, Channel::self_service, demo.clock));

    // 7. A completed case nobody rated: reminder and default deadlines in working days.
    auto c7 = demo.make_case(1, 1, hcp::CaseKind::immediate, "周杰", "13500003333", "150102199912121234");
    demo.store.save_case(c7);
    demo.complete(c7);
    std::cout << "\n-- 未评价的办件（" << c7.case_no << "，办结于 " << when(*c7.completed_at) << "）--\n";
    auto d = hcp::unrated_deadlines(*c7.completed_at, demo.calendar, config.rating.unrated);
    const auto default_text = [&](const hcp::UnratedPolicy& p, const hcp::UnratedDeadlines& dl) {
        if (!p.default_level || !dl.default_due) return std::string("，不作默认评价");
        return "，默认" + std::string(hcp::label_zh(*p.default_level)) + " " + when(*dl.default_due);
    };
    std::cout << "  本大厅规则（" << hcp::explain_zh(config.rating.unrated) << "）：提醒 " << when(d.reminder_due)
              << default_text(config.rating.unrated, d) << "\n";
    // The same case completed just before 国庆 2026, to show the calendar at work.
    auto before_holiday =
        hcp::china_midnight(hcp::Date{std::chrono::year{2026}, std::chrono::September, std::chrono::day{30}}) +
        std::chrono::hours{15};
    for (auto [name, policy] : {std::pair{"锡林郭勒盟（policy/000）", hcp::UnratedPolicy::xilinguole()},
                                std::pair{"泰安（policy/001）", hcp::UnratedPolicy::taian()},
                                std::pair{"甘肃（policy/002）", hcp::UnratedPolicy::gansu()},
                                std::pair{"某县（policy/003）", hcp::UnratedPolicy::county()}}) {
        auto dd = hcp::unrated_deadlines(before_holiday, demo.calendar, policy);
        std::cout << "  若办结于 " << when(before_holiday) << "，" << name << "：提醒 " << when(dd.reminder_due)
                  << default_text(policy, dd) << "\n";
    }

    // 8. Verify the chain and show what waits for upload.
    auto report = hcp::verify_store(config.store.database, key);
    std::cout << "\n-- 防篡改校验 --\n  " << report.ratings << " 条评价，" << report.devices << " 台设备："
              << (report.ok() ? "评价链完整" : "发现问题") << "\n";
    for (const auto& f : report.findings) std::cout << "  " << f.describe() << "\n";
    auto pending = demo.store.outbox(hcp::OutboxState::pending);
    std::cout << "  待上传省平台：" << pending.size()
              << " 条（已安全保存在本地；中心服务运行时由上传线程发往省平台，hcpctl sync --config 可手动上传）\n";

    std::cout << "\n-- 今日导出（脱敏）前 3 行 --\n";
    hcp::ExportOptions eo;
    eo.from = hcp::china_midnight(hcp::china_date(hcp::now()));
    eo.to = demo.clock + std::chrono::hours{1};
    std::ostringstream csv;
    hcp::export_ratings(demo.store, eo, csv);
    std::istringstream lines(csv.str());
    std::string line;
    for (int i = 0; i < 4 && std::getline(lines, line); ++i) {
        const std::string_view shown = hcp::utf8::first_chars(line, 150);
        std::cout << "  " << shown << (shown.size() < line.size() ? "…" : "") << "\n";
    }
    std::cout << "\n完整导出：hcpctl export " << config.store.database.string() << " --from "
              << hcp::format_date(hcp::china_date(eo.from)) << " --to " << hcp::format_date(hcp::china_date(demo.clock))
              << "\n校验：    hcpctl verify " << config.store.database.string() << " --key "
              << config.store.key_file.string() << "\n";
    return report.ok() ? kExitOk : kExitFindings;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
    CLI::App& cmd =
        *app.add_subcommand("demo", "run a demo morning at the demo hall (data in the configuration's paths.data)");
    auto config = std::make_shared<std::string>((assets_dir() / "config" / "demo-hall.toml").string());
    cmd.add_option("--config", *config, "the demo configuration (default " + *config + ")")->option_text("FILE");
    cmd.callback([config, &exit_code] { exit_code = run_demo(*config); });
}

}  // namespace hcpctl
