// hcpctl token issue|verify — the dynamic rating QR token (docs/qr-token.md).
#include <chrono>
#include <iostream>

#include "cli.hpp"
#include "hcp/token.hpp"

namespace hcpctl {

namespace {

const char* kTokenUsage =
    "hcpctl token issue --key FILE --hall CODE --subject CASE_NO --stage ticket|accepted|completed\n"
    "                   [--valid-days N | --expires UNIX_SECONDS] [--prefix URL_PREFIX]\n"
    "hcpctl token verify TOKEN_OR_URL --key FILE --hall CODE [--now UNIX_SECONDS]";

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t parse_int(const std::string& s, const std::string& what) {
    try {
        size_t used = 0;
        const long long v = std::stoll(s, &used);
        if (used != s.size()) throw std::invalid_argument(s);
        return v;
    } catch (const std::exception&) {
        throw UsageError(what + " must be an integer, got '" + s + "'");
    }
}

}  // namespace

int cmd_token(const std::vector<std::string>& argv) {
    Args args(argv, {"key", "hall", "subject", "stage", "valid-days", "expires", "prefix", "now"}, {});
    if (args.positionals().empty()) throw UsageError(std::string("usage:\n") + kTokenUsage);
    const std::string& sub = args.positionals()[0];
    const auto key_file = args.option("key");
    const auto hall = args.option("hall");
    if (!key_file || !hall) throw UsageError(std::string("--key and --hall are required\nusage:\n") + kTokenUsage);
    const hcp::token::HallKey key(*hall, hcp::SecretKey::load_file(*key_file));

    if (sub == "issue") {
        args.expect_positionals(1, kTokenUsage);
        const auto subject = args.option("subject");
        const auto stage = hcp::token::parse_stage(args.option("stage").value_or(""));
        if (!subject || !stage) throw UsageError(std::string("--subject and --stage are required\nusage:\n") + kTokenUsage);
        std::int64_t expires = now_seconds() + 30 * 86400;
        if (auto e = args.option("expires")) expires = parse_int(*e, "--expires");
        if (auto d = args.option("valid-days")) {
            const auto days = parse_int(*d, "--valid-days");
            if (days < 1 || days > 3650) throw UsageError("--valid-days must be 1..3650");
            expires = now_seconds() + days * 86400;
        }
        const std::string token = hcp::token::issue(key, {*hall, *subject, *stage, expires});
        std::cout << "token " << token << "\nshort_code " << hcp::token::short_code(token) << '\n';
        if (auto prefix = args.option("prefix")) std::cout << "url " << hcp::token::make_url(*prefix, token) << '\n';
        std::cout << "key_id " << std::hex << key.key_id() << std::dec << "\nexpires_at " << (expires / 60 * 60) << '\n';
        return kExitOk;
    }
    if (sub == "verify") {
        args.expect_positionals(2, kTokenUsage);
        std::int64_t now = now_seconds();
        if (auto n = args.option("now")) now = parse_int(*n, "--now");
        const auto r = hcp::token::verify(args.positionals()[1], {key}, now, std::string_view(*hall));
        if (!r) {
            std::cout << "invalid " << hcp::token::to_string(r.error()) << '\n'
                      << hcp::token::message_zh(r.error()) << '\n';
            return kExitFindings;
        }
        const auto& c = r.value();
        std::cout << "valid\nhall " << c.hall_code << "\nsubject " << c.subject << "\nstage "
                  << hcp::token::to_string(c.stage) << "\nexpires_at " << c.expires_at << '\n';
        return kExitOk;
    }
    throw UsageError(std::string("usage:\n") + kTokenUsage);
}

}  // namespace hcpctl
