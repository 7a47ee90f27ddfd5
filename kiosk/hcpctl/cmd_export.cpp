// hcpctl export DB --from DATE --to DATE [--format csv|json] [--key FILE] [--unmasked]
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <optional>

#include "cli.hpp"
#include "hcp/store/export.hpp"

namespace hcpctl {

namespace {

struct ExportArgs {
    std::string db;
    std::string from;
    std::string to;
    std::string format = "csv";
    std::optional<std::string> key;
    bool unmasked = false;
};

int run_export(const ExportArgs& args) {
    auto from = hcp::parse_date(args.from);
    auto to = hcp::parse_date(args.to);
    if (!from) throw UsageError("--from '" + args.from + "' is not a date like 2026-10-08");
    if (!to) throw UsageError("--to '" + args.to + "' is not a date like 2026-10-08");
    hcp::ExportOptions options;
    options.from = hcp::china_midnight(*from);
    // --to is inclusive: the whole last day is exported.
    options.to = hcp::china_midnight(hcp::Date{std::chrono::sys_days{*to} + std::chrono::days{1}});
    if (options.to <= options.from) throw UsageError("--to is before --from");
    if (args.format == "csv")
        options.format = hcp::ExportFormat::csv;
    else if (args.format == "json")
        options.format = hcp::ExportFormat::json;
    else
        throw UsageError("--format must be csv or json, not '" + args.format + "'");
    options.unmasked = args.unmasked;

    std::optional<hcp::SecretKey> key;
    std::filesystem::path db = args.db;
    if (args.key) {
        key = hcp::SecretKey::load_file(*args.key);
    } else if (options.unmasked) {
        throw UsageError("--unmasked needs --key FILE to decrypt the applicant data");
    } else {
        // Masking needs the plain values too; use the key beside the database when readable.
        auto beside = db.parent_path() / "store.key";
        try {
            if (std::filesystem::exists(beside)) key = hcp::SecretKey::load_file(beside);
        } catch (const hcp::Error& e) {
            std::cerr << "note: " << e.what() << "; applicant columns are left empty\n";
        }
    }
    if (!key) std::cerr << "note: no key file; applicant columns are left empty (give --key FILE)\n";
    auto store = hcp::Store::open_read_only(db, key);
    long long n = hcp::export_ratings(store, options, std::cout);
    std::cerr << "exported " << n << " rating(s)" << (options.unmasked ? " UNMASKED" : " (applicant data masked)")
              << '\n';
    return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
    CLI::App& cmd =
        *app.add_subcommand("export",
                            "ratings tapped from --from to --to (China time) as CSV or JSON on standard output;\n"
                            "applicant data is masked unless --unmasked");
    auto o = std::make_shared<ExportArgs>();
    cmd.add_option("DB", o->db, "the rating database")->required();
    cmd.add_option("--from", o->from, "first day, YYYY-MM-DD")->option_text("DATE")->required();
    cmd.add_option("--to", o->to, "last day (included), YYYY-MM-DD")->option_text("DATE")->required();
    cmd.add_option("--format", o->format, "csv (default) or json")->option_text("csv|json");
    cmd.add_option("--key", o->key, "the store key, to read the applicant data (default: store.key beside DB)")
        ->option_text("FILE");
    cmd.add_flag("--unmasked", o->unmasked, "export applicant data unmasked (needs --key)");
    cmd.callback([o, &exit_code] { exit_code = run_export(*o); });
}

}  // namespace hcpctl
