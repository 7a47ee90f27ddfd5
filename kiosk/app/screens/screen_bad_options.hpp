#pragma once
#include "screens/screen.hpp"

namespace hcp {
class OptionCatalog;
}

namespace hcp::ui {

class Journey;

// 差评 reasons (shown after 不满意 / 非常不满意): the catalog's options grouped by dimension,
// multi-select, and a free-text field for 其他. Submit stays disabled until an option is
// chosen or text entered, and the screen says why.
class BadOptionsScreen final : public Screen {
public:
    BadOptionsScreen(Journey& journey, const hcp::OptionCatalog& catalog) : m_journey(journey), m_catalog(catalog) {}
    void draw(Ui& ui) override;

private:
    Journey& m_journey;
    const hcp::OptionCatalog& m_catalog;
};

}  // namespace hcp::ui
