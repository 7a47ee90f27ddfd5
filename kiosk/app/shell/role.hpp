#pragma once
// The contract of a role: the rating journey (rating/), the ticket station (ticket/) or the hall
// display (display/). The shell (shell/app.hpp) owns the window, the event-driven loop, the fonts,
// the per-frame exception boundary and the script hooks; the one role the terminal shows owns
// its screens and the services behind them. Everything here runs on the main thread.
//
// Each loop turn the shell hands input to the role, runs the posted work, calls tick(), draws a
// few frames when version() moved, and otherwise blocks until next_deadline() (or the next
// minute, when redraw_each_minute()). A role that changes nothing keeps the terminal at zero
// frames.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shell/services.hpp"

union SDL_Event;

namespace hcp::ui {

class Fonts;
class MainQueue;
class Presentation;
class Ui;

using Clock = std::chrono::steady_clock;

// What a role is built with; the shell owns all of it and outlives the role.
struct RoleContext {
    const AppServices& services;
    MainQueue& queue;  // background threads post here; the shell drains it each loop turn
    Fonts& fonts;
    Presentation& presentation;
};

class Role {
public:
    // The destructor ends the role's subscriptions and workers, then runs what they posted to
    // the main queue while the role still exists.
    virtual ~Role() = default;

    // One frame inside the full-screen root window. May throw: the shell closes the frame and
    // calls back_to_start().
    virtual void draw(Ui& ui) = 0;
    // Timers fire and the screen shown follows the role's state (enter/leave).
    virtual void tick(Clock::time_point now) = 0;
    // Moves whenever what the screen shows changed; the shell then draws frames_per_change().
    virtual std::uint64_t version() const = 0;
    // Frames drawn when version() moved: a change of screen needs a few for ImGui to settle, as
    // after input; a role whose changes only replace text on the same layout needs one.
    virtual int frames_per_change() const { return 3; }
    // The next instant tick() has work to do; nullopt when none.
    virtual std::optional<Clock::time_point> next_deadline() const = 0;
    // True while the screen shows the wall clock's minute: the shell draws one frame a minute.
    virtual bool redraw_each_minute() const = 0;
    // Citizen input (pointer, touch, keys, text): the role notes the touch. Returns true when it
    // read the event itself and ImGui must not see it.
    virtual bool input(const SDL_Event& ev, Clock::time_point now) = 0;
    // Text typed by a script; true when the role read it itself (else it goes to ImGui).
    virtual bool typed(const std::string& utf8, Clock::time_point now) = 0;
    // A frame threw: back to the start screen, nothing thanked that was not stored.
    virtual void back_to_start() = 0;
    // A frame was presented (first-frame log lines the benches measure).
    virtual void presented() {}
    // A script command of this role: nullopt when `words` is none (the shell's hooks get it);
    // else the error message, empty on success.
    virtual std::optional<std::string> command(const std::vector<std::string>& /*words*/) { return std::nullopt; }
    // More " key=value" fields for the script's `report` line.
    virtual std::string report() const { return {}; }
};

}  // namespace hcp::ui
