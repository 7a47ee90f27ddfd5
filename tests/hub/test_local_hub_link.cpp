// LocalHubLink: the in-process link a township terminal uses.
#include <catch2/catch.hpp>

#include "hcp/hub/local_hub_link.hpp"
#include "hub_fixture.hpp"

using namespace hcp;

TEST_CASE("Local hub link: a completed case reaches the subscribed terminal as a rating request") {
    test::HubFixture f;
    LocalHubLink link(*f.hub);
    test::Inbox<TerminalEvent> inbox;
    link.subscribe(2, [&](const TerminalEvent& e) { inbox.push(e); });
    REQUIRE(f.hub->report_case(test::completed_report("C-1", 3)).ok());
    REQUIRE(f.hub->report_case(test::completed_report("C-2", 2)).ok());
    auto got = inbox.wait_for(1);
    REQUIRE(got.size() == 1);
    CHECK(got.front().kind == TerminalEvent::Kind::rating_requested);
    REQUIRE(got.front().request);
    CHECK(got.front().request->cases.front().case_no == "C-2");
    CHECK_FALSE(got.front().request->opened_event_id.empty());
    link.unsubscribe();
}

TEST_CASE("Local hub link: a request already open is delivered when the terminal subscribes") {
    test::HubFixture f;
    REQUIRE(f.hub->report_case(test::completed_report("C-1", 2)).ok());
    LocalHubLink link(*f.hub);
    test::Inbox<TerminalEvent> inbox;
    link.subscribe(2, [&](const TerminalEvent& e) { inbox.push(e); });
    auto got = inbox.wait_for(1);
    REQUIRE(got.size() == 1);
    CHECK(got.front().request->cases.front().case_no == "C-1");
}

TEST_CASE("Local hub link: submit returns after the hub stored the rating and refuses a second one") {
    test::HubFixture f;
    LocalHubLink link(*f.hub);
    link.subscribe(2, [](const TerminalEvent&) {});
    REQUIRE(f.hub->report_case(test::completed_report("C-1", 2)).ok());
    auto r = link.submit(test::good_draft("C-1"));
    REQUIRE(r.ok());
    CHECK(r.value().outcome == SubmitOutcome::stored);
    CHECK(f.hub->rating_count() == 1);
    auto again = link.submit(test::good_draft("C-1"));
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().cause == SubmitFailureCause::rule_violation);
    CHECK(again.error().violation == RuleViolation::already_rated);
    CHECK_FALSE(again.error().message_zh.empty());
    CHECK(link.status().online);
    CHECK(link.catalog().option_count() > 0);
}

TEST_CASE("Local hub link: a timed-out terminal records not rated and can no longer submit") {
    test::HubFixture f;
    LocalHubLink link(*f.hub);
    link.subscribe(2, [](const TerminalEvent&) {});
    REQUIRE(f.hub->report_case(test::completed_report("C-1", 2)).ok());
    link.record_not_rated("C-1", 2);
    auto r = link.submit(test::good_draft("C-1"));
    REQUIRE_FALSE(r.ok());
    CHECK(f.hub->rating_count() == 0);
}
