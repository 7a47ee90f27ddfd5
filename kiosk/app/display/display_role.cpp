#include "display/display_role.hpp"

#include <iostream>

#include "display/hall_feed.hpp"
#include "display/screen_hall_display.hpp"
#include "shell/fonts.hpp"
#include "shell/main_queue.hpp"

namespace hcp::ui {

DisplayRole::DisplayRole(const RoleContext& ctx) : m_services(ctx.services), m_queue(ctx.queue) {
    const hcp::Config& cfg = *m_services.config;
    const hcp::DisplayConfig& dc = cfg.display;
    m_board = std::make_unique<HallBoard>(static_cast<size_t>(dc.recent_calls));
    m_screen = std::make_unique<HallDisplayScreen>(*m_board, ctx.fonts, cfg.hall.name, dc.notice);
    // Every ticket letter in the display font now: a new letter later would cost an atlas build.
    for (const auto& c : cfg.categories) ctx.fonts.want_display(std::string(1, c.prefix));
    for (const auto& c : cfg.categories) ctx.fonts.want(c.name);
    if (dc.voice) {
        // Headless (SDL's dummy driver): synthesis still runs, the audio goes nowhere.
        if (!m_services.options.headless) {
            std::string why;
            m_sink = voice::SdlAudioSink::open(22050, why);  // espeak-ng's rate
            if (!m_sink) std::cerr << "hcp-kiosk: no sound output, calls are shown only: " << why << '\n';
        }
        if (!m_sink) m_sink = std::make_unique<voice::NullSink>();
        voice::AnnouncerSettings vs;
        vs.repeat = dc.voice_repeat;
        vs.speech.voice = dc.voice_name;
        vs.speech.rate = dc.voice_rate;
        vs.speech.volume = dc.voice_volume;
        m_announcer = std::make_unique<voice::Announcer>(vs, *m_sink);
    }
    HallFeed* feed = m_services.hall;
    if (feed->local()) m_board->on_snapshot(feed->snapshot());
    m_board->set_online(feed->online());
    // Queue events arrive on the feed's thread: the call goes to the main thread at once (shown
    // on the next frame, then spoken); the snapshot is read on the feed's thread, never the UI's.
    MainQueue* queue = &m_queue;
    HallBoard* board = m_board.get();
    voice::Announcer* announcer = m_announcer.get();
    const std::string tmpl = dc.voice_template;
    feed->subscribe([queue, board, announcer, feed, tmpl](const hcp::HubEvent& ev) {
        if (ev.type == hcp::HubEventType::queue_called && ev.call) {
            queue->post([board, announcer, tmpl, call = *ev.call, at = ev.at] {
                board->on_call(call, at);
                if (announcer != nullptr)
                    announcer->announce(voice::announcement_text(tmpl, call.number, call.window, call.window_name));
            });
        }
        queue->post([board, snap = feed->snapshot(), online = feed->online()] {
            board->on_snapshot(snap);
            board->set_online(online);
        });
    });
}

DisplayRole::~DisplayRole() {
    m_services.hall->unsubscribe();
    m_queue.drain();  // work posted before unsubscribe returned, while the board exists
    // The voice's worker may be inside SDL audio: stop it and close the device before SDL_Quit.
    m_announcer.reset();
    m_sink.reset();
}

void DisplayRole::presented() {
    // The first presented frame showing a call: a log line with the wall clock, so the bench
    // measures from the call's reply to the hall screen.
    if (!m_board->current()) return;
    const BoardCall& call = *m_board->current();
    const std::string key = call.number + "@" + std::to_string(call.at.time_since_epoch().count());
    if (key == m_shown_call) return;
    m_shown_call = key;
    const auto wall =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::cout << "shown: call=" << call.number << " window=" << call.window << " wall_us=" << wall << '\n';
}

std::optional<std::string> DisplayRole::command(const std::vector<std::string>& words) {
    if (words.front() != "expect-voice" || words.size() < 2) return std::nullopt;
    if (!m_announcer) return std::string("expect-voice needs the hall display with [display] voice = true");
    std::string want;
    for (size_t i = 1; i < words.size(); ++i) want += (i > 1 ? " " : "") + words[i];
    // A snapshot can bring a call to the screen before its event: run the posted work (the
    // event queues the voice on this thread) while waiting for the worker.
    const auto until = Clock::now() + std::chrono::seconds(10);
    std::string seen;
    do {
        m_queue.drain();
        m_announcer->wait_idle(std::chrono::milliseconds(50));
        seen.clear();
        for (const auto& s : m_announcer->spoken()) {
            if (s.text.find(want) != std::string::npos && s.error.empty() && s.repeats > 0) return std::string();
            seen += "\n    \"" + s.text + "\" seconds=" + std::to_string(s.seconds) +
                    " repeats=" + std::to_string(s.repeats) + (s.error.empty() ? "" : " error=" + s.error);
        }
    } while (Clock::now() < until);
    return "no call spoken with \"" + want + "\" within 10 s; spoken:" + seen;
}

}  // namespace hcp::ui
