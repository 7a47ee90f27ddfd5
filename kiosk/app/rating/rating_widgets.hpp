#pragma once
// Pieces shared by the rating screens.
#include "hcp/domain/domain.hpp"

namespace hcp::ui {

class Ui;

// The staff member on the service card: name and 工号 on one line, their labels muted.
void staff_line(Ui& ui, const hcp::Staff& staff);

}  // namespace hcp::ui
