#include "ticket/qr_view.hpp"

#include <qrencode.h>

#include <memory>

namespace hcp::ui {

namespace {
struct QrDeleter {
    void operator()(QRcode* q) const { QRcode_free(q); }
};
}  // namespace

QrView::QrView(const std::string& data) {
    if (data.empty()) return;
    std::unique_ptr<QRcode, QrDeleter> q(QRcode_encodeString(data.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
    if (!q) return;
    m_size = q->width;
    m_bits.resize(static_cast<size_t>(m_size) * static_cast<size_t>(m_size));
    for (size_t i = 0; i < m_bits.size(); ++i) m_bits[i] = (q->data[i] & 1U) != 0;
}

void QrView::draw(ImVec2 at, float side) const {
    if (m_size == 0) return;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(at, ImVec2(at.x + side, at.y + side), IM_COL32(0xFF, 0xFF, 0xFF, 0xFF));
    const float m = side / static_cast<float>(m_size + 8);
    for (int y = 0; y < m_size; ++y) {
        for (int x = 0; x < m_size; ++x) {
            if (!dark(x, y)) continue;
            const ImVec2 a(at.x + (static_cast<float>(x) + 4.0F) * m, at.y + (static_cast<float>(y) + 4.0F) * m);
            dl->AddRectFilled(a, ImVec2(a.x + m, a.y + m), IM_COL32(0x00, 0x00, 0x00, 0xFF));
        }
    }
}

}  // namespace hcp::ui
