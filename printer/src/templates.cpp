#include "hcp/printer/templates.hpp"

#include "hcp/base/error.hpp"
#include "hcp/base/utf8.hpp"

namespace hcp::printer {
namespace {

int pick_module(const std::string& data, const Profile& p, int requested) {
    if (requested != 0) return requested;
    const int modules = qr_modules_with_quiet_zone(data);
    for (int m = p.dots_per_line >= 576 ? 8 : 6; m >= 4; --m)
        if (modules * m <= p.dots_per_line * 3 / 4) return m;
    return 4;
}

void qr_with_code(Document& doc, const std::string& url, const std::string& code, const std::string& caption,
                  const Profile& p, int module) {
    if (url.empty()) return;
    doc.text(caption, Align::center, 1, true);
    // The short code beside the QR (below it when the paper is too narrow at this module size).
    std::vector<std::string> side;
    if (!code.empty()) side = {"短码", code};
    doc.qr(url, pick_module(url, p, module), side);
}

// Dots of one line of size-1 text, as the encoder counts them (ASCII half a cell).
int text_dots(std::string_view s) {
    int dots = 0;
    for (size_t i = 0; i < s.size();) dots += hcp::utf8::next(s, i) < 0x80 ? 12 : 24;
    return dots;
}

}  // namespace

Document ticket_document(const TicketData& d, const Profile& p, int qr_module) {
    const bool wide = p.dots_per_line >= 576;
    Document doc(p.dots_per_line);
    doc.feed(12);
    doc.text(d.hall_name, Align::center, wide ? 2 : 1, true);
    doc.rule(2).feed(8);
    doc.text(d.category_name, Align::center, 1, false);
    doc.text(d.ticket_number, Align::center, wide ? 4 : 3, true);
    doc.feed(8);
    std::string ahead = "前面还有 " + std::to_string(d.people_ahead) + " 人等候";
    doc.text(ahead, Align::center, 1, false);
    if (d.eta_minutes >= 0) doc.text("预计等候约 " + std::to_string(d.eta_minutes) + " 分钟", Align::center);
    doc.text("取号时间 " + d.time_text, Align::center);
    doc.feed(8).rule(1).feed(8);
    qr_with_code(doc, d.qr_url, d.short_code, "办事后扫码评价", p, qr_module);
    doc.text(d.tip, Align::center);
    doc.feed(8).cut();
    return doc;
}

Document receipt_document(const ReceiptData& d, const Profile& p, int qr_module) {
    const bool wide = p.dots_per_line >= 576;
    Document doc(p.dots_per_line);
    doc.feed(12);
    doc.text(d.hall_name, Align::center, wide ? 2 : 1, true);
    doc.text("办件回执", Align::center, 2, true);
    doc.rule(2).feed(8);
    doc.text("办件编号：" + d.case_no);
    doc.text("办理事项：" + d.item_name);
    doc.text("办理环节：" + d.stage_text);
    doc.text("办理窗口：" + d.window_name);
    // A 工号 split over two lines is misread: when name and number do not fit one line, the
    // number gets its own.
    const std::string staff = "经办人员：" + d.staff_name;
    const std::string with_number = staff + "（工号 " + d.staff_number + "）";
    if (text_dots(with_number) <= p.dots_per_line) {
        doc.text(with_number);
    } else {
        doc.text(staff);
        doc.text("工　　号：" + d.staff_number);
    }
    doc.text("办理时间：" + d.time_text);
    doc.feed(8).rule(1).feed(8);
    qr_with_code(doc, d.qr_url, d.short_code, "扫码评价 · 好差评", p, qr_module);
    if (!d.valid_until.empty())
        doc.text("二维码有效期至 " + d.valid_until + "，过期可凭办件编号在政务服务网评价", Align::center);
    doc.feed(8);
    doc.text("本回执不含个人信息；评价自愿，工作人员看不到您的评价内容。", Align::left);
    doc.feed(8).cut();
    return doc;
}

Document selftest_document(const Profile& p) {
    Document doc(p.dots_per_line);
    const int W = p.dots_per_line;
    doc.text("打印机自检 / PRINTER SELF-TEST", Align::center, 1, true);
    doc.text("型号配置：" + p.name + "（" + p.id + "）");
    doc.text("每行点数：" + std::to_string(W) + " 点");
    // Width ruler: a tick every 8 dots, long ticks every 48; the last dot column is marked so a
    // missing right edge shows the profile is too wide.
    ImageBlock ruler;
    ruler.width = W;
    ruler.height = 24;
    ruler.align = Align::left;
    const int row = (W + 7) / 8;
    ruler.bits.assign(static_cast<size_t>(row * ruler.height), 0);
    auto set = [&](int x, int y) {
        ruler.bits[static_cast<size_t>(y * row + x / 8)] |= static_cast<std::uint8_t>(0x80U >> (x % 8));
    };
    for (int x = 0; x < W; ++x) set(x, 23);
    for (int x = 0; x < W; x += 8)
        for (int y = (x % 48 == 0) ? 0 : 14; y < 23; ++y) set(x, y);
    for (int y = 0; y < 23; ++y) set(W - 1, y);
    doc.image(std::move(ruler));
    doc.text("0" + std::string(static_cast<size_t>(W / 12 - 4), ' ') + std::to_string(W));
    doc.rule(1);
    doc.text("中文样张：政务服务好差评 一次办好");
    doc.text("生僻字（应清晰，不得为问号）：镕 堃 喆 䶮 犇 淼");
    doc.text("ASCII: 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    doc.text("倍宽倍高", Align::center, 2, true);
    doc.rule(1);
    for (int m : {4, 6, 8}) {
        doc.text("二维码 模块 " + std::to_string(m) + " 点", Align::center);
        doc.qr(kSelftestUrl, m);
    }
    doc.text("↓ 切纸位置 ↓", Align::center, 1, true);
    doc.cut();
    return doc;
}

}  // namespace hcp::printer
