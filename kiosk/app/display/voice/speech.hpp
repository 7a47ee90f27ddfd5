#pragma once
// Speech for the hall display's voice calling: the announcement text, local synthesis with
// espeak-ng (Debian's libespeak-ng, no network) into 16-bit mono PCM, and a WAV writer.
//
// Contracts:
// - announcement_text() only substitutes; it never fails. Placeholders: {number} (spoken digit
//   by digit: "A012" → "A 零一二"), {window} (the window number), {window_name}.
// - SpeechSynthesizer wraps espeak-ng, whose engine is process-global: a second synthesizer
//   is refused (`already_open`) rather than silently sharing the voice and rate. Its calls must
//   come from one thread at a time (the Announcer's worker); it never runs on the UI thread.
// - espeak headers stay in speech.cpp.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hcp/base/error.hpp"

namespace hcp::ui::voice {

// Mono 16-bit PCM.
struct Pcm {
    int sample_rate = 22050;
    std::vector<std::int16_t> samples;
    double seconds() const noexcept {
        return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0;
    }
};

// "A012" → "A 零一二": letters apart, digits as Chinese digit words one by one, so Mandarin
// synthesis says 零一二 instead of 十二 (as calling systems do).
std::string spoken_number(std::string_view number);
// The template with {number}, {window} and {window_name} replaced; other text is kept.
std::string announcement_text(std::string_view tmpl, std::string_view number, int window, std::string_view window_name);

struct SpeechSettings {
    std::string voice = "cmn-latn-pinyin";  // espeak-ng voice name (docs/kiosk-ui.md says why)
    int rate = 150;                         // words per minute, 80..450
    int volume = 100;                       // 0..200
};

struct SpeechFailure {
    enum class Cause { no_data, unknown_voice, already_open, synthesis_failed } cause = Cause::no_data;
    std::string detail;  // English, for the log
};

class SpeechSynthesizer {
public:
    // Loads espeak-ng's data (its default path; espeak-ng-data) and the voice.
    static Result<std::unique_ptr<SpeechSynthesizer>, SpeechFailure> open(const SpeechSettings& settings);
    ~SpeechSynthesizer();
    SpeechSynthesizer(const SpeechSynthesizer&) = delete;
    SpeechSynthesizer& operator=(const SpeechSynthesizer&) = delete;

    // UTF-8 text → PCM at the engine's rate (22050 Hz). Blocks for the synthesis (tens of ms).
    Result<Pcm, SpeechFailure> synthesize(std::string_view text);

private:
    SpeechSynthesizer() = default;
};

// 16-bit mono RIFF/WAVE. Returns false when the file cannot be written.
bool write_wav(const std::filesystem::path& file, const Pcm& pcm);
// Reads what write_wav wrote (16-bit mono PCM only); empty samples when it cannot.
Pcm read_wav(const std::filesystem::path& file);

}  // namespace hcp::ui::voice
