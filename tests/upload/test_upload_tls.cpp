// TLS of the upload: the peer is verified against the configured CA bundle (or the system
// store), a public-key pin is enforced, an expired certificate is refused, and a TLS failure
// marks nothing uploaded. Certificates are made with the openssl command (and faketime for the
// expired one) into a temporary folder.
#include <catch2/catch.hpp>

#include "upload_test_util.hpp"

using namespace hcp;
using namespace hcp::test;

namespace {

struct Certs {
    TempDir dir;
    std::filesystem::path cert = dir / "cert.pem", key = dir / "key.pem";
    std::filesystem::path old_cert = dir / "old.pem", old_key = dir / "old-key.pem";
    std::string pin;
    bool ok = false;
    Certs() {
        auto req = [](const std::string& prefix, const std::filesystem::path& c, const std::filesystem::path& k,
                      int days) {
            return run_command(prefix +
                               "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext "
                               "subjectAltName=IP:127.0.0.1 -days " +
                               std::to_string(days) + " -keyout " + k.string() + " -out " + c.string() + " 2>&1");
        };
        auto fresh = req("", cert, key, 2);
        auto old = req("faketime 2020-01-01 ", old_cert, old_key, 1);
        auto p = run_command("openssl x509 -in " + cert.string() +
                             " -pubkey -noout | openssl pkey -pubin -outform der | "
                             "openssl dgst -sha256 -binary | base64");
        ok = fresh.exit_code == 0 && old.exit_code == 0 && p.exit_code == 0;
        pin = "sha256//" + p.output.substr(0, p.output.find('\n'));
    }
};

struct TlsWorld {
    UploadWorld w{6};
    std::unique_ptr<sim::PlatformSim> tls;
    TlsWorld(const std::filesystem::path& cert, const std::filesystem::path& key) {
        sim::SimOptions o;
        o.database = w.dir / "tls-platform.db";
        o.secret = test_hall_secret();
        o.tls_cert = cert;
        o.tls_key = key;
        tls = std::make_unique<sim::PlatformSim>(o);
        tls->start();
    }
    UploadConfig config() const {
        auto c = w.config();
        c.base_url = tls->base_url();
        return c;
    }
};

}  // namespace

TEST_CASE("Uploads over TLS succeed with the configured CA bundle and a matching pin") {
    Certs certs;
    REQUIRE(certs.ok);
    TlsWorld t(certs.cert, certs.key);
    REQUIRE(t.tls->base_url().rfind("https://", 0) == 0);
    auto c = t.config();
    c.ca_bundle = certs.cert;
    c.pinned_public_key = certs.pin;
    auto r = t.w.uploader(c)->drain_once();
    CHECK_FALSE(r.stopped_on_error);
    CHECK(r.accepted == 6);
    CHECK(t.w.state().uploaded == 6);
}

TEST_CASE("A certificate the system store does not trust is refused and nothing is marked uploaded") {
    Certs certs;
    REQUIRE(certs.ok);
    TlsWorld t(certs.cert, certs.key);
    auto r = t.w.uploader(t.config())->drain_once();
    CHECK(r.stopped_on_error);
    CHECK(r.last_error.find("TLS") != std::string::npos);
    CHECK(t.tls->stats().stored == 0);
    CHECK(t.w.state().uploaded == 0);
    CHECK(t.w.state().last_error.find("TLS") != std::string::npos);
}

TEST_CASE("A public key that does not match the pin is refused") {
    Certs certs;
    REQUIRE(certs.ok);
    TlsWorld t(certs.cert, certs.key);
    auto c = t.config();
    c.ca_bundle = certs.cert;
    c.pinned_public_key = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    auto r = t.w.uploader(c)->drain_once();
    CHECK(r.stopped_on_error);
    CHECK(t.tls->stats().stored == 0);
    CHECK(t.w.state().uploaded == 0);
}

TEST_CASE("An expired certificate is refused even when it is the configured CA") {
    Certs certs;
    REQUIRE(certs.ok);
    TlsWorld t(certs.old_cert, certs.old_key);
    auto c = t.config();
    c.ca_bundle = certs.old_cert;
    auto r = t.w.uploader(c)->drain_once();
    CHECK(r.stopped_on_error);
    CHECK(r.last_error.find("TLS") != std::string::npos);
    CHECK(t.tls->stats().stored == 0);
    CHECK(t.w.state().uploaded == 0);
}
