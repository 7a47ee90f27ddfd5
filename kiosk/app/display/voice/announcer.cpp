#include "display/voice/announcer.hpp"

#include <SDL.h>

#include <iostream>

namespace hcp::ui::voice {

std::unique_ptr<SdlAudioSink> SdlAudioSink::open(int sample_rate, std::string& error) {
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        error = std::string("SDL audio: ") + SDL_GetError();
        return nullptr;
    }
    SDL_AudioSpec want{};
    want.freq = sample_rate;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 2048;
    want.callback = nullptr;  // queue mode: SDL_QueueAudio feeds the device
    SDL_AudioSpec have{};
    const SDL_AudioDeviceID dev = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);
    if (dev == 0) {
        error = std::string("SDL_OpenAudioDevice: ") + SDL_GetError();
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        return nullptr;
    }
    std::unique_ptr<SdlAudioSink> sink(new SdlAudioSink());
    sink->m_device = dev;
    sink->m_rate = sample_rate;
    return sink;
}

SdlAudioSink::~SdlAudioSink() {
    SDL_CloseAudioDevice(m_device);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

void SdlAudioSink::play(const Pcm& pcm) {
    if (pcm.samples.empty()) return;
    SDL_ClearQueuedAudio(m_device);
    SDL_QueueAudio(m_device, pcm.samples.data(), static_cast<Uint32>(pcm.samples.size() * sizeof(std::int16_t)));
    SDL_PauseAudioDevice(m_device, 0);
    // The worker waits out the audio (plus the device buffer) so the next call cannot overlap.
    // SDL offers no completion event in queue mode: sleep for the length, then check the queue.
    const auto length = std::chrono::milliseconds(static_cast<long long>(pcm.seconds() * 1000.0));
    std::this_thread::sleep_for(length);
    for (int i = 0; i < 200 && SDL_GetQueuedAudioSize(m_device) > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // The last device buffer (2048 samples) is still sounding when the queue reads empty.
    std::this_thread::sleep_for(std::chrono::milliseconds(2048 * 1000 / std::max(1, m_rate)));
    SDL_PauseAudioDevice(m_device, 1);
}

Announcer::Announcer(AnnouncerSettings settings, AudioSink& sink, Synthesize synthesize)
    : m_settings(std::move(settings)), m_sink(sink), m_synthesize(std::move(synthesize)), m_thread([this] { run(); }) {}

Announcer::~Announcer() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_pending.clear();
    }
    m_cv.notify_all();
    m_thread.join();
}

// A burst of calls at opening must not leave the voice minutes behind the screen: a call still
// waiting after kStale is dropped (the screen showed it long ago), the same text already waiting
// is not queued twice (重呼 pressed twice), and at most kMaxPending calls wait.
namespace {
constexpr auto kStale = std::chrono::seconds{30};
constexpr size_t kMaxPending = 16;
}  // namespace

void Announcer::announce(std::string text) {
    {
        std::lock_guard lock(m_mutex);
        for (const auto& p : m_pending)
            if (p.text == text) return;
        if (m_pending.size() >= kMaxPending) m_pending.pop_front();
        m_pending.push_back({std::move(text), std::chrono::steady_clock::now()});
    }
    m_cv.notify_one();
}

bool Announcer::wait_idle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_idle_cv.wait_for(lock, timeout, [this] { return m_pending.empty() && !m_busy; });
}

std::vector<Spoken> Announcer::spoken() const {
    std::lock_guard lock(m_mutex);
    return m_spoken;
}

void Announcer::run() {
    if (!m_synthesize) {
        // The voice data is loaded here, on the worker, never on the UI thread.
        auto engine = SpeechSynthesizer::open(m_settings.speech);
        if (engine.ok()) {
            m_engine = std::move(engine).value();
            m_synthesize = [this](const std::string& text) { return m_engine->synthesize(text); };
        } else {
            const std::string why = engine.error().detail;
            std::cerr << "hcp-kiosk: no voice calling: " << why << '\n';
            m_synthesize = [why](const std::string&) -> Result<Pcm, SpeechFailure> {
                return SpeechFailure{SpeechFailure::Cause::no_data, why};
            };
        }
    }
    for (;;) {
        std::string text;
        {
            std::unique_lock lock(m_mutex);
            m_busy = false;
            if (m_pending.empty()) m_idle_cv.notify_all();
            m_cv.wait(lock, [this] { return m_stop || !m_pending.empty(); });
            if (m_stop) break;
            const auto now = std::chrono::steady_clock::now();
            while (!m_pending.empty() && now - m_pending.front().queued > kStale) {
                std::cout << ("voice: dropped \"" + m_pending.front().text + "\" (waited over 30 s)\n") << std::flush;
                m_pending.pop_front();
            }
            if (m_pending.empty()) continue;
            text = std::move(m_pending.front().text);
            m_pending.pop_front();
            m_busy = true;
        }
        Spoken s;
        s.text = text;
        auto pcm = m_synthesize(text);
        if (!pcm.ok()) {
            s.error = pcm.error().detail;
        } else {
            s.seconds = pcm.value().seconds();
            for (int i = 0; i < m_settings.repeat; ++i) {
                if (i > 0) {
                    std::unique_lock lock(m_mutex);  // shutdown does not wait for the repeats
                    if (m_cv.wait_for(lock, m_settings.gap, [this] { return m_stop; })) break;
                }
                m_sink.play(pcm.value());
                ++s.repeats;
            }
        }
        // One write per line: the UI thread prints its own lines to the same stdout.
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.2f", s.seconds);
        std::cout << ("voice: \"" + s.text + "\" seconds=" + secs + " repeats=" + std::to_string(s.repeats) +
                      (s.error.empty() ? "" : " error=" + s.error) + "\n")
                  << std::flush;
        std::lock_guard lock(m_mutex);
        m_spoken.push_back(std::move(s));
        if (m_spoken.size() > 100) m_spoken.erase(m_spoken.begin());
    }
    std::lock_guard lock(m_mutex);
    m_busy = false;
    m_idle_cv.notify_all();
}

}  // namespace hcp::ui::voice
