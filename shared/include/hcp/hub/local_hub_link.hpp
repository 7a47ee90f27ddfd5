#pragma once
// HubLink for a terminal in the same process as the hub (the township default: every role in
// one process). submit() commits in the hub's store before returning; events come from the
// hub's bus on a subscription thread.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "hcp/hub/event_bus.hpp"
#include "hcp/hub/hub.hpp"
#include "hcp/hub/hub_link.hpp"

namespace hcp {

class LocalHubLink : public HubLink {
public:
    // The hub must outlive the link.
    explicit LocalHubLink(Hub& hub);
    ~LocalHubLink() override;

    // Requests already open on `window` (a terminal restarted mid-case) are delivered before
    // subscribe() returns, on the calling thread; new events follow on the subscription thread.
    // The callback must therefore only post to a queue (as hub_link.hpp asks anyway).
    void subscribe(int window, std::function<void(const TerminalEvent&)> on_event) override;
    void unsubscribe() override;
    // Only cases open on the subscribed window are accepted (DESIGN §5.7); without a
    // subscription, the draft's cases must be open on their own window.
    Result<SubmitResult, SubmitFailure> submit(const RatingDraft& draft) override;
    void record_not_rated(const std::string& case_no, int window) override;
    HubStatus status() const override;
    const OptionCatalog& catalog() const override;

private:
    Hub& m_hub;
    mutable std::mutex m_mutex;
    std::optional<int> m_window;
    EventBus::Subscription m_subscription;
};

// Maps a bus event to what a terminal sees; nullopt for events terminals ignore.
std::optional<TerminalEvent> to_terminal_event(const HubEvent& e);
// Maps a hub refusal to the terminal's failure (with the Chinese message for the screen).
SubmitFailure to_submit_failure(const HubFailure& f);

}  // namespace hcp
