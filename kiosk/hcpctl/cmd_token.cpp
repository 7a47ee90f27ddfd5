// hcpctl token keygen|pubkey|issue|verify — the dynamic rating QR token (docs/qr-token.md).
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include "cli.hpp"
#include "hcp/token/token.hpp"

namespace hcpctl {

namespace {

struct TokenArgs {
    std::optional<std::string> scheme;
    std::string out;    // keygen
    std::string file;   // pubkey
    std::string token;  // verify
    std::string key;    // issue; verify: optional (or --pubkey)
    std::optional<std::string> verify_key, pubkey;
    std::string hall;
    std::string subject;
    std::string stage;
    std::optional<std::int64_t> valid_days, expires, now;
    std::optional<std::string> prefix;
};

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// --scheme, defaulting to HMAC (version 1) so existing commands keep their meaning; --pubkey
// alone implies Ed25519, since only that scheme has a public key.
hcp::token::Scheme scheme_option(const TokenArgs& args) {
    const auto& text = args.scheme;
    if (!text) return args.pubkey ? hcp::token::Scheme::ed25519 : hcp::token::Scheme::hmac_sha256;
    const auto s = hcp::token::parse_scheme(*text);
    if (!s) throw UsageError("--scheme must be hmac or ed25519, got '" + *text + "'");
    return *s;
}

std::ostream& hex_id(std::ostream& out, std::uint32_t id) {
    const char* digits = "0123456789abcdef";
    for (int s = 28; s >= 0; s -= 4) out << digits[(id >> s) & 0xFU];
    return out;
}

int keygen(const TokenArgs& args, hcp::token::Scheme scheme) {
    const std::string& out = args.out;
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
    hex_id(std::cout, key.key_id()) << "\nGive the public key (not the file) to the platform: hcpctl token pubkey "
                                    << out << '\n';
    return kExitOk;
}

int pubkey(const TokenArgs& args) {
    const hcp::token::HallSigningKey key("-", hcp::token::load_signing_key_file(args.file));
    std::cout << "public_key " << key.public_key().to_hex() << "\npublic_key_base32 " << key.public_key().to_base32()
              << "\nkey_id ";
    hex_id(std::cout, key.key_id()) << '\n';
    return kExitOk;
}

int issue(const TokenArgs& args, hcp::token::Scheme scheme) {
    const std::string& key_file = args.key;
    const std::string& hall = args.hall;
    const auto stage = hcp::token::parse_stage(args.stage);
    if (!stage) throw UsageError("--stage must be ticket, accepted or completed, got '" + args.stage + "'");
    if (args.prefix)
        if (auto problem = hcp::token::url_prefix_problem(*args.prefix)) throw UsageError("--prefix: " + *problem);
    std::int64_t expires = now_seconds() + 30 * 86400;
    if (args.expires) expires = *args.expires;
    if (args.valid_days) expires = now_seconds() + *args.valid_days * 86400;
    const hcp::token::Claims claims{hall, args.subject, *stage, expires};
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
    if (const auto& prefix = args.prefix) std::cout << "url " << hcp::token::make_url(*prefix, token, max_url) << '\n';
    std::cout << "scheme " << hcp::token::to_string(scheme) << "\nkey_id ";
    hex_id(std::cout, id) << "\nexpires_at " << (expires / 60 * 60) << '\n';
    return kExitOk;
}

int verify(const TokenArgs& args, hcp::token::Scheme scheme) {
    const std::string& hall = args.hall;
    const std::int64_t now = args.now.value_or(now_seconds());
    const auto& key_file = args.verify_key;
    const auto& pub = args.pubkey;
    if (key_file.has_value() == pub.has_value()) throw UsageError("give exactly one of --key FILE and --pubkey KEY");
    hcp::token::Keyring keys;
    if (scheme == hcp::token::Scheme::hmac_sha256) {
        if (pub) throw UsageError("--pubkey is for --scheme ed25519; an HMAC token is verified with --key FILE");
        keys.hmac.emplace_back(hall, hcp::SecretKey::load_file(*key_file));
    } else if (pub) {
        keys.ed25519.push_back(hcp::token::HallPublicKey::parse(hall, *pub));
    } else {
        keys.ed25519.push_back(
            hcp::token::HallSigningKey(hall, hcp::token::load_signing_key_file(*key_file)).public_key());
    }
    const auto r = hcp::token::verify(args.token, keys, now, std::string_view(hall));
    if (!r) {
        std::cout << "invalid " << hcp::token::to_string(r.error()) << '\n'
                  << hcp::token::message_zh(r.error()) << '\n';
        return kExitFindings;
    }
    const auto& c = r.value();
    std::cout << "valid\nscheme " << hcp::token::to_string(scheme) << "\nhall " << c.hall_code << "\nsubject "
              << c.subject << "\nstage " << hcp::token::to_string(c.stage) << "\nexpires_at " << c.expires_at << '\n';
    return kExitOk;
}

}  // namespace

void add_token_command(CLI::App& app, int& exit_code) {
    CLI::App& token = add_command_group(app, "token", "the signed rating QR token (docs/qr-token.md)");
    auto a = std::make_shared<TokenArgs>();
    const auto scheme = [&a](CLI::App& cmd) {
        cmd.add_option("--scheme", a->scheme, "hmac (default; with --pubkey: ed25519) or ed25519")
            ->option_text("hmac|ed25519");
    };
    const auto hall = [&a](CLI::App& cmd) {
        cmd.add_option("--hall", a->hall, "the hall code")->option_text("CODE")->required();
    };

    CLI::App& keygen_cmd = *token.add_subcommand("keygen", "create a signing key file (mode 0600)");
    scheme(keygen_cmd);
    keygen_cmd.add_option("--out", a->out, "the key file to create; never overwrites")->option_text("FILE")->required();
    keygen_cmd.callback([a, &exit_code] { exit_code = keygen(*a, scheme_option(*a)); });

    CLI::App& pubkey_cmd =
        *token.add_subcommand("pubkey", "print the public key of an Ed25519 key file, for the platform");
    pubkey_cmd.add_option("FILE", a->file, "the Ed25519 key file")->required();
    pubkey_cmd.callback([a, &exit_code] { exit_code = pubkey(*a); });

    CLI::App& issue_cmd = *token.add_subcommand("issue", "issue a token (and with --prefix its URL)");
    scheme(issue_cmd);
    issue_cmd.add_option("--key", a->key, "the hall's key file")->option_text("FILE")->required();
    hall(issue_cmd);
    issue_cmd.add_option("--subject", a->subject, "what is rated: the 办件编号 or ticket")
        ->option_text("CASE_NO")
        ->required();
    issue_cmd.add_option("--stage", a->stage, "the stage rated")->option_text("ticket|accepted|completed")->required();
    issue_cmd.add_option("--valid-days", a->valid_days, "valid for N days from now (default 30)")
        ->option_text("N")
        ->check(CLI::Range(1, 3650));
    issue_cmd.add_option("--expires", a->expires, "valid until this time (--valid-days wins)")
        ->option_text("UNIX_SECONDS");
    issue_cmd.add_option("--prefix", a->prefix, "also print the QR code's URL with this prefix")
        ->option_text("URL_PREFIX");
    issue_cmd.callback([a, &exit_code] { exit_code = issue(*a, scheme_option(*a)); });

    CLI::App& verify_cmd = *token.add_subcommand("verify", "check a token or URL; exit 1 if it is not valid");
    verify_cmd.add_option("TOKEN_OR_URL", a->token, "the token, or a URL ending in one")->required();
    scheme(verify_cmd);
    verify_cmd.add_option("--key", a->verify_key, "the hall's key file")->option_text("FILE");
    verify_cmd.add_option("--pubkey", a->pubkey, "the hall's Ed25519 public key (instead of --key)")
        ->option_text("HEX_OR_BASE32");
    hall(verify_cmd);
    verify_cmd.add_option("--now", a->now, "check as if it were this time")->option_text("UNIX_SECONDS");
    verify_cmd.callback([a, &exit_code] { exit_code = verify(*a, scheme_option(*a)); });
}

}  // namespace hcpctl
