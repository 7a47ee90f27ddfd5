#pragma once
// Pieces shared by the ticket station's screens: the category button (name, waiting count and
// estimated wait), the 绿色通道 switch and the big key grid of the code and PIN keypads.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <imgui.h>

#include "hcp/domain/domain.hpp"
#include "hcp/queue/queue.hpp"

namespace hcp::ui {

class Ui;
class Fonts;
class TicketStation;

// Lays out `categories` in a grid filling `height` and takes a ticket on a tap.
// The estimated wait in the screen's language ("约 12 分钟" / "about 12 min"; no wait while no
// window of the category is signed in: "待窗口开始办理后叫号"); the hub's wait_zh() is Chinese only.
std::string wait_text(const Ui& ui, const hcp::WaitEstimate& estimate);

void ticket_category_grid(Ui& ui, Fonts& fonts, TicketStation& station,
                          const std::vector<const hcp::ServiceCategory*>& categories, float height);
// The 绿色通道 switch across the screen; one tap turns it on or off.
void ticket_priority_switch(Ui& ui, Fonts& fonts, TicketStation& station);
// A row-major grid of keys `cols` wide, each key `key` sized; calls `on_key` with the label tapped.
void ticket_keys(Ui& ui, const std::vector<std::string>& keys, int cols, ImVec2 key,
                 const std::function<void(const std::string&)>& on_key);
// A field showing `text` (or `placeholder` muted) in the title font, `width` wide, centred.
void ticket_field(Ui& ui, Fonts& fonts, const std::string& text, const std::string& placeholder, float width);

}  // namespace hcp::ui
