// hcpctl export DB --from DATE --to DATE [--format csv|json] [--key FILE] [--unmasked]
#include <iostream>

#include "cli.hpp"
#include "hcp/store/export.hpp"

namespace hcpctl {

int cmd_export(const std::vector<std::string>& argv) {
    Args args(argv, {"from", "to", "format", "key"}, {"unmasked"});
    const std::string usage =
        "hcpctl export DB --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|json] [--key FILE] [--unmasked]";
    args.expect_positionals(1, usage);
    auto from_text = args.option("from");
    auto to_text = args.option("to");
    if (!from_text || !to_text) throw UsageError("--from and --to are required; " + usage);
    auto from = hcp::parse_date(*from_text);
    auto to = hcp::parse_date(*to_text);
    if (!from) throw UsageError("--from '" + *from_text + "' is not a date like 2026-10-08");
    if (!to) throw UsageError("--to '" + *to_text + "' is not a date like 2026-10-08");
    hcp::ExportOptions options;
    options.from = hcp::china_midnight(*from);
    // --to is inclusive: the whole last day is exported.
    options.to = hcp::china_midnight(hcp::Date{std::chrono::sys_days{*to} + std::chrono::days{1}});
    if (options.to <= options.from) throw UsageError("--to is before --from");
    std::string format = args.option("format").value_or("csv");
    if (format == "csv") options.format = hcp::ExportFormat::csv;
    else if (format == "json") options.format = hcp::ExportFormat::json;
    else throw UsageError("--format must be csv or json, not '" + format + "'");
    options.unmasked = args.flag("unmasked");

    std::optional<hcp::SecretKey> key;
    std::filesystem::path db = args.positionals()[0];
    if (auto k = args.option("key")) {
        key = hcp::SecretKey::load_file(*k);
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

}  // namespace hcpctl
