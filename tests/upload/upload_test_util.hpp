#pragma once
// Helpers of the upload tests: a hub store with rated cases, a reference platform on loopback
// and an uploader configured for fast retries.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.hpp"
#include "hcp/store/outbox.hpp"
#include "hcp/upload/upload.hpp"
#include "platform_sim.hpp"
#include "test_support.hpp"

namespace hcp::test {

inline SecretKey test_hall_secret() {
    std::array<std::uint8_t, SecretKey::kSize> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
    return SecretKey::from_bytes(b);
}

inline TimePoint base_time() {
    return *parse_iso8601("2026-10-08T09:00:00+08:00");
}

struct UploadWorld {
    TempDir dir;
    HallFixture hall{assets_dir()};
    std::filesystem::path db = dir / "hub.db";
    std::unique_ptr<Store> store;
    std::unique_ptr<sim::PlatformSim> platform;
    std::vector<Rating> ratings;

    explicit UploadWorld(int n, const std::string& device = "hub-01") {
        StoreOptions o;
        o.path = db;
        o.device_id = device;
        o.durability = Durability::off_for_fixtures;
        o.min_free_bytes = 0;
        store = std::make_unique<Store>(Store::open(o, SecretKey::random()));
        add(n);
        sim::SimOptions so;
        so.database = dir / "platform.db";
        so.secret = test_hall_secret();
        platform = std::make_unique<sim::PlatformSim>(so);
        platform->start();
    }
    void add(int n) {
        int first = static_cast<int>(ratings.size());
        for (int i = first; i < first + n; ++i)
            ratings.push_back(add_rated_case(*store, hall, i + 1, base_time() + std::chrono::minutes{i}));
    }
    UploadConfig config() const {
        UploadConfig c;
        c.base_url = platform->base_url();
        c.batch_size = 25;
        c.timeout_seconds = 2;
        c.connect_timeout_seconds = 2;
        c.backoff_base_ms = 5;
        c.backoff_max_ms = 50;
        c.max_retry_after_seconds = 1;
        return c;
    }
    std::unique_ptr<Uploader> uploader(UploadConfig c, SecretKey secret = test_hall_secret()) const {
        auto u = std::make_unique<Uploader>(c, generic_profile(), secret, db, hall.hall.code);
        u->set_log([](const std::string&) {});
        return u;
    }
    std::unique_ptr<Uploader> uploader() const { return uploader(config()); }
    SyncState state() const { return OutboxQueue::open(db).sync_state(); }
};

// Drains until nothing is left or `max_rounds` passes; waits for the backoff in between.
inline DrainReport drain_until_done(Uploader& up, const std::filesystem::path& db, int max_rounds) {
    DrainReport last;
    for (int i = 0; i < max_rounds; ++i) {
        last = up.drain_once();
        if (OutboxQueue::open(db).sync_state().not_uploaded == 0) break;
        if (last.next_attempt_at) {
            auto wait = *last.next_attempt_at - hcp::now();
            if (wait > std::chrono::milliseconds{0})
                std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(wait, std::chrono::milliseconds{1500}));
        }
    }
    return last;
}

}  // namespace hcp::test
