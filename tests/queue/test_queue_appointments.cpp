// 预约: appointments the business system books and the ticket station checks
// in. A code gives one ticket, ever (also after a restart); codes nobody booked, cancelled ones
// and those of another day are refused in plain Chinese; a refusal of the queue (hours, cap)
// leaves the appointment booked; hostile codes never reach SQL as anything but a bound value.
#include <catch2/catch.hpp>

#include "queue_fixture.hpp"

using namespace hcp;
using test::QueueHall;

TEST_CASE("Appointments: a booked code checks in once, in its category and on its day", "[queue][appointments]") {
    QueueHall hall;
    auto& q = hall.q();
    auto booked = q.book_appointment("a20261008", "BDC", "2026-10-08");
    REQUIRE(booked);
    CHECK(booked.value().code == "A20261008");  // stored upper case: scanners and people differ
    CHECK(booked.value().state == Appointment::State::booked);

    hall.take("BDC");  // B001 before it
    auto t = q.check_in("A20261008");
    REQUIRE(t);
    CHECK(t.value().ticket.number == "B002");
    CHECK(t.value().ticket.category == "BDC");
    CHECK_FALSE(t.value().ticket.priority);
    CHECK(t.value().estimate.people_ahead == 1);
    auto a = q.appointment("a20261008");
    REQUIRE(a);
    CHECK(a->state == Appointment::State::checked_in);
    CHECK(a->ticket_number == "B002");
    CHECK(a->checked_in_at == hall.now());

    // Again within 2 minutes (a station whose reply timed out), after a restart: the same
    // ticket, no second number.
    hall.reopen();
    hall.advance(std::chrono::seconds(90));
    auto retry = hall.q().check_in("a20261008");
    REQUIRE(retry);
    CHECK(retry.value().ticket.number == "B002");
    CHECK(hall.order("BDC") == std::vector<std::string>{"B001", "B002"});
    // Later: refused, naming the ticket it already gave.
    hall.advance(std::chrono::seconds(60));
    auto again = hall.q().check_in("A20261008");
    REQUIRE_FALSE(again);
    CHECK(again.error().cause == QueueErrc::appointment_used);
    CHECK(again.error().message_zh.find("B002") != std::string::npos);
    CHECK(hall.order("BDC") == std::vector<std::string>{"B001", "B002"});
    // It cannot be rebooked or cancelled after check-in.
    CHECK(hall.q().book_appointment("A20261008", "HJ", "2026-10-09").error().cause == QueueErrc::appointment_used);
    CHECK(hall.q().cancel_appointment("A20261008").error().cause == QueueErrc::appointment_used);
}

TEST_CASE("Appointments: unknown, cancelled and other-day codes are refused and take no number",
          "[queue][appointments]") {
    QueueHall hall;
    auto& q = hall.q();
    REQUIRE(q.book_appointment("TOMORROW1", "SBYB", "2026-10-09"));
    REQUIRE(q.book_appointment("CANCEL01", "SBYB", "2026-10-08"));
    REQUIRE(q.cancel_appointment("cancel01"));
    REQUIRE(q.book_appointment("PRIO0001", "HJ", "2026-10-08", true));

    auto unknown = q.check_in("NOSUCH01");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().cause == QueueErrc::unknown_appointment);
    CHECK(unknown.error().message_zh.find("NOSUCH01") != std::string::npos);
    CHECK(q.check_in("CANCEL01").error().cause == QueueErrc::unknown_appointment);
    auto tomorrow = q.check_in("TOMORROW1");
    REQUIRE_FALSE(tomorrow);
    CHECK(tomorrow.error().cause == QueueErrc::appointment_other_day);
    CHECK(tomorrow.error().message_zh.find("2026-10-09") != std::string::npos);
    // None of them took a number: the next SBYB ticket is still A001.
    CHECK(hall.take("SBYB") == "A001");
    // A priority appointment goes the 绿色通道 way, in its own category.
    auto prio = q.check_in("PRIO0001");
    REQUIRE(prio);
    CHECK(prio.value().ticket.priority);
    CHECK(prio.value().ticket.number == "C001");
    // The next day the other one works.
    hall.set("2026-10-09T09:00:00+08:00");
    auto next_day = q.check_in("TOMORROW1");
    REQUIRE(next_day);
    CHECK(next_day.value().ticket.business_day == "2026-10-09");
}

TEST_CASE("Appointments: hours and the daily cap refuse the check-in and keep the appointment",
          "[queue][appointments]") {
    QueueHall hall(test::small_hall_setup(), "2026-10-08T08:00:00+08:00");  // before 08:30
    auto& q = hall.q();
    REQUIRE(q.book_appointment("EARLY001", "BDC", "2026-10-08"));
    auto early = q.check_in("EARLY001");
    REQUIRE_FALSE(early);
    CHECK(early.error().cause == QueueErrc::category_closed);
    CHECK(q.appointment("EARLY001")->state == Appointment::State::booked);
    hall.set("2026-10-08T09:00:00+08:00");
    for (int i = 0; i < 5; ++i) hall.take("BDC");  // BDC's cap is 5
    auto full = q.check_in("EARLY001");
    REQUIRE_FALSE(full);
    CHECK(full.error().cause == QueueErrc::daily_cap_reached);
    CHECK(q.appointment("EARLY001")->state == Appointment::State::booked);
}

TEST_CASE("Appointments: hostile codes, categories and days are refused before anything is stored",
          "[queue][appointments]") {
    QueueHall hall;
    auto& q = hall.q();
    for (const char* code : {"", "AB1", "A2026'; DROP TABLE tickets; --", "预约一二三四", "A 1234", "A-1234",
                             "123456789012345678901234567890123"}) {
        INFO(code);
        auto b = q.book_appointment(code, "SBYB", "2026-10-08");
        REQUIRE_FALSE(b);
        CHECK(b.error().cause == QueueErrc::invalid_field);
        auto c = q.check_in(code);
        REQUIRE_FALSE(c);
        CHECK(c.error().cause == QueueErrc::invalid_field);
        CHECK_FALSE(c.error().message_zh.empty());
    }
    CHECK(q.book_appointment("GOOD0001", "NOPE", "2026-10-08").error().cause == QueueErrc::unknown_category);
    for (const char* day : {"2026-10-07", "2026-13-01", "tomorrow", "", "2026-02-30"}) {
        INFO(day);
        auto b = q.book_appointment("GOOD0001", "SBYB", day);
        REQUIRE_FALSE(b);
        CHECK(b.error().field == "day");
    }
    CHECK_FALSE(q.appointment("GOOD0001"));
    CHECK(hall.take("SBYB") == "A001");
    // Rebooking a booked code moves it (the business system changed the appointment).
    REQUIRE(q.book_appointment("GOOD0001", "SBYB", "2026-10-09"));
    REQUIRE(q.book_appointment("GOOD0001", "HJ", "2026-10-08"));
    auto t = q.check_in("GOOD0001");
    REQUIRE(t);
    CHECK(t.value().ticket.category == "HJ");
}
