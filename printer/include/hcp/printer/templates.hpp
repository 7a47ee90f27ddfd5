#pragma once
// The queue ticket, the 办件回执 and the installer's self-test page, each laid out for the
// profile's paper width (58 mm / 384 dots or 80 mm / 576 dots). Callers pass display-ready,
// already masked text: templates never see personal data.
#include <string>

#include "hcp/printer/document.hpp"
#include "hcp/printer/profile.hpp"

namespace hcp::printer {

struct TicketData {
    std::string hall_name;
    std::string ticket_number;  // e.g. A012
    std::string category_name;  // 业务类别
    int people_ahead = 0;
    int eta_minutes = -1;   // < 0: not shown
    std::string time_text;  // e.g. 2026-11-22 09:15
    std::string tip = "请留意叫号，过号请重新取号";
    std::string qr_url;  // empty: no QR
    std::string short_code;
};

struct ReceiptData {
    std::string hall_name;
    std::string case_no;      // 办件编号
    std::string item_name;    // 事项
    std::string window_name;  // e.g. 8号窗口
    std::string staff_name;
    std::string staff_number;  // 工号
    std::string time_text;
    std::string stage_text = "办结";
    std::string qr_url;
    std::string short_code;
    std::string valid_until;  // e.g. 2026-12-22 (shown as 有效期至 …)
};

// Module size 0 picks the default for the paper (6 on 58 mm, 8 on 80 mm, smaller if needed).
Document ticket_document(const TicketData& d, const Profile& p, int qr_module = 0);
Document receipt_document(const ReceiptData& d, const Profile& p, int qr_module = 0);
// Width ruler, Chinese sample with rare characters, QR at 4/6/8 dots, cut marker.
Document selftest_document(const Profile& p);
inline constexpr const char* kSelftestUrl = "HTTPS://HCP.EXAMPLE.GOV.CN/T/SELFTEST";

}  // namespace hcp::printer
