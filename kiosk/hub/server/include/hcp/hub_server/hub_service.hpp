#pragma once
// HubService: the hub process in one RAII object (docs/sync.md, "The hub as a running
// service"). `hcpctl hub` runs it headless; hcp-kiosk embeds it when the device has the hub role.
//
// start() builds, in this order (a failure undoes what was built and says what to fix):
//   1. the checks that need no store: the API tokens file, the hall secret ([upload].secret_file)
//      and the platform profile. A problem refuses the start before any file is opened or made;
//   2. the Hub (store, event bus, open requests), and the queue (QueueEngine on the same store
//      file, QueueSetup::from_config) when the configuration has [[category]] entries;
//   3. with [upload]: the Uploader thread, and an EventBus subscription that wakes it
//      (Uploader::notify) on every rating_stored;
//   4. the maintenance thread: once at start, then every maintenance_interval (a condition
//      variable wait, no polling), it reloads the working-day calendar when one of its files
//      changed (calendar_fingerprint; reload_calendar() forces it), files the reminders and
//      records the default ratings of unrated cases that fell due (DESIGN §5 rule 6;
//      Hub::process_unrated), sends due reminders through [reminder].channel, works out the
//      calendar warnings (calendar_status) and, with [upload], erases personal data
//      purge_after_days after the platform accepted every rating of a case;
//   5. the HallApiServer, when [api] is set or options.api is given: last, so that no request
//      arrives before everything behind it runs.
// Stop order (stop() or the destructor), each step's threads joined before the next:
//   API (no new requests, event streams ended) → maintenance (a running pass completes) →
//   subscription → uploader (a running request is aborted; its batch stays in the outbox and is
//   resent at the next start) → queue and hub (store closed).
//
// Clocks: options.clock drives maintenance (deadlines, purge age), the ages shown to the admin,
// receipt QR expiry and the queue (ticket hours, business days, waits), so tests can move days
// ahead. The uploader keeps the system clock:
// its request timestamps are checked against the platform's clock (replay window).
//
// Log lines go to options.log (default stderr, "hub: " prefix), one line each, English, never
// personal data (case numbers and counts only).
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hcp/base/crypto.hpp"
#include "hcp/base/error.hpp"
#include "hcp/config/config.hpp"
#include "hcp/hub/hub.hpp"
#include "hcp/hub_server/hall_api.hpp"
#include "hcp/remind/sender.hpp"
#include "hcp/store/outbox.hpp"
#include "hcp/store/unrated.hpp"

namespace hcp {

struct HubServiceOptions {
    // Replaces hall_api_config(config) (tests, `hcpctl hub --listen`); when given, the API is
    // served even without [api].
    std::optional<HallApiConfig> api;
    std::chrono::milliseconds maintenance_interval = std::chrono::minutes{5};
    std::function<TimePoint()> clock;             // empty: hcp::now
    std::function<void(const std::string&)> log;  // empty: stderr
};

enum class HubStartErrc {
    api_tokens,      // the API tokens file is missing, readable by others or invalid
    upload_secret,   // [upload] is set but its hall secret is missing, readable by others or malformed
    upload_profile,  // [upload].profile names no usable file in <assets>/platforms/
    store,           // the store could not be opened (key, schema, file)
    queue,           // the queue could not be opened on the store (categories, calendar)
    api_bind,        // the API address is in use or not local
    reminder,        // the reminder channel cannot be built ([reminder.sms] secret)
    store_damaged,   // the store fails its integrity check or its own invariants (message: how to restore)
};
std::string_view to_string(HubStartErrc e) noexcept;

struct HubStartFailure {
    HubStartErrc cause = HubStartErrc::store;
    std::string detail;      // English: the file and the problem
    std::string message_zh;  // plain Chinese for the installer: what to do
};

// One pass of the maintenance thread.
struct MaintenanceReport {
    long long runs = 0;  // passes completed since start (this one included)
    TimePoint at{};      // the service clock at the pass
    bool calendar_reloaded = false;
    UnratedRun unrated;
    ReminderDelivery reminders;
    long long purged_cases = 0;  // cases whose personal data was erased
    std::vector<std::string> errors;
};

class HubService final : public HubStatusSource {
public:
    static Result<std::unique_ptr<HubService>, HubStartFailure> start(const Config& config, SecretKey store_key,
                                                                      HubServiceOptions options = {});
    ~HubService() override;  // stop()
    HubService(const HubService&) = delete;
    HubService& operator=(const HubService&) = delete;

    // Stops everything in the documented order; idempotent.
    void stop();

    Hub& hub() noexcept;
    // The hall's queue; null when the configuration has no [[category]]. Whoever changes it
    // in-process publishes the change (publish_queue_call / publish_queue_changed, hall_api.hpp).
    QueueEngine* queue() noexcept;
    bool upload_configured() const noexcept;
    std::optional<int> api_port() const noexcept;  // nullopt: no API served

    // The outbox as the admin sees it (counts, oldest, last error/success). Thread-safe.
    SyncState sync_state() const;
    HubSyncStatus sync_status() const override;
    // "3 条评价未上传，最早的已等待 3 小时 12 分钟" at the service clock.
    std::string summary_zh() const;

    // Wakes the maintenance thread and waits until a pass that began after this call has
    // finished (tests, an admin's "run now"). After stop(): the last report.
    MaintenanceReport maintain_now();
    MaintenanceReport last_maintenance() const;
    // Reloads the calendar files at the next pass even if none changed, and runs it (SIGHUP).
    MaintenanceReport reload_calendar();
    HubCalendarStatus calendar_status() const override;

private:
    struct Impl;
    explicit HubService(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace hcp
