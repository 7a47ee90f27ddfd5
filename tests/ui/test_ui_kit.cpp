// The kiosk's colours: every text a citizen reads stands out from what it is drawn on.
#include <catch2/catch.hpp>

#include "shell/ui_kit.hpp"

using namespace hcp::ui;

TEST_CASE("Every text a citizen reads has a contrast of at least 4.5 to 1 with what it is drawn on") {
    // The ratio itself: black on white is 21, a colour on itself 1.
    CHECK(contrast_ratio(IM_COL32(0, 0, 0, 0xFF), IM_COL32(0xFF, 0xFF, 0xFF, 0xFF)) == Approx(21.0));
    CHECK(contrast_ratio(colors::accent, colors::accent) == Approx(1.0));
    const ImU32 white = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);
    struct Pair {
        const char* what;
        ImU32 text, under;
    };
    for (const Pair& p :
         {Pair{"body text on a card", colors::text, colors::card},
          Pair{"body text on the background", colors::text, colors::background},
          Pair{"muted text on a card", colors::muted, colors::card},
          Pair{"muted text on the background", colors::muted, colors::background},
          Pair{"accent text on a card", colors::accent, colors::card},
          Pair{"warning text on a card", colors::warn, colors::card},
          Pair{"a primary button's label", white, colors::accent}, Pair{"the header's title", white, colors::header},
          Pair{"a disabled button's label (提交评价 before a reason)", colors::disabled_text, colors::disabled_fill}}) {
        INFO(p.what << ": " << contrast_ratio(p.text, p.under));
        CHECK(contrast_ratio(p.text, p.under) >= 4.5);
    }
}
