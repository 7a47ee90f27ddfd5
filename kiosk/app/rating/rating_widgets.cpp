#include "rating/rating_widgets.hpp"

#include "shell/ui_kit.hpp"

namespace hcp::ui {

void staff_line(Ui& ui, const hcp::Staff& staff) {
    ui.text(ui.tr("rating.staff"), false, colors::muted);
    ImGui::SameLine();
    ui.text(staff.name);
    ImGui::SameLine(0.0F, 2.0F * ui.em());
    ui.text(ui.tr("rating.staff_no"), false, colors::muted);
    ImGui::SameLine();
    ui.text(staff.number);
}

}  // namespace hcp::ui
