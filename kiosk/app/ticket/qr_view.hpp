#pragma once
// A QR code drawn on screen (the ticket's QR when it could not be printed): libqrencode's
// matrix, black modules on a white square with the 4-module quiet zone.
#include <string>
#include <vector>

#include <imgui.h>

namespace hcp::ui {

class QrView {
public:
    // An empty or unencodable `data` gives an empty view (size() == 0).
    explicit QrView(const std::string& data = {});
    int size() const noexcept { return m_size; }
    bool dark(int x, int y) const { return m_bits[static_cast<size_t>(y * m_size + x)]; }
    // Draws the code `side` pixels wide at `at` (screen coordinates) into the window.
    void draw(ImVec2 at, float side) const;

private:
    int m_size = 0;
    std::vector<bool> m_bits;
};

}  // namespace hcp::ui
