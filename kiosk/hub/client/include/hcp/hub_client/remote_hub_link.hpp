#pragma once
// HubLink for a terminal on another host than its hub (DESIGN §2): events over SSE with
// reconnect and replay by last id, ratings over POST /api/v1/ratings.
//
// Contracts:
// - When the hub cannot be reached (no answer, or a 5xx other than 507), submit() records the
//   rating in the terminal's own store (outbox target "hub") and returns stored_locally; a
//   forwarder thread posts it to the hub when it is back. The hub takes a forwarded rating
//   idempotently by rating id, and refuses it (409) when the case was rated meanwhile, so
//   nothing is lost and nothing is counted twice.
// - Cases of rating requests received from the hub are saved in the terminal's store so that
//   a rating can be checked and recorded locally while the hub is away.
// - Reachability: the subscriber gets hub_offline / hub_online whenever it changes, and the
//   first state known after subscribe() (the event stream connecting, or failing to) is always
//   reported, so a terminal started while its hub is down says so within a reconnect delay.
// - Threads: one SSE reader (while subscribed), one forwarder; both stop within about a
//   request timeout when the link is destroyed or unsubscribed. Callbacks run on the reader
//   thread and must not call submit() (post it elsewhere): a rating_requested callback runs
//   while the case's local copy is being written, so a submit it prompts finds the copy.
#include <chrono>
#include <memory>
#include <string>

#include "hcp/base/crypto.hpp"
#include "hcp/domain/catalog.hpp"
#include "hcp/hub/hub_link.hpp"
#include "hcp/store/store.hpp"

namespace hcp {

struct RemoteHubLinkOptions {
    std::string hub_url;  // "http://192.168.1.10:8787"
    std::string token;    // this device's bearer token (hall API config)
    StoreOptions store;   // the terminal's own store; outbox_target is forced to "hub"
    Hall hall;            // copied into locally recorded ratings
    OptionCatalog catalog;
    std::chrono::milliseconds request_timeout{3000};
    std::chrono::milliseconds sse_read_timeout{45000};  // > the hub's keep-alive interval
    std::chrono::milliseconds reconnect_delay{1000};
    std::chrono::milliseconds forward_interval{5000};  // retry period while the hub is away
};

class RemoteHubLink : public HubLink {
public:
    // Opens the terminal's store (throws hcp::Error like Store::open) and starts the forwarder.
    RemoteHubLink(RemoteHubLinkOptions options, const SecretKey& key);
    ~RemoteHubLink() override;
    RemoteHubLink(const RemoteHubLink&) = delete;
    RemoteHubLink& operator=(const RemoteHubLink&) = delete;

    void subscribe(int window, std::function<void(const TerminalEvent&)> on_event) override;
    void unsubscribe() override;
    Result<SubmitResult, SubmitFailure> submit(const RatingDraft& draft) override;
    void record_not_rated(const std::string& case_no, int window) override;
    HubStatus status() const override;
    const OptionCatalog& catalog() const override;

    // Wakes the forwarder now (it also wakes when the event stream reconnects).
    void forward_now();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace hcp
