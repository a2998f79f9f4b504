#include "server/session/room_drain.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>

namespace chat {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// One drain's state, owned by its pending timer handler.
struct Drain : std::enable_shared_from_this<Drain> {
  Drain(net::any_io_executor executor, std::shared_ptr<SessionHub> hub, CloseReason reason,
        DrainDeadlines deadlines, std::function<void(DrainOutcome)> done)
      : timer(executor),
        hub(std::move(hub)),
        reason(reason),
        deadlines(deadlines),
        done(std::move(done)) {}

  void start() {
    hub->start_draining();
    hub->rooms().stop_accepting();
    outcome.rooms = hub->rooms().room_ids();
    wait_for_appends(Clock::now() + deadlines.appends);
  }

  // Polled: appends are answered on the log's strand, and a few milliseconds
  // of polling is nothing next to a drain.
  void wait_for_appends(Clock::time_point deadline) {
    std::size_t in_flight = hub->rooms().appends_in_flight();
    if (in_flight == 0 || Clock::now() >= deadline) {
      outcome.appends_abandoned = in_flight;
      hub->close_all(reason);
      return wait_for_closes(Clock::now() + deadlines.closes);
    }
    after([self = shared_from_this(), deadline] { self->wait_for_appends(deadline); });
  }

  void wait_for_closes(Clock::time_point deadline) {
    std::size_t open = hub->session_count();
    if (open == 0 || Clock::now() >= deadline) {
      outcome.connections_left = open;
      outcome.unstored = hub->rooms().unstored_total();
      return done(std::move(outcome));
    }
    after([self = shared_from_this(), deadline] { self->wait_for_closes(deadline); });
  }

  template <class Next>
  void after(Next next) {
    timer.expires_after(std::chrono::milliseconds(20));
    timer.async_wait([next = std::move(next)](boost::system::error_code ec) {
      if (!ec) next();
    });
  }

  net::steady_timer timer;
  std::shared_ptr<SessionHub> hub;
  CloseReason reason;
  DrainDeadlines deadlines;
  std::function<void(DrainOutcome)> done;
  DrainOutcome outcome;
};

}  // namespace

void drain_rooms(net::any_io_executor executor, std::shared_ptr<SessionHub> hub,
                 CloseReason reason, DrainDeadlines deadlines,
                 std::function<void(DrainOutcome)> done) {
  auto drain = std::make_shared<Drain>(executor, std::move(hub), reason, deadlines,
                                       std::move(done));
  net::dispatch(executor, [drain] { drain->start(); });
}

}  // namespace chat
