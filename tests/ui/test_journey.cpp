// The rating journey without a window: screens, reasons, timeout, and the font's glyph set.
#include <catch2/catch.hpp>

#include <sstream>

#include "hcp/domain/catalog.hpp"
#include "rating/demo_hub_link.hpp"
#include "rating/journal_link.hpp"
#include "rating/journey.hpp"
#include "shell/fonts.hpp"

namespace {

using hcp::ui::Clock;
using hcp::ui::ScreenId;

struct Rig {
    hcp::ui::DemoHubLink demo{
        hcp::OptionCatalog::load_file(std::filesystem::path(HCP_SOURCE_ASSETS_DIR) / "catalog/cn-004.toml")};
    hcp::ui::JournalLink link{demo};
    hcp::ui::InlineLinkWorker worker{link};
    hcp::ui::Fonts fonts{HCP_FONT_FILE};
    std::ostringstream log;
    hcp::ui::Journey journey{&worker, fonts, hcp::ui::JourneyTimes{}, log};

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
        for (const auto& line : link.journal())
            if (line.find(text) != std::string::npos) return true;
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
    const auto deadline = rig.journey.timeout_at();
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

namespace {

// A worker that keeps the submit until the test releases it: the journey's "submitting" state
// can be looked at while the rating is on its way.
class HeldWorker final : public hcp::ui::LinkWorker {
public:
    explicit HeldWorker(hcp::HubLink& link) : m_link(link) {}
    void submit(hcp::RatingDraft draft, std::function<void(hcp::ui::SubmitOutcomeResult)> done) override {
        m_draft = std::move(draft);
        m_done = std::move(done);
    }
    void record_not_rated(std::string case_no, int window) override { m_link.record_not_rated(case_no, window); }
    bool holding() const { return static_cast<bool>(m_done); }
    void release() {
        auto done = std::move(m_done);
        m_done = nullptr;
        done(hcp::ui::submit_guarded(m_link, m_draft));
    }

private:
    hcp::HubLink& m_link;
    hcp::RatingDraft m_draft;
    std::function<void(hcp::ui::SubmitOutcomeResult)> m_done;
};

hcp::Case theme_case(const std::string& no, const std::string& item) {
    hcp::Case c;
    c.case_no = no;
    c.item = {"CODE-" + no, item, "宁阳县行政审批服务局"};
    c.staff = {"1004", "刘洋"};
    c.window = 1;
    c.stage = hcp::Stage::completed;
    c.completed_at = hcp::now();
    c.theme_id = "T-1";
    return c;
}

}  // namespace

TEST_CASE("While a rating is with the worker the journey refuses actions and no timer fires") {
    Rig rig;
    HeldWorker held(rig.link);
    hcp::ui::Journey journey{&held, rig.fonts, hcp::ui::JourneyTimes{}, rig.log};
    hcp::Case c;
    c.case_no = "S-1";
    c.item = {"11370921004321234N4000112035000", "居民身份证换领", "宁阳县公安局"};
    c.staff = {"1002", "张建国"};
    c.window = 1;
    c.stage = hcp::Stage::completed;
    c.completed_at = hcp::now();
    rig.demo.open_case(c, false);
    hcp::TerminalEvent ev;
    ev.kind = hcp::TerminalEvent::Kind::rating_requested;
    ev.request = hcp::RatingRequest{};
    ev.request->cases.push_back(c);
    ev.request->window = 1;
    journey.on_event(ev);
    journey.choose_level(hcp::Level::very_satisfied);
    REQUIRE(held.holding());
    CHECK(journey.submitting());
    CHECK(journey.screen() == ScreenId::rating);  // no thank-you before the store answered
    CHECK_FALSE(journey.next_deadline().has_value());
    journey.choose_level(hcp::Level::dissatisfied);  // a second tap is ignored
    CHECK(journey.screen() == ScreenId::rating);
    // A new case arriving meanwhile waits until the result is in.
    hcp::Case next = c;
    next.case_no = "S-2";
    rig.demo.open_case(next, false);
    hcp::TerminalEvent ev2 = ev;
    ev2.request->cases = {next};
    journey.on_event(ev2);
    CHECK(journey.request()->cases.front().case_no == "S-1");
    held.release();
    CHECK_FALSE(journey.submitting());
    CHECK(rig.journal_has("stored S-1 level=5"));
    CHECK(journey.commit_ms().size() == 1);
    // The deferred case opened after the thank-you decision.
    CHECK(journey.screen() == ScreenId::rating);
    CHECK(journey.request()->cases.front().case_no == "S-2");
}

TEST_CASE("A theme asks first and then rates the whole theme with one rating") {
    hcp::ui::DemoHubLink demo{
        hcp::OptionCatalog::load_file(std::filesystem::path(HCP_SOURCE_ASSETS_DIR) / "catalog/cn-004.toml")};
    hcp::ui::JournalLink link{demo};
    hcp::ui::InlineLinkWorker worker{link};
    hcp::ui::Fonts fonts{HCP_FONT_FILE};
    std::ostringstream log;
    hcp::ui::Journey journey{&worker, fonts, hcp::ui::JourneyTimes{}, log};
    hcp::RatingRequest req;
    for (const auto& [no, item] :
         std::vector<std::pair<std::string, std::string>>{{"T-A", "企业设立登记"}, {"T-B", "公章刻制备案"}}) {
        auto c = theme_case(no, item);
        demo.open_case(c, false);
        req.cases.push_back(c);
    }
    req.theme = true;
    req.window = 1;
    hcp::TerminalEvent ev;
    ev.kind = hcp::TerminalEvent::Kind::rating_requested;
    ev.request = req;
    journey.on_event(ev);
    REQUIRE(journey.screen() == ScreenId::theme_choice);
    journey.choose_level(hcp::Level::satisfied);  // no level before the choice
    CHECK(journey.screen() == ScreenId::theme_choice);
    journey.choose_theme_mode(hcp::ui::Journey::ThemeMode::whole);
    REQUIRE(journey.screen() == ScreenId::rating);
    CHECK(journey.scope().size() == 2);
    journey.choose_level(hcp::Level::satisfied);
    CHECK(journey.screen() == ScreenId::thanks);
    const auto j = link.journal();
    REQUIRE(j.size() == 2);
    CHECK(j[0].find("cases=T-A,T-B") != std::string::npos);
}

TEST_CASE("A theme rated item by item stores one rating per item and thanks after the last") {
    hcp::ui::DemoHubLink demo{
        hcp::OptionCatalog::load_file(std::filesystem::path(HCP_SOURCE_ASSETS_DIR) / "catalog/cn-004.toml")};
    hcp::ui::JournalLink link{demo};
    hcp::ui::InlineLinkWorker worker{link};
    hcp::ui::Fonts fonts{HCP_FONT_FILE};
    std::ostringstream log;
    hcp::ui::Journey journey{&worker, fonts, hcp::ui::JourneyTimes{}, log};
    hcp::RatingRequest req;
    for (const auto& [no, item] : std::vector<std::pair<std::string, std::string>>{
             {"P-A", "企业设立登记"}, {"P-B", "公章刻制备案"}, {"P-C", "不动产抵押权首次登记"}}) {
        auto c = theme_case(no, item);
        demo.open_case(c, false);
        req.cases.push_back(c);
    }
    req.theme = true;
    req.window = 1;
    hcp::TerminalEvent ev;
    ev.kind = hcp::TerminalEvent::Kind::rating_requested;
    ev.request = req;
    journey.on_event(ev);
    journey.choose_theme_mode(hcp::ui::Journey::ThemeMode::per_item);
    REQUIRE(journey.scope().size() == 1);
    CHECK(journey.scope().front()->case_no == "P-A");
    journey.choose_level(hcp::Level::very_satisfied);
    CHECK(journey.screen() == ScreenId::rating);
    CHECK(journey.scope().front()->case_no == "P-B");
    journey.choose_level(hcp::Level::dissatisfied);
    REQUIRE(journey.screen() == ScreenId::bad_options);
    journey.text() = "材料要求说明不清楚";
    journey.submit_bad();
    CHECK(journey.scope().front()->case_no == "P-C");
    CHECK(journey.text().empty());  // the next item starts from a clean slate
    // The citizen walks away on the last item: only that one is recorded as not rated.
    const auto deadline = journey.timeout_at();
    REQUIRE(deadline.has_value());
    journey.tick(*deadline);
    CHECK(journey.screen() == ScreenId::idle);
    const auto j = link.journal();
    REQUIRE(j.size() == 3);
    CHECK(j[0].find("stored P-A level=5") != std::string::npos);
    CHECK(j[0].find("cases=P-A") != std::string::npos);
    CHECK(j[1].find("stored P-B level=2 options=0 text=yes") != std::string::npos);
    CHECK(j[1].find("cases=P-B") != std::string::npos);
    CHECK(j[2].find("not_rated P-C") != std::string::npos);
}

TEST_CASE("The rating screen counts its timeout down and a touch starts it again") {
    Rig rig;
    rig.open("J-COUNT");
    REQUIRE(rig.journey.screen() == ScreenId::rating);
    CHECK(rig.journey.seconds_left() == 60);
    const auto start = hcp::ui::Clock::now();
    const auto before = rig.journey.version();
    rig.journey.tick(start + std::chrono::milliseconds(1500));
    CHECK(rig.journey.seconds_left() == 59);
    CHECK(rig.journey.version() != before);  // the screen redraws with the new number
    // The loop is woken for the next change of the number, not only at the timeout.
    REQUIRE(rig.journey.next_deadline());
    CHECK(*rig.journey.next_deadline() < start + std::chrono::seconds(60));
    rig.journey.tick(start + std::chrono::milliseconds(30500));
    CHECK(rig.journey.seconds_left() == 30);
    rig.journey.touched(start + std::chrono::seconds(31));
    CHECK(rig.journey.seconds_left() == 60);
    CHECK(rig.journey.screen() == ScreenId::rating);
}
