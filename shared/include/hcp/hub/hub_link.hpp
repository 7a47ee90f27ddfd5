#pragma once
// What a rating terminal (window 评价器 or self-service screen) needs from the hub, whether the
// hub runs in the same process (the township default) or on another host (HTTP + SSE).
//
// Contract:
// - subscribe() delivers events for the terminal's window on a background thread; the UI posts
//   them to its main-thread queue and never touches ImGui from the callback.
// - submit() returns only after the rating is durable: committed in the hub's store, or — when
//   the hub is unreachable — committed in the terminal's own outbox for later forwarding
//   (SubmitOutcome::stored_locally). "Thank you" is shown only after submit() returned ok.
// - Nothing here lets a terminal delete or change a rating, or learn another terminal's level.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hcp/base/error.hpp"
#include "hcp/domain/catalog.hpp"
#include "hcp/domain/domain.hpp"
#include "hcp/domain/rules.hpp"

namespace hcp {

// A case that a terminal should now offer for rating.
struct RatingRequest {
    std::vector<Case> cases;  // one case, a batch, or the linked cases of a theme
    Stage stage = Stage::completed;
    RatingTarget target = RatingTarget::both;  // what this terminal may rate (rules.hpp allowed_target)
    Channel channel = Channel::window_rater;
    int window = 0;
    bool theme = false;           // cases are linked items of one theme (overall or per item)
    std::string opened_event_id;  // for logs and latency figures
};

struct TerminalEvent {
    enum class Kind {
        rating_requested,  // a case was completed/accepted at this window: open the rating screen
        rating_cancelled,  // the request was withdrawn (staff reopened the case, transferred …)
        hub_online,        // the link to the hub is up again
        hub_offline,       // the link to the hub is down; ratings are stored locally
    };
    Kind kind = Kind::rating_requested;
    std::optional<RatingRequest> request;  // for rating_requested
    std::string case_no;                   // for rating_cancelled
};

enum class SubmitOutcome {
    stored,          // committed in the hub's store
    stored_locally,  // hub unreachable: committed in this terminal's outbox, forwarded later
};

enum class SubmitFailureCause {
    rule_violation,    // `violation` says which (already rated, 差评 without reason …)
    disk_nearly_full,  // below the storage reserve; nothing stored
    storage_error,     // nothing stored
};

struct SubmitFailure {
    SubmitFailureCause cause = SubmitFailureCause::storage_error;
    std::optional<RuleViolation> violation;
    std::string message_zh;  // plain Chinese for the screen, says what to do
    std::string detail;      // for logs, no personal data
};

struct SubmitResult {
    SubmitOutcome outcome = SubmitOutcome::stored;
    std::string rating_id;
    long long seq = 0;
};

struct HubStatus {
    bool online = true;
    long long pending_forward = 0;  // ratings waiting in this terminal's outbox
    std::string last_error;
};

class HubLink {
public:
    virtual ~HubLink() = default;

    // Starts delivering events for `window` (0 = self-service terminal `device_id`). The callback
    // runs on a background thread. Calling again replaces the callback.
    virtual void subscribe(int window, std::function<void(const TerminalEvent&)> on_event) = 0;
    // Stops event delivery; after it returns the callback is not running and will not run again.
    virtual void unsubscribe() = 0;

    virtual Result<SubmitResult, SubmitFailure> submit(const RatingDraft& draft) = 0;
    // The terminal timed out: the case is recorded as not rated on this terminal (the citizen
    // can still rate by the receipt QR). Never a rating.
    virtual void record_not_rated(const std::string& case_no, int window) = 0;

    virtual HubStatus status() const = 0;
    // The catalog the hub rates with (the terminal shows exactly these options).
    virtual const OptionCatalog& catalog() const = 0;
};

}  // namespace hcp
