#pragma once
// Internal: the JSON shapes of the hall API, shared by the server and RemoteHubLink so both
// ends agree. Applicant data is never written (events and case replies carry masked values).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "hcp/hub/event_bus.hpp"
#include "hcp/hub/hub.hpp"
#include "hcp/queue/queue.hpp"

namespace hcp::api {

using json = nlohmann::json;

json case_json(const Case& c, bool with_masked_applicant);
std::optional<Case> case_from_json(const json& j);  // terminal side: no applicant

json request_json(const RatingRequest& r);
std::optional<RatingRequest> request_from_json(const json& j);

// SSE payload of an event; never the level. queue_called carries "call" {number, category,
// window, window_name, action}.
json event_json(const HubEvent& e);

json draft_json(const RatingDraft& d);
// Parses a draft strictly; on failure returns nullopt and fills `field`/`why`.
std::optional<RatingDraft> draft_from_json(const json& j, std::string& field, std::string& why);

json rating_json(const Rating& r);  // full record, for forwarding between devices of a hall
std::optional<Rating> rating_from_json(const json& j, std::string& why);

// The queue as GET /api/v1/queue and POST /api/v1/tickets answer it (written in
// hall_api_queue.cpp), read back by a display or ticket station on another host. Strict on
// what a screen needs (numbers, names, counts), lenient on the rest; nullopt when the shape is
// not the hub's.
std::optional<QueueSnapshot> snapshot_from_json(const json& j);
std::optional<QueueTicket> ticket_from_json(const json& j);
std::optional<WaitEstimate> estimate_from_json(const json& j);

json error_json(std::string_view code, std::string_view message, std::string_view detail = {});

}  // namespace hcp::api
