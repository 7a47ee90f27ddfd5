#pragma once
// The hall display's voice: calls are queued and spoken one after the other on one worker
// thread (synthesis and playback), never on the UI thread and never overlapping.
//
// Contracts:
// - announce() is cheap and callable from any thread; it only queues the text.
// - One worker thread takes the texts in order: synthesizes each (SpeechSynthesizer, or the
//   function given for tests), then plays it `repeat` times through the AudioSink with `gap`
//   between repetitions. The sink's play() returns when the audio is done, so the next call
//   starts only after the previous one ended.
// - The destructor drops what is still queued, lets the call being played finish, joins.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "display/voice/speech.hpp"

namespace hcp::ui::voice {

// Where the audio goes. play() blocks until `pcm` has been played (or dropped).
class AudioSink {
public:
    virtual ~AudioSink() = default;
    virtual void play(const Pcm& pcm) = 0;
};

// Headless runs and machines without sound: the audio is dropped at once.
class NullSink final : public AudioSink {
public:
    void play(const Pcm& /*pcm*/) override {}
};

// SDL audio (SDL_OpenAudioDevice in queue mode, SDL_QueueAudio). open() initialises SDL's audio
// subsystem (call it on the main thread); play() runs on the announcer's worker. Returns null
// with `error` set when there is no audio device.
class SdlAudioSink final : public AudioSink {
public:
    static std::unique_ptr<SdlAudioSink> open(int sample_rate, std::string& error);
    ~SdlAudioSink() override;
    void play(const Pcm& pcm) override;

private:
    SdlAudioSink() = default;
    std::uint32_t m_device = 0;
    int m_rate = 0;
};

struct AnnouncerSettings {
    int repeat = 2;                      // each call spoken this many times, 1..5
    std::chrono::milliseconds gap{700};  // silence between repetitions
    SpeechSettings speech;
};

// What was spoken (for scripts and logs).
struct Spoken {
    std::string text;
    double seconds = 0.0;  // length of one repetition
    int repeats = 0;
    std::string error;  // synthesis failed: why (nothing was played)
};

class Announcer {
public:
    using Synthesize = std::function<Result<Pcm, SpeechFailure>(const std::string&)>;
    // `synthesize` empty: a SpeechSynthesizer is opened on the worker thread (so loading the
    // voice data never delays the UI); when it cannot open, calls are logged and not spoken.
    Announcer(AnnouncerSettings settings, AudioSink& sink, Synthesize synthesize = {});
    ~Announcer();
    Announcer(const Announcer&) = delete;
    Announcer& operator=(const Announcer&) = delete;

    void announce(std::string text);
    // Blocks until everything queued so far has been spoken or `timeout` passed; true if done.
    bool wait_idle(std::chrono::milliseconds timeout);
    std::vector<Spoken> spoken() const;

private:
    void run();

    AnnouncerSettings m_settings;
    AudioSink& m_sink;
    Synthesize m_synthesize;
    std::unique_ptr<SpeechSynthesizer> m_engine;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::condition_variable m_idle_cv;
    struct Pending {
        std::string text;
        std::chrono::steady_clock::time_point queued;
    };
    std::deque<Pending> m_pending;
    bool m_busy = false;
    bool m_stop = false;
    std::vector<Spoken> m_spoken;
    std::thread m_thread;  // last: starts after everything above exists
};

}  // namespace hcp::ui::voice
