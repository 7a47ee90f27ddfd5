// The rating journey without a window: screens, reasons, timeout, and the font's glyph set.
#include <catch2/catch.hpp>

#include <sstream>

#include "demo_hub_link.hpp"
#include "fonts.hpp"
#include "hcp/catalog.hpp"
#include "journal_link.hpp"
#include "journey.hpp"

namespace {

using hcp::ui::Clock;
using hcp::ui::ScreenId;

struct Rig {
    hcp::ui::DemoHubLink demo{hcp::OptionCatalog::load_file(std::filesystem::path(HCP_SOURCE_ASSETS_DIR) / "catalog/cn-004.toml")};
    hcp::ui::JournalLink link{demo};
    hcp::ui::Fonts fonts{HCP_FONT_FILE};
    std::ostringstream log;
    hcp::ui::Journey journey{&link, fonts, hcp::ui::JourneyTimes{}, log};

    void open(const std::string& case_no) {
        hcp::Case c;
        c.case_no = case_no;
        c.item = {"11370921004321234N4000112035000", "居民身份证换领", "宁阳县公安局"};
        c.staff = {"1002", "张建国"};
        c.window = 1;
        c.stage = hcp::Stage::completed;
        c.completed_at = hcp::now();
        demo.open_case(c, false);  // registers the case with the demo hub
        hcp::TerminalEvent ev;
        ev.kind = hcp::TerminalEvent::Kind::rating_requested;
        hcp::RatingRequest req;
        req.cases.push_back(c);
        req.window = 1;
        ev.request = req;
        journey.on_event(ev);
    }
    bool journal_has(const std::string& text) const {
        for (const auto& line : link.journal()) if (line.find(text) != std::string::npos) return true;
        return false;
    }
};

}  // namespace

TEST_CASE("A good rating is submitted at once and the thank-you screen follows") {
    Rig rig;
    rig.open("J-1");
    REQUIRE(rig.journey.screen() == ScreenId::rating);
    CHECK(rig.journey.shows_staff());
    rig.journey.choose_level(hcp::Level::satisfied);
    CHECK(rig.journey.screen() == ScreenId::thanks);
    CHECK(rig.journal_has("stored J-1 level=4"));
}

TEST_CASE("A bad rating waits on the reasons screen until a reason or text is given") {
    Rig rig;
    rig.open("J-2");
    rig.journey.choose_level(hcp::Level::very_dissatisfied);
    REQUIRE(rig.journey.screen() == ScreenId::bad_options);
    CHECK_FALSE(rig.journey.can_submit_bad());
    rig.journey.submit_bad();
    CHECK(rig.journey.screen() == ScreenId::bad_options);
    rig.journey.text() = "   ";
    CHECK_FALSE(rig.journey.can_submit_bad());
    rig.journey.set_option("103", true);
    CHECK(rig.journey.can_submit_bad());
    rig.journey.submit_bad();
    CHECK(rig.journey.screen() == ScreenId::thanks);
    CHECK(rig.journal_has("stored J-2 level=1 options=1 text=no"));
}

TEST_CASE("An untouched rating screen times out to idle and records the case as not rated") {
    Rig rig;
    rig.open("J-3");
    const auto deadline = rig.journey.next_deadline();
    REQUIRE(deadline.has_value());
    rig.journey.tick(*deadline - std::chrono::milliseconds(1));
    CHECK(rig.journey.screen() == ScreenId::rating);
    rig.journey.tick(*deadline);
    CHECK(rig.journey.screen() == ScreenId::idle);
    CHECK(rig.journal_has("not_rated J-3"));
    CHECK_FALSE(rig.journal_has("stored J-3"));
}

TEST_CASE("Rating the same service twice shows the already-rated message") {
    Rig rig;
    rig.open("J-4");
    rig.journey.choose_level(hcp::Level::very_satisfied);
    rig.journey.finish();
    rig.open("J-4");
    rig.journey.choose_level(hcp::Level::satisfied);
    CHECK(rig.journey.screen() == ScreenId::message);
    CHECK(rig.journey.message_kind() == hcp::ui::MessageKind::already_rated);
}

TEST_CASE("The font atlas goes stale only when a new character is wanted") {
    hcp::ui::Fonts fonts{HCP_FONT_FILE};
    ImFontAtlas atlas;
    fonts.want("非常满意");
    fonts.build(atlas, 20.0F);
    CHECK_FALSE(fonts.stale());
    fonts.want("满意");
    CHECK_FALSE(fonts.stale());
    fonts.want("王喆");  // a rare name character appears
    CHECK(fonts.stale());
    fonts.build(atlas, 20.0F);
    CHECK_FALSE(fonts.stale());
    CHECK(fonts.body()->FindGlyphNoFallback(static_cast<ImWchar>(U'喆')) != nullptr);
}
