// hcpctl config check FILE
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli.hpp"
#include "hcp/config/config.hpp"
#include "hcp/domain/calendar_sources.hpp"
#include "hcp/domain/catalog.hpp"
#include "hcp/printer/profile.hpp"
#include "hcp/upload/upload.hpp"

namespace hcpctl {

namespace {

int config_check(const std::string& file) {
    hcp::Config config;
    try {
        config = hcp::load_config(file);
    } catch (const hcp::ConfigError& e) {
        std::cout << file << ": " << e.issues().size() << " problem(s):\n";
        for (const auto& issue : e.issues()) std::cout << "  " << issue.to_string() << '\n';
        return kExitFindings;
    }
    int problems = 0;
    try {
        auto catalog = hcp::OptionCatalog::load_file(config.rating.catalog);
        std::cout << "catalog   " << catalog.id() << " version " << catalog.version() << ", "
                  << catalog.dimensions().size() << " dimensions, " << catalog.option_count() << " options ("
                  << config.rating.catalog.string() << ")\n";
    } catch (const hcp::Error& e) {
        std::cout << "catalog   problem: " << e.what() << '\n';
        ++problems;
    }
    try {
        const hcp::LoadedCalendar loaded = hcp::load_hall_calendar(config.calendar);
        std::cout << "calendar  notices for";
        for (int y : loaded.calendar.years()) std::cout << ' ' << y;
        std::cout << " (" << loaded.files.size() << " files); other years from the law (provisional)\n";
        const auto outlook = hcp::calendar_outlook(loaded.calendar, hcp::china_date(hcp::now()));
        if (!outlook.ok()) std::cout << "calendar  warning: " << outlook.warning << '\n';
    } catch (const hcp::Error& e) {
        std::cout << "calendar  problem: " << e.what() << '\n';
        ++problems;
    }
    std::cout << "unrated   " << hcp::explain_zh(config.rating.unrated)
              << "; reminders: " << hcp::to_string(config.reminder.channel) << '\n';
    std::cout << "hall      " << config.hall.code << " " << config.hall.name << " (area " << config.hall.area_code
              << ", " << hcp::to_string(config.hall.level) << ")\n";
    std::cout << "device    " << config.device.id << ", roles";
    for (auto r : config.device.roles) std::cout << ' ' << hcp::to_string(r);
    if (config.device.window > 0) std::cout << ", window " << config.device.window;
    std::cout << '\n';
    std::cout << "store     " << config.store.database.string() << " (key " << config.store.key_file.string() << ")\n";
    std::cout << "queue     " << config.categories.size() << " categories, " << config.items.size() << " items, "
              << config.windows.size() << " windows, " << config.staff.size() << " staff\n";
    if (config.printer) {
        const std::string& id = config.printer->profile;
        try {
            const auto profile = id.ends_with(".toml")
                                     ? hcp::printer::load_profile(std::filesystem::path(id))
                                     : hcp::printer::load_profile(config.paths.assets / "printers", id);
            std::cout << "printer   " << profile.id << " (" << profile.dots_per_line << " dots) via "
                      << config.printer->transport_text << '\n';
        } catch (const hcp::Error& e) {
            std::cout << "printer   problem: " << e.what() << '\n';
            ++problems;
        }
    } else {
        std::cout << "printer   none (no [printer])\n";
    }
    if (config.api)
        std::cout << "api       " << config.api->listen_host << ':' << config.api->listen_port << ", tokens in "
                  << config.api->tokens_file.string() << '\n';
    if (config.upload) {
        try {
            if (config.upload->profile != "generic")
                hcp::load_platform_profile(config.paths.assets / "platforms" / (config.upload->profile + ".json"));
            std::cout << "upload    " << config.upload->base_url << " (profile " << config.upload->profile << ")\n";
        } catch (const hcp::Error& e) {
            std::cout << "upload    problem: " << e.what() << '\n';
            ++problems;
        }
    } else if (config.device.roles.count(hcp::DeviceRole::hub) != 0) {
        std::cout << "upload    none (no [upload]): ratings stay in this hub until it is configured\n";
    }
    if (problems > 0) {
        std::cout << file << ": " << problems << " problem(s) in referenced files\n";
        return kExitFindings;
    }
    std::cout << file << ": ok\n";
    return kExitOk;
}

}  // namespace

void add_config_command(CLI::App& app, int& exit_code) {
    CLI::App& config = add_command_group(app, "config", "validate a configuration");
    CLI::App& check = *config.add_subcommand(
        "check",
        "validate a configuration, then load the catalog, calendars, printer and platform profiles it\n"
        "names and print a summary; exit 1 on problems");
    auto file = std::make_shared<std::string>();
    check.add_option("FILE", *file, "the configuration (hall.toml)")->required();
    check.callback([file, &exit_code] { exit_code = config_check(*file); });
}

}  // namespace hcpctl
