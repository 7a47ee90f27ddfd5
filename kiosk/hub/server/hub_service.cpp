// The hub as one running service: the order things start and stop in is the contract of
// hub_service.hpp; this file keeps it in one place.
#include "hcp/hub_server/hub_service.hpp"

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "hcp/domain/calendar_sources.hpp"
#include "hcp/hub_server/receipt_printers.hpp"
#include "hcp/hub_server/receipt_qr.hpp"
#include "hcp/upload/upload.hpp"

namespace hcp {

std::string_view to_string(HubStartErrc e) noexcept {
    switch (e) {
        case HubStartErrc::api_tokens: return "api_tokens";
        case HubStartErrc::upload_secret: return "upload_secret";
        case HubStartErrc::upload_profile: return "upload_profile";
        case HubStartErrc::store: return "store";
        case HubStartErrc::queue: return "queue";
        case HubStartErrc::api_bind: return "api_bind";
        case HubStartErrc::reminder: return "reminder";
        case HubStartErrc::store_damaged: return "store_damaged";
    }
    return "unknown";
}

namespace {

std::string describe(const std::exception& e) {
    if (const auto* ce = dynamic_cast<const ConfigError*>(&e)) {
        std::string out;
        for (const auto& issue : ce->issues()) out += (out.empty() ? "" : "; ") + issue.to_string();
        if (!out.empty()) return out;
    }
    return e.what();
}

HubStartFailure failure(HubStartErrc cause, std::string detail, std::string message_zh) {
    return HubStartFailure{cause, std::move(detail), std::move(message_zh)};
}

// [upload].profile: <assets>/platforms/<name>.json, or the built-in generic protocol when that
// file is not installed.
std::optional<PlatformProfile> platform_profile(const Config& config, HubStartFailure& why) {
    const std::string& name = config.upload->profile;
    const auto path = config.paths.assets / "platforms" / (name + ".json");
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        try {
            return load_platform_profile(path);
        } catch (const std::exception& e) {
            why = failure(HubStartErrc::upload_profile, describe(e),
                          "上传平台配置文件 " + path.string() + " 有误，请按错误信息修正或重新安装该文件。");
            return std::nullopt;
        }
    }
    if (name == "generic") return generic_profile();
    why =
        failure(HubStartErrc::upload_profile,
                "[upload].profile = \"" + name + "\" but " + path.string() +
                    " does not exist; install it or use a shipped profile (generic, zhejiang)",
                "找不到上传平台配置 " + path.string() + "。请检查 [upload].profile 的名称，或安装对应的平台配置文件。");
    return std::nullopt;
}

}  // namespace

struct HubService::Impl {
    std::function<TimePoint()> clock;
    std::function<void(const std::string&)> log;
    std::chrono::milliseconds maintenance_interval{};
    std::filesystem::path store_path;
    std::optional<UploadConfig> upload;
    CalendarConfig calendar_config;
    ReminderConfig reminder_config;
    std::string hall_name, hall_code;

    std::unique_ptr<Hub> hub;
    std::unique_ptr<QueueEngine> queue;  // after hub: closed before the store's own connection
    std::unique_ptr<ReceiptQrIssuer> receipts;
    std::unique_ptr<ReceiptPrinters> receipt_printers;  // after hub: its watchers publish on the bus
    std::unique_ptr<Uploader> uploader;
    EventBus::Subscription upload_wake;
    std::unique_ptr<HallApiServer> api;
    std::optional<int> port;

    // Sync state for the admin: one connection, shared by request threads under a mutex.
    mutable std::mutex status_mutex;
    mutable std::optional<OutboxQueue> status_queue;

    // Maintenance thread. `requested` counts maintain_now() calls, `served` the highest request
    // a finished pass has covered.
    std::thread maintenance;
    mutable std::mutex maint_mutex;
    std::condition_variable maint_cv;
    bool maint_stopping = false;
    long long requested = 0;
    long long served = 0;
    MaintenanceReport last;
    std::optional<OutboxQueue> purge_queue;  // used by the maintenance thread only
    bool force_calendar_reload = false;      // guarded by maint_mutex

    // Used by the maintenance thread only.
    std::string calendar_fingerprint_seen;
    std::unique_ptr<ReminderChannel> reminder_channel;  // null: call_list (nothing is sent)
    std::optional<ReminderBook> reminder_book;
    std::string last_calendar_warning;

    mutable std::mutex calendar_mutex;  // guards calendar_state
    HubCalendarStatus calendar_state;

    // Reloads the calendar when its files changed (or when forced); the previous one stays on
    // any problem, and the problem is reported until a reload succeeds.
    bool reload_calendar_if_changed(bool forced, MaintenanceReport& r) {
        std::string fingerprint;
        try {
            fingerprint = calendar_fingerprint(calendar_config);
        } catch (const std::exception& e) {
            r.errors.push_back(std::string("calendar: ") + e.what());
            return false;
        }
        if (!forced && fingerprint == calendar_fingerprint_seen) return false;
        calendar_fingerprint_seen = fingerprint;
        try {
            LoadedCalendar loaded = load_hall_calendar(calendar_config);
            hub->set_calendar(loaded.calendar);
            if (queue) queue->set_calendar(loaded.calendar);
            std::string years;
            for (int y : loaded.calendar.years()) years += (years.empty() ? "" : " ") + std::to_string(y);
            log("calendar reloaded: notices for " + (years.empty() ? std::string("no year") : years) + " (" +
                std::to_string(loaded.files.size()) + " files); pending deadlines are counted with it");
            std::lock_guard lk(calendar_mutex);
            calendar_state.reload_error.clear();
            return true;
        } catch (const std::exception& e) {
            r.errors.push_back(std::string("calendar not reloaded (the previous one stays): ") + e.what());
            std::lock_guard lk(calendar_mutex);
            calendar_state.reload_error = e.what();
            return false;
        }
    }

    std::optional<ReminderMessage> compose(const ReminderRow& row, TimePoint at) {
        auto c = hub->find_case(row.case_no);
        if (!c) return std::nullopt;
        ReminderMessage m;
        m.reminder_id = row.id;
        m.case_no = row.case_no;
        m.phone = c->applicant.phone.reveal();
        m.hall_name = hall_name;
        m.hall_code = hall_code;
        m.item_name = c->item.name;
        m.due_at = row.due_at;
        if (receipts && receipts->enabled()) {
            auto qr = receipts->issue(row.case_no, Stage::completed, at);
            if (qr) m.url = qr.value().url;
        }
        m.text = render_reminder_template(reminder_config.text, m, TemplateEscape::none, "", "", "", "");
        return m;
    }

    std::mutex stop_mutex;
    bool stopped = false;

    MaintenanceReport pass(bool force_reload) {
        MaintenanceReport r;
        r.at = clock();
        r.calendar_reloaded = reload_calendar_if_changed(force_reload, r);
        r.unrated = hub->process_unrated(r.at);
        for (const auto& f : r.unrated.failures) r.errors.push_back("unrated case: " + f);
        if (r.unrated.defaults_recorded > 0)
            log("maintenance: recorded " + std::to_string(r.unrated.defaults_recorded) +
                " default ratings for cases unrated past their deadline" +
                (r.unrated.provisional_defaults > 0 ? " (" + std::to_string(r.unrated.provisional_defaults) +
                                                          " counted across a year without the holiday notice)"
                                                    : std::string()));
        if (r.unrated.reminders_filed > 0)
            log("maintenance: " + std::to_string(r.unrated.reminders_filed) + " reminders due (channel " +
                std::string(to_string(reminder_config.channel)) + ")");
        if (reminder_channel) {
            try {
                if (!reminder_book) {
                    reminder_book = ReminderBook::open(store_path);
                    const auto n = reminder_book->recover_in_flight(reminder_channel->idempotent(), r.at);
                    if (n > 0)
                        log(std::to_string(n) + " reminders were being sent at the last stop; " +
                            (reminder_channel->idempotent() ? "sending them again (the receiver drops duplicates)"
                                                            : "marked unknown: check them (hcpctl reminders)"));
                }
                r.reminders = deliver_due_reminders(
                    *reminder_book, *reminder_channel, reminder_config.channel, reminder_config,
                    [&](const ReminderRow& row) { return compose(row, r.at); }, r.at);
                if (r.reminders.sent > 0) log("reminders: " + std::to_string(r.reminders.sent) + " sent");
                for (const auto& e : r.reminders.errors) r.errors.push_back("reminder: " + e);
            } catch (const std::exception& e) {
                reminder_book.reset();
                r.errors.push_back(std::string("reminders: ") + e.what());
            }
        }
        // Say it early: a year the hall depends on that no notice covers.
        const CalendarOutlook outlook =
            calendar_outlook(hub->calendar(), china_date(r.at), r.unrated.unofficial_years_pending);
        {
            std::lock_guard lk(calendar_mutex);
            calendar_state.provisional_years = outlook.provisional_years;
            calendar_state.uncovered_years = outlook.uncovered_years;
            calendar_state.warning_zh = outlook.warning_zh;
            calendar_state.fix = outlook.fix;
        }
        if (outlook.warning != last_calendar_warning) {
            if (!outlook.warning.empty()) log("calendar warning: " + outlook.warning);
            last_calendar_warning = outlook.warning;
        }
        if (upload) {
            try {
                if (!purge_queue) purge_queue = OutboxQueue::open(store_path);
                r.purged_cases = purge_queue->purge_personal_data(r.at, upload->purge_after_days);
                if (r.purged_cases > 0)
                    log("maintenance: erased personal data of " + std::to_string(r.purged_cases) + " cases accepted " +
                        std::to_string(upload->purge_after_days) + "+ days ago");
            } catch (const std::exception& e) {
                purge_queue.reset();  // reopen on the next pass
                r.errors.push_back(std::string("purge failed: ") + e.what());
            }
        }
        for (const auto& e : r.errors) log("maintenance: " + e);
        return r;
    }

    void run_maintenance() {
        std::unique_lock lk(maint_mutex);
        while (!maint_stopping) {
            const long long covering = requested;
            const bool forced = force_calendar_reload;
            force_calendar_reload = false;
            lk.unlock();
            MaintenanceReport r;
            try {
                r = pass(forced);
            } catch (const std::exception& e) {
                r.at = clock();
                r.errors.push_back(std::string("maintenance pass failed: ") + e.what());
                log("maintenance: " + r.errors.back());
            }
            lk.lock();
            r.runs = last.runs + 1;
            last = std::move(r);
            served = covering;
            maint_cv.notify_all();
            maint_cv.wait_for(lk, maintenance_interval, [&] { return maint_stopping || requested > served; });
        }
    }

    void stop_all() {
        std::lock_guard guard(stop_mutex);
        if (stopped) return;
        stopped = true;
        // 1. API: no new requests; event streams end.
        if (api) api->stop();
        // 2. Maintenance: a running pass completes, then the thread ends.
        {
            std::lock_guard lk(maint_mutex);
            maint_stopping = true;
        }
        maint_cv.notify_all();
        if (maintenance.joinable()) maintenance.join();
        // Receipt watchers: nothing reports a job's end any more (jobs in flight still print).
        receipt_printers.reset();
        // 3. Uploader: nothing wakes it any more, then it stops (a running request is aborted).
        upload_wake.reset();
        if (uploader) uploader->stop();
        log("stopped");
    }
};

Result<std::unique_ptr<HubService>, HubStartFailure> HubService::start(const Config& config, SecretKey store_key,
                                                                       HubServiceOptions options) {
    auto im = std::make_unique<Impl>();
    im->clock = options.clock ? options.clock : [] { return hcp::now(); };
    im->log = options.log ? options.log : [](const std::string& line) { std::cerr << "hub: " << line << '\n'; };
    im->maintenance_interval = std::max(options.maintenance_interval, std::chrono::milliseconds{1});
    im->store_path = config.store.database;
    im->upload = config.upload;
    im->calendar_config = config.calendar;
    im->reminder_config = config.reminder;
    im->hall_name = config.hall.name;
    im->hall_code = config.hall.code;

    // 1. Settings that need no store: refuse before any file is opened or created.
    std::optional<HallApiConfig> api = options.api;
    if (!api && config.api) {
        try {
            api = hall_api_config(config);
        } catch (const std::exception& e) {
            return failure(
                HubStartErrc::api_tokens, describe(e),
                "接口令牌文件（[api].tokens_file）或工作人员密码文件（[api].staff_pins_"
                "file）无法使用。请按错误信息修正：文件须格式正确，且只有所有者可读（chmod 600）；令牌文件必须存在。");
        }
    }
    std::optional<SecretKey> hall_secret;
    std::optional<PlatformProfile> profile;
    if (config.upload) {
        const auto& path = config.upload->secret_file;
        try {
            hall_secret = load_hall_secret(path);
        } catch (const std::exception& e) {
            return failure(HubStartErrc::upload_secret,
                           std::string(e.what()) + "; put the 64-hex-digit hall secret the province issued into " +
                               path.string() + " (chmod 600 " + path.string() +
                               "), or remove [upload] to keep ratings in the hub for now",
                           "无法读取上传平台的大厅密钥 " + path.string() +
                               "。请把省平台发放的 64 位十六进制密钥写入该文件并执行 chmod 600 " + path.string() +
                               "；暂不上传时可删除配置中的 [upload] 一节，评价会保存在本机。");
        }
        HubStartFailure why;
        profile = platform_profile(config, why);
        if (!profile) return why;
    }

    // 2. The hub.
    // A damaged store is not served: writes on broken pages or a lost chain head fail one by one
    // (or worse, succeed) while health says ok. The installer restores the last backup.
    const auto& db = config.store.database;
    const std::string restore_zh = "请停止本服务，运行 hcpctl verify " + db.string() +
                                   " 查看损坏情况，然后用最近的备份恢复：hcpctl restore 备份文件 " + db.string() +
                                   " --key 密钥文件 --force（见 docs/operations.md「Backup and restore」）。";
    try {
        im->hub = std::make_unique<Hub>(HubSetup::from_config(config), store_key);
    } catch (const Error& e) {
        if ((e.code() == Errc::store_failure || e.code() == Errc::not_a_store) && std::filesystem::exists(db))
            return failure(HubStartErrc::store_damaged, describe(e) + "; restore the last backup with hcpctl restore",
                           "评价数据库 " + db.string() + " 已损坏，无法打开。" + restore_zh);
        return failure(HubStartErrc::store, describe(e),
                       "评价数据库或其密钥无法打开（" + db.string() +
                           "）。请检查 [store] 的设置和文件权限；密钥文件须与数据库配套。");
    } catch (const std::exception& e) {
        return failure(HubStartErrc::store, describe(e),
                       "评价数据库或其密钥无法打开（" + db.string() +
                           "）。请检查 [store] 的设置和文件权限；密钥文件须与数据库配套。");
    }
    if (auto damage = im->hub->store_damage(Store::Check::full); !damage.empty()) {
        std::string detail;
        for (const auto& d : damage) detail += (detail.empty() ? "" : "; ") + d;
        return failure(HubStartErrc::store_damaged,
                       db.string() + " is damaged: " + detail + "; restore the last backup with hcpctl restore",
                       "评价数据库 " + db.string() + " 已损坏（" + detail + "），本机不再接收评价。" + restore_zh);
    }
    if (!config.categories.empty()) {
        try {
            QueueSetup setup = QueueSetup::from_config(config);
            setup.clock = im->clock;
            im->queue = std::make_unique<QueueEngine>(QueueEngine::open(config.store.database, std::move(setup)));
        } catch (const std::exception& e) {
            return failure(
                HubStartErrc::queue, describe(e),
                "排队叫号无法启动（" + config.store.database.string() +
                    "）。请检查配置中的业务类别（[[category]]）、窗口和工作日历文件，以及数据库文件的权限。");
        }
        im->log("queue: " + std::to_string(config.categories.size()) + " categories, " +
                std::to_string(config.windows.size()) + " windows");
    } else {
        im->log("no [[category]]: the hub runs without a queue (queue endpoints answer 404)");
    }
    im->receipts = std::make_unique<ReceiptQrIssuer>(config.receipt_qr, config.hall.code);
    if (!im->receipts->enabled()) im->log("receipt QR off (rating_url will be null): " + im->receipts->reason());
    if (!config.receipt_printers.empty()) {
        EventBus& bus = im->hub->events();
        im->receipt_printers = std::make_unique<ReceiptPrinters>(
            config,
            [&bus](const ReceiptJobOutcome& o) {
                HubEvent e;
                e.type = HubEventType::receipt_printed;
                e.window = o.window;
                e.case_nos = {o.case_no};
                e.receipt = ReceiptPrintNotice{o.job_id, o.printed, o.reason_zh};
                bus.publish(std::move(e));
            },
            [sink = im->log](const std::string& line) { sink(line); });
        im->log("receipts print at " + std::to_string(config.receipt_printers.size()) + " window(s)");
    }

    // 3. Uploader and what wakes it.
    if (config.upload) {
        im->uploader =
            std::make_unique<Uploader>(*config.upload, *profile, *hall_secret, config.store.database, config.hall.code);
        im->uploader->set_log([sink = im->log](const std::string& line) { sink("upload: " + line); });
        Uploader* up = im->uploader.get();
        im->upload_wake = im->hub->events().subscribe(EventFilter{}, [up](const HubEvent& e) {
            if (e.type == HubEventType::rating_stored) up->notify();
        });
        im->uploader->start();
        im->log("uploading to " + config.upload->base_url + " (profile " + profile->name + ")");
    } else {
        im->log("no [upload]: ratings stay in the hub's outbox until an upload is configured");
    }

    // Reminders leave through the hall's channel; call_list sends nothing.
    try {
        if (config.reminder.channel == ReminderChannelKind::sms && config.reminder.sms)
            im->reminder_channel = make_sms_channel(*config.reminder.sms);
        else if (config.reminder.channel == ReminderChannelKind::platform && config.upload && hall_secret)
            im->reminder_channel =
                make_platform_channel(*config.upload, *hall_secret, config.hall.code, config.device.id);
    } catch (const std::exception& e) {
        im->uploader.reset();
        return failure(
            HubStartErrc::reminder, describe(e),
            "短信网关的密钥文件（[reminder.sms].secret_file）无法使用。请写入网关发放的密钥并执行 chmod 600；"
            "或把 [reminder].channel 改为 \"call_list\"，由工作人员电话提醒。");
    }
    im->log("reminders: " + explain_zh(config.rating.unrated) + "; channel " +
            std::string(to_string(config.reminder.channel)));
    im->calendar_fingerprint_seen = calendar_fingerprint(config.calendar);

    // 4. Maintenance (its first pass runs now).
    Impl* raw = im.get();
    im->maintenance = std::thread([raw] { raw->run_maintenance(); });

    std::unique_ptr<HubService> service(new HubService(std::move(im)));

    // 5. The API, last.
    if (api) {
        HallApiServices services;
        services.status = service.get();
        services.receipts = raw->receipts.get();
        services.clock = raw->clock;
        services.log = [sink = raw->log](const std::string& line) { sink("hall-api: " + line); };
        services.queue = raw->queue.get();
        services.receipt_printers = raw->receipt_printers.get();
        services.hall_name = config.hall.name;
        services.staff = config.staff;
        services.items = config.items;
        services.web_root = config.paths.assets / "web";
        raw->api = std::make_unique<HallApiServer>(*raw->hub, *api, std::move(services));
        auto started = raw->api->start();
        if (!started) {
            service->stop();
            return failure(HubStartErrc::api_bind, started.error().detail,
                           "接口无法在 " + api->listen_host + ":" + std::to_string(api->listen_port) +
                               " 上启动：地址被占用或不是本机地址。请修改 [api].listen，或停止占用该端口的程序。");
        }
        raw->port = started.value();
    }
    return service;
}

HubService::HubService(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HubService::~HubService() {
    stop();
}

void HubService::stop() {
    m_impl->stop_all();
}

Hub& HubService::hub() noexcept {
    return *m_impl->hub;
}
QueueEngine* HubService::queue() noexcept {
    return m_impl->queue.get();
}
bool HubService::upload_configured() const noexcept {
    return m_impl->uploader != nullptr;
}
std::optional<int> HubService::api_port() const noexcept {
    return m_impl->port;
}

SyncState HubService::sync_state() const {
    std::lock_guard lock(m_impl->status_mutex);
    try {
        if (!m_impl->status_queue) m_impl->status_queue = OutboxQueue::open(m_impl->store_path);
        return m_impl->status_queue->sync_state();
    } catch (...) {
        m_impl->status_queue.reset();  // reopen on the next call
        throw;
    }
}

HubSyncStatus HubService::sync_status() const {
    HubSyncStatus s;
    s.upload_configured = upload_configured();
    s.sync = sync_state();
    s.now = m_impl->clock();
    return s;
}

std::string HubService::summary_zh() const {
    return sync_state().summary_zh(m_impl->clock());
}

MaintenanceReport HubService::maintain_now() {
    auto& im = *m_impl;
    std::unique_lock lk(im.maint_mutex);
    if (im.maint_stopping || !im.maintenance.joinable()) return im.last;
    const long long mine = ++im.requested;
    im.maint_cv.notify_all();
    im.maint_cv.wait(lk, [&] { return im.served >= mine || im.maint_stopping; });
    return im.last;
}

MaintenanceReport HubService::reload_calendar() {
    {
        std::lock_guard lk(m_impl->maint_mutex);
        m_impl->force_calendar_reload = true;
    }
    return maintain_now();
}

HubCalendarStatus HubService::calendar_status() const {
    std::lock_guard lk(m_impl->calendar_mutex);
    return m_impl->calendar_state;
}

MaintenanceReport HubService::last_maintenance() const {
    std::lock_guard lk(m_impl->maint_mutex);
    return m_impl->last;
}

}  // namespace hcp
