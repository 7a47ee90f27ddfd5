#include "display/voice/speech.hpp"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include <atomic>
#include <cstring>
#include <fstream>

namespace hcp::ui::voice {

namespace {

// espeak-ng is one engine per process (global state): at most one synthesizer at a time.
std::atomic<bool> g_open{false};

// The synth callback of espeak-ng's synchronous mode: each chunk lands in the Pcm passed as
// user data of the synthesis call.
int collect(short* wav, int count, espeak_EVENT* events) {
    if (wav == nullptr || count <= 0 || events == nullptr) return 0;
    auto* out = static_cast<Pcm*>(events->user_data);
    if (out != nullptr) out->samples.insert(out->samples.end(), wav, wav + count);
    return 0;  // go on
}

std::string status_text(espeak_ng_STATUS s) {
    char buf[256] = {};
    espeak_ng_GetStatusCodeMessage(s, buf, sizeof buf);
    return buf;
}

void put_u32(std::ofstream& o, std::uint32_t v) {
    const char b[4] = {static_cast<char>(v & 0xFFU), static_cast<char>((v >> 8) & 0xFFU),
                       static_cast<char>((v >> 16) & 0xFFU), static_cast<char>((v >> 24) & 0xFFU)};
    o.write(b, 4);
}
void put_u16(std::ofstream& o, std::uint16_t v) {
    const char b[2] = {static_cast<char>(v & 0xFFU), static_cast<char>((v >> 8) & 0xFFU)};
    o.write(b, 2);
}
std::uint32_t get_u32(const unsigned char* p) {
    return p[0] | (static_cast<std::uint32_t>(p[1]) << 8) | (static_cast<std::uint32_t>(p[2]) << 16) |
           (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint16_t get_u16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

}  // namespace

std::string spoken_number(std::string_view number) {
    static constexpr const char* kDigits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    std::string out;
    bool last_digit = false;
    for (char c : number) {
        if (c >= '0' && c <= '9') {
            if (!out.empty() && !last_digit) out += ' ';
            out += kDigits[c - '0'];
            last_digit = true;
        } else {
            if (!out.empty()) out += ' ';
            out += c;
            last_digit = false;
        }
    }
    return out;
}

std::string announcement_text(std::string_view tmpl, std::string_view number, int window,
                              std::string_view window_name) {
    // Spaces around the number keep espeak from gluing a letter to the characters beside it.
    const std::string spoken = " " + spoken_number(number) + " ";
    std::string out;
    for (size_t i = 0; i < tmpl.size();) {
        auto starts = [&](std::string_view p) { return tmpl.substr(i, p.size()) == p; };
        if (starts("{number}")) {
            out += spoken;
            i += 8;
        } else if (starts("{window}")) {
            out += std::to_string(window);
            i += 8;
        } else if (starts("{window_name}")) {
            out += window_name;
            i += 13;
        } else {
            out += tmpl[i++];
        }
    }
    return out;
}

Result<std::unique_ptr<SpeechSynthesizer>, SpeechFailure> SpeechSynthesizer::open(const SpeechSettings& settings) {
    using Cause = SpeechFailure::Cause;
    if (g_open.exchange(true)) return SpeechFailure{Cause::already_open, "espeak-ng is already open in this process"};
    std::unique_ptr<SpeechSynthesizer> s(new SpeechSynthesizer());  // releases g_open on failure
    // The engine is initialised once per process and never terminated: Debian's 1.51
    // espeak_ng_Terminate() waits forever for its event thread after a synchronous-mode
    // synthesis (seen in ui_test_voice), and the data it holds (~2 MB) is needed until exit anyway.
    static const espeak_ng_STATUS init = [] {
        espeak_ng_InitializePath(nullptr);
        espeak_ng_ERROR_CONTEXT ctx = nullptr;
        espeak_ng_STATUS st = espeak_ng_Initialize(&ctx);
        espeak_ng_ClearErrorContext(&ctx);
        if (st == ENS_OK) st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nullptr);
        if (st == ENS_OK) espeak_SetSynthCallback(collect);
        return st;
    }();
    if (init != ENS_OK) {
        return SpeechFailure{Cause::no_data, "espeak-ng data missing (install espeak-ng-data): " + status_text(init)};
    }
    const espeak_ng_STATUS st = espeak_ng_SetVoiceByName(settings.voice.c_str());
    if (st != ENS_OK) {
        return SpeechFailure{Cause::unknown_voice, "espeak-ng voice " + settings.voice + ": " + status_text(st)};
    }
    espeak_ng_SetParameter(espeakRATE, settings.rate, 0);
    espeak_ng_SetParameter(espeakVOLUME, settings.volume, 0);
    return s;
}

SpeechSynthesizer::~SpeechSynthesizer() {
    g_open = false;
}

Result<Pcm, SpeechFailure> SpeechSynthesizer::synthesize(std::string_view text) {
    Pcm pcm;
    pcm.sample_rate = espeak_ng_GetSampleRate();
    const std::string z(text);  // NUL-terminated; the size given includes the terminator
    const espeak_ng_STATUS st =
        espeak_ng_Synthesize(z.c_str(), z.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, &pcm);
    if (st != ENS_OK) return SpeechFailure{SpeechFailure::Cause::synthesis_failed, status_text(st)};
    return pcm;
}

bool write_wav(const std::filesystem::path& file, const Pcm& pcm) {
    std::ofstream o(file, std::ios::binary | std::ios::trunc);
    if (!o) return false;
    const auto data_bytes = static_cast<std::uint32_t>(pcm.samples.size() * 2U);
    o.write("RIFF", 4);
    put_u32(o, 36U + data_bytes);
    o.write("WAVEfmt ", 8);
    put_u32(o, 16);  // fmt chunk size
    put_u16(o, 1);   // PCM
    put_u16(o, 1);   // mono
    put_u32(o, static_cast<std::uint32_t>(pcm.sample_rate));
    put_u32(o, static_cast<std::uint32_t>(pcm.sample_rate) * 2U);  // bytes per second
    put_u16(o, 2);                                                 // block align
    put_u16(o, 16);                                                // bits per sample
    o.write("data", 4);
    put_u32(o, data_bytes);
    for (std::int16_t v : pcm.samples) put_u16(o, static_cast<std::uint16_t>(v));
    return static_cast<bool>(o.flush());
}

Pcm read_wav(const std::filesystem::path& file) {
    Pcm pcm;
    pcm.sample_rate = 0;
    std::ifstream in(file, std::ios::binary);
    std::vector<unsigned char> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (b.size() < 44 || std::memcmp(b.data(), "RIFF", 4) != 0 || std::memcmp(b.data() + 8, "WAVEfmt ", 8) != 0)
        return pcm;
    if (get_u16(&b[20]) != 1 || get_u16(&b[22]) != 1 || get_u16(&b[34]) != 16) return pcm;
    if (std::memcmp(&b[36], "data", 4) != 0) return pcm;
    const std::uint32_t n = std::min<std::uint32_t>(get_u32(&b[40]), static_cast<std::uint32_t>(b.size() - 44));
    pcm.sample_rate = static_cast<int>(get_u32(&b[24]));
    pcm.samples.resize(n / 2);
    for (size_t i = 0; i < pcm.samples.size(); ++i) pcm.samples[i] = static_cast<std::int16_t>(get_u16(&b[44 + 2 * i]));
    return pcm;
}

}  // namespace hcp::ui::voice
