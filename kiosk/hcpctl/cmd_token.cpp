// hcpctl token keygen|pubkey|issue|verify — the dynamic rating QR token (docs/qr-token.md).
#include <chrono>
#include <iostream>

#include "cli.hpp"
#include "hcp/token/token.hpp"

namespace hcpctl {

namespace {

const char* kTokenUsage =
    "hcpctl token keygen [--scheme hmac|ed25519] --out FILE\n"
    "hcpctl token pubkey FILE                      (Ed25519: the public key the platform verifies with)\n"
    "hcpctl token issue [--scheme hmac|ed25519] --key FILE --hall CODE --subject CASE_NO\n"
    "                   --stage ticket|accepted|completed\n"
    "                   [--valid-days N | --expires UNIX_SECONDS] [--prefix URL_PREFIX]\n"
    "hcpctl token verify TOKEN_OR_URL [--scheme hmac|ed25519] (--key FILE | --pubkey HEX_OR_BASE32)\n"
    "                   --hall CODE [--now UNIX_SECONDS]";

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

// --scheme, defaulting to HMAC (version 1) so existing commands keep their meaning; --pubkey
// alone implies Ed25519, since only that scheme has a public key.
hcp::token::Scheme scheme_option(const Args& args) {
    const auto text = args.option("scheme");
    if (!text) return args.option("pubkey") ? hcp::token::Scheme::ed25519 : hcp::token::Scheme::hmac_sha256;
    const auto s = hcp::token::parse_scheme(*text);
    if (!s) throw UsageError("--scheme must be hmac or ed25519, got '" + *text + "'");
    return *s;
}

std::string required(const Args& args, const std::string& name) {
    const auto v = args.option(name);
    if (!v) throw UsageError("--" + name + " is required\nusage:\n" + kTokenUsage);
    return *v;
}

std::ostream& hex_id(std::ostream& out, std::uint32_t id) {
    const char* digits = "0123456789abcdef";
    for (int s = 28; s >= 0; s -= 4) out << digits[(id >> s) & 0xFU];
    return out;
}

int keygen(const Args& args, hcp::token::Scheme scheme) {
    args.expect_positionals(1, kTokenUsage);
    const std::string out = required(args, "out");
    if (scheme == hcp::token::Scheme::hmac_sha256) {
        const auto key = hcp::SecretKey::create_file(out);
        std::cout << "created " << out << " (HMAC key, mode 0600, fingerprint " << key.fingerprint()
                  << "). Give the same file to the platform that verifies this hall's QR codes.\n";
        return kExitOk;
    }
    const auto seed = hcp::token::create_signing_key_file(out);
    // The hall code is not in the file; any valid code derives the same public key.
    const hcp::token::HallSigningKey key("-", seed);
    std::cout << "created " << out << " (Ed25519 signing key, mode 0600). Keep it on this hall's machines only.\n"
              << "public_key " << key.public_key().to_hex() << "\nkey_id ";
    hex_id(std::cout, key.key_id()) << "\nGive the public key (not the file) to the platform: hcpctl token pubkey " << out
                                    << '\n';
    return kExitOk;
}

int pubkey(const Args& args) {
    args.expect_positionals(2, kTokenUsage);
    const hcp::token::HallSigningKey key("-", hcp::token::load_signing_key_file(args.positionals()[1]));
    std::cout << "public_key " << key.public_key().to_hex() << "\npublic_key_base32 " << key.public_key().to_base32()
              << "\nkey_id ";
    hex_id(std::cout, key.key_id()) << '\n';
    return kExitOk;
}

int issue(const Args& args, hcp::token::Scheme scheme) {
    args.expect_positionals(1, kTokenUsage);
    const std::string key_file = required(args, "key");
    const std::string hall = required(args, "hall");
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
    const hcp::token::Claims claims{hall, *subject, *stage, expires};
    std::string token;
    std::uint32_t id = 0;
    size_t max_url = hcp::token::kMaxUrlLength;
    if (scheme == hcp::token::Scheme::hmac_sha256) {
        const hcp::token::HallKey key(hall, hcp::SecretKey::load_file(key_file));
        token = hcp::token::issue(key, claims);
        id = key.key_id();
    } else {
        const hcp::token::HallSigningKey key(hall, hcp::token::load_signing_key_file(key_file));
        token = hcp::token::issue(key, claims);
        id = key.key_id();
        max_url = hcp::token::kMaxUrlLengthEd25519;
    }
    std::cout << "token " << token << "\nshort_code " << hcp::token::short_code(token) << '\n';
    if (auto prefix = args.option("prefix")) std::cout << "url " << hcp::token::make_url(*prefix, token, max_url) << '\n';
    std::cout << "scheme " << hcp::token::to_string(scheme) << "\nkey_id ";
    hex_id(std::cout, id) << "\nexpires_at " << (expires / 60 * 60) << '\n';
    return kExitOk;
}

int verify(const Args& args, hcp::token::Scheme scheme) {
    args.expect_positionals(2, kTokenUsage);
    const std::string hall = required(args, "hall");
    std::int64_t now = now_seconds();
    if (auto n = args.option("now")) now = parse_int(*n, "--now");
    const auto key_file = args.option("key");
    const auto pub = args.option("pubkey");
    if (key_file.has_value() == pub.has_value())
        throw UsageError(std::string("give exactly one of --key FILE and --pubkey KEY\nusage:\n") + kTokenUsage);
    hcp::token::Keyring keys;
    if (scheme == hcp::token::Scheme::hmac_sha256) {
        if (pub) throw UsageError("--pubkey is for --scheme ed25519; an HMAC token is verified with --key FILE");
        keys.hmac.emplace_back(hall, hcp::SecretKey::load_file(*key_file));
    } else if (pub) {
        keys.ed25519.push_back(hcp::token::HallPublicKey::parse(hall, *pub));
    } else {
        keys.ed25519.push_back(hcp::token::HallSigningKey(hall, hcp::token::load_signing_key_file(*key_file)).public_key());
    }
    const auto r = hcp::token::verify(args.positionals()[1], keys, now, std::string_view(hall));
    if (!r) {
        std::cout << "invalid " << hcp::token::to_string(r.error()) << '\n' << hcp::token::message_zh(r.error()) << '\n';
        return kExitFindings;
    }
    const auto& c = r.value();
    std::cout << "valid\nscheme " << hcp::token::to_string(scheme) << "\nhall " << c.hall_code << "\nsubject "
              << c.subject << "\nstage " << hcp::token::to_string(c.stage) << "\nexpires_at " << c.expires_at << '\n';
    return kExitOk;
}

}  // namespace

int cmd_token(const std::vector<std::string>& argv) {
    Args args(argv, {"key", "hall", "subject", "stage", "valid-days", "expires", "prefix", "now", "scheme", "pubkey", "out"},
              {});
    if (args.positionals().empty()) throw UsageError(std::string("usage:\n") + kTokenUsage);
    const std::string& sub = args.positionals()[0];
    if (sub == "keygen") return keygen(args, scheme_option(args));
    if (sub == "pubkey") return pubkey(args);
    if (sub == "issue") return issue(args, scheme_option(args));
    if (sub == "verify") return verify(args, scheme_option(args));
    throw UsageError(std::string("usage:\n") + kTokenUsage);
}

}  // namespace hcpctl
