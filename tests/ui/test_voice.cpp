// The hall display's voice (espeak-ng, Mandarin) and its queue, and the board the display draws.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "display/hall_board.hpp"
#include "display/voice/announcer.hpp"
#include "display/voice/speech.hpp"

using namespace hcp::ui;
using namespace hcp::ui::voice;

namespace {

double rms(const Pcm& p) {
    double s = 0.0;
    for (auto v : p.samples) s += static_cast<double>(v) * v;
    return p.samples.empty() ? 0.0 : std::sqrt(s / static_cast<double>(p.samples.size()));
}

// Records when each play started and ended (steady clock), taking `ms` per play.
class RecordingSink final : public AudioSink {
public:
    explicit RecordingSink(int ms) : m_ms(ms) {}
    void play(const Pcm& pcm) override {
        const auto start = std::chrono::steady_clock::now();
        {
            std::lock_guard lock(m_mutex);
            ++m_active;
            m_max_active = std::max(m_max_active, m_active);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(m_ms));
        std::lock_guard lock(m_mutex);
        --m_active;
        m_plays.push_back({start, std::chrono::steady_clock::now(), pcm.samples.size()});
    }
    struct Play {
        std::chrono::steady_clock::time_point start, end;
        size_t samples;
    };
    std::vector<Play> plays() const {
        std::lock_guard lock(m_mutex);
        return m_plays;
    }
    int max_active() const {
        std::lock_guard lock(m_mutex);
        return m_max_active;
    }

private:
    int m_ms;
    mutable std::mutex m_mutex;
    int m_active = 0;
    int m_max_active = 0;
    std::vector<Play> m_plays;
};

}  // namespace

TEST_CASE("A ticket number is spoken digit by digit and fills the call template", "[voice]") {
    CHECK(spoken_number("A012") == "A 零一二");
    CHECK(spoken_number("B100") == "B 一零零");
    CHECK(spoken_number("7") == "七");
    CHECK(announcement_text("请{number}号到{window}号窗口办理", "A012", 3, "3号窗口") == "请 A 零一二 号到3号窗口办理");
    CHECK(announcement_text("{number}，请到{window_name}", "C001", 12, "12号窗口 户籍") ==
          " C 零零一 ，请到12号窗口 户籍");
    CHECK(announcement_text("请{number", "A1", 1, "") == "请{number");  // not a placeholder: kept as written
}

TEST_CASE("The announcement is synthesized in Mandarin into a WAV of plausible non-silent speech", "[voice]") {
    auto engine = SpeechSynthesizer::open(SpeechSettings{});
    REQUIRE(engine.ok());
    SECTION("a second engine in the same process is refused") {
        auto again = SpeechSynthesizer::open(SpeechSettings{});
        REQUIRE_FALSE(again.ok());
        CHECK(again.error().cause == SpeechFailure::Cause::already_open);
    }
    SECTION("请A012号到3号窗口办理") {
        const std::string text = announcement_text("请{number}号到{window}号窗口办理", "A012", 3, "3号窗口");
        auto pcm = engine.value()->synthesize(text);
        REQUIRE(pcm.ok());
        const auto file = std::filesystem::path(HCP_VOICE_OUT_DIR) / "announcement.wav";
        std::filesystem::create_directories(file.parent_path());
        REQUIRE(write_wav(file, pcm.value()));
        const Pcm back = read_wav(file);
        REQUIRE(back.sample_rate == 22050);
        REQUIRE(back.samples == pcm.value().samples);
        INFO("seconds=" << back.seconds() << " rms=" << rms(back));
        CHECK(back.seconds() > 1.5);
        CHECK(back.seconds() < 10.0);
        CHECK(rms(back) > 500.0);
        const auto clipped = std::count_if(back.samples.begin(), back.samples.end(),
                                           [](std::int16_t v) { return v == 32767 || v == -32768; });
        CHECK(static_cast<double>(clipped) < 0.01 * static_cast<double>(back.samples.size()));
        // Speech, not a tone or noise: the loudness of 20 ms frames varies widely (syllables and
        // the gaps between them), and most frames are voiced.
        size_t quiet = 0, frames = 0;
        double loudest = 0.0, softest = 1.0e9;
        for (size_t at = 0; at + 441 <= back.samples.size(); at += 441, ++frames) {
            double s = 0.0;
            for (size_t i = at; i < at + 441; ++i) s += static_cast<double>(back.samples[i]) * back.samples[i];
            const double r = std::sqrt(s / 441.0);
            loudest = std::max(loudest, r);
            softest = std::min(softest, r);
            if (r < 200.0) ++quiet;
        }
        INFO("frames=" << frames << " quiet=" << quiet << " loudest=" << loudest << " softest=" << softest);
        CHECK(quiet >= 1);
        CHECK(quiet < frames / 2);
        CHECK(loudest > 10.0 * (softest + 1.0));
        // Each character is spoken: the same call for a longer number lasts longer.
        auto longer =
            engine.value()->synthesize(announcement_text("请{number}号到{window}号窗口办理", "A012345", 3, ""));
        REQUIRE(longer.ok());
        CHECK(longer.value().seconds() > back.seconds() + 0.5);
    }
}

TEST_CASE("Two calls queued together are played one after the other, each repeated", "[voice]") {
    RecordingSink sink(150);
    AnnouncerSettings settings;
    settings.repeat = 2;
    settings.gap = std::chrono::milliseconds(20);
    std::vector<std::string> synthesized;
    std::mutex m;
    Announcer::Synthesize fake = [&](const std::string& text) -> hcp::Result<Pcm, SpeechFailure> {
        std::lock_guard lock(m);
        synthesized.push_back(text);
        Pcm p;
        p.samples.assign(100 + synthesized.size(), 1000);
        return p;
    };
    Announcer announcer(settings, sink, fake);
    announcer.announce("第一个");
    announcer.announce("第二个");
    REQUIRE(announcer.wait_idle(std::chrono::seconds(10)));
    const auto plays = sink.plays();
    REQUIRE(plays.size() == 4);
    CHECK(sink.max_active() == 1);
    for (size_t i = 1; i < plays.size(); ++i) CHECK(plays[i].start >= plays[i - 1].end);
    CHECK(plays[0].samples == 101);  // first call twice, then the second
    CHECK(plays[1].samples == 101);
    CHECK(plays[2].samples == 102);
    CHECK(plays[3].samples == 102);
    const auto spoken = announcer.spoken();
    REQUIRE(spoken.size() == 2);
    CHECK(spoken[0].text == "第一个");
    CHECK(spoken[0].repeats == 2);
    CHECK(spoken[1].text == "第二个");
}

TEST_CASE("A failed synthesis is recorded and the next call is still spoken", "[voice]") {
    RecordingSink sink(10);
    AnnouncerSettings settings;
    settings.repeat = 1;
    Announcer announcer(settings, sink, [](const std::string& text) -> hcp::Result<Pcm, SpeechFailure> {
        if (text == "坏") return SpeechFailure{SpeechFailure::Cause::synthesis_failed, "broken"};
        Pcm p;
        p.samples.assign(10, 1);
        return p;
    });
    announcer.announce("坏");
    announcer.announce("好");
    REQUIRE(announcer.wait_idle(std::chrono::seconds(10)));
    const auto spoken = announcer.spoken();
    REQUIRE(spoken.size() == 2);
    CHECK(spoken[0].error == "broken");
    CHECK(spoken[0].repeats == 0);
    CHECK(spoken[1].repeats == 1);
    CHECK(sink.plays().size() == 1);
}

TEST_CASE("The hall board shows the newest call and the latest call of each window", "[voice][board]") {
    HallBoard board(3);
    const auto t0 = hcp::now();
    auto notice = [](std::string n, int w) {
        return hcp::QueueCallNotice{std::move(n), "SBYB", w, std::to_string(w) + "号窗口", "call"};
    };
    board.on_call(notice("A001", 1), t0);
    board.on_call(notice("A002", 3), t0 + std::chrono::seconds(1));
    board.on_call(notice("A003", 1), t0 + std::chrono::seconds(2));
    REQUIRE(board.current());
    CHECK(board.current()->number == "A003");
    REQUIRE(board.recent().size() == 2);  // one line per window
    CHECK(board.recent()[0].number == "A003");
    CHECK(board.recent()[1].number == "A002");
    const auto v = board.version();
    // A snapshot taken before the last call does not bring an older call back.
    hcp::QueueSnapshot snap;
    hcp::QueueSnapshot::CategoryLine line;
    line.code = "SBYB";
    line.name = "社保医保";
    line.waiting = 4;
    line.waiting_priority = 1;
    snap.categories.push_back(line);
    hcp::QueueSnapshot::CallLine old;
    old.number = "A001";
    old.window = 1;
    old.at = t0 - std::chrono::milliseconds(1);
    snap.last_calls.push_back(old);
    board.on_snapshot(snap);
    CHECK(board.current()->number == "A003");
    CHECK(board.recent()[0].number == "A003");
    REQUIRE(board.categories().size() == 1);
    CHECK(board.categories()[0].waiting == 4);
    CHECK(board.version() > v);
    // At most `recent_lines` windows are listed.
    board.on_call(notice("B001", 2), t0 + std::chrono::seconds(3));
    board.on_call(notice("D001", 4), t0 + std::chrono::seconds(4));
    CHECK(board.recent().size() == 3);
    CHECK(board.recent()[0].number == "D001");
}

TEST_CASE("The same call waiting twice is spoken once", "[voice]") {
    RecordingSink sink(10);
    AnnouncerSettings settings;
    settings.repeat = 1;
    std::mutex m;
    std::condition_variable cv;
    bool started = false, release = false;
    Announcer announcer(settings, sink, [&](const std::string& text) -> hcp::Result<Pcm, SpeechFailure> {
        if (text == "占位") {
            std::unique_lock lock(m);
            started = true;
            cv.notify_all();
            cv.wait(lock, [&] { return release; });  // the worker is busy while the others queue
        }
        Pcm p;
        p.samples.assign(10, 1);
        return p;
    });
    announcer.announce("占位");
    {
        std::unique_lock lock(m);
        REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return started; }));
    }
    announcer.announce("请A001号到1号窗口办理");  // 重呼 pressed twice
    announcer.announce("请A001号到1号窗口办理");
    announcer.announce("请A002号到2号窗口办理");
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    REQUIRE(announcer.wait_idle(std::chrono::seconds(10)));
    const auto spoken = announcer.spoken();
    REQUIRE(spoken.size() == 3);
    CHECK(spoken[1].text == "请A001号到1号窗口办理");
    CHECK(spoken[2].text == "请A002号到2号窗口办理");
}

TEST_CASE("The hall board drops the calls of an earlier business day", "[voice][board]") {
    HallBoard board(3);
    const auto yesterday = hcp::now() - std::chrono::hours(24);
    board.on_call(hcp::QueueCallNotice{"A045", "SBYB", 3, "3号窗口", "call"}, yesterday);
    REQUIRE(board.current());
    // Drawn today, yesterday's call is not shown even before any snapshot of today.
    CHECK_FALSE(board.current_today(hcp::now()));
    CHECK(board.recent_today(hcp::now()).empty());
    CHECK(board.current_today(yesterday));
    hcp::QueueSnapshot day1;
    day1.business_day = "2026-12-01";
    board.on_snapshot(day1);
    CHECK(board.current());  // same day as before: nothing cleared
    const auto v = board.version();
    hcp::QueueSnapshot day2;
    day2.business_day = "2026-12-02";
    board.on_snapshot(day2);
    CHECK_FALSE(board.current());
    CHECK(board.recent().empty());
    CHECK(board.version() > v);
}
