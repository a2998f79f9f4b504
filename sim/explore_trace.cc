#include "sim/explore_trace.h"

#include <sstream>

namespace sim::explore {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string entry(const core::DirectoryEntry& e) { return e.server_id + "@" + e.host; }

std::string status(const core::StatusResult& result) {
  return std::visit(Overloaded{
                        [](const sched::StatusReport& report) {
                          std::ostringstream out;
                          out << (report.draining ? "draining" : "up") << " reserved "
                              << report.reserved << " rooms {";
                          for (const auto& room : report.rooms) {
                            out << " " << room.room_id << ":" << room.users;
                          }
                          out << " }";
                          return out.str();
                        },
                        [](const core::NoStatusEndpoint&) { return std::string("no endpoint"); },
                        [](const core::NotHeard& not_heard) {
                          return "not heard (" + not_heard.why +
                                 (not_heard.process_gone ? ", gone)" : ")");
                        },
                    },
                    result);
}

std::string reply(const core::Reply& reply) {
  auto found = Overloaded{
      [](const core::RoomAt& at) { return "RoomAt " + at.host; },
      [](const core::RoomUnknown&) { return std::string("RoomUnknown"); },
      [](const core::NoServerNow& wait) { return "NoServerNow: " + wait.reason; },
      [](const core::PlacementFailed& failed) { return "PlacementFailed: " + failed.reason; },
      [](const core::RoomCreated& created) { return "RoomCreated " + created.room_id; },
      [](const core::TooManyUnjoinedRooms& many) {
        return "TooManyUnjoinedRooms " + std::to_string(many.held);
      },
      [](const core::DrainStarted& started) { return "DrainStarted " + started.server_id; },
      [](const core::DrainRefused& refused) { return "DrainRefused: " + refused.reason; },
  };
  return std::visit([&](const auto& result) { return std::visit(found, result); }, reply);
}

std::string outcome(const core::ReserveOutcome& outcome) {
  return std::visit(Overloaded{
                        [](const core::Reserved&) { return std::string("reserved"); },
                        [](const core::NoReservations&) { return std::string("unsupported"); },
                        [](const core::ReservationRefused& r) { return "refused: " + r.reason; },
                        [](const core::ReservationFailed& f) { return "failed: " + f.why; },
                    },
                    outcome);
}

std::string request(core::RequestId id) { return " #" + std::to_string(id); }

}  // namespace

std::string trace_line(const core::Event& event) {
  return std::visit(
      Overloaded{
          [](const core::CreateRoom& e) {
            return "CreateRoom" + request(e.request) + " " + e.creator;
          },
          [](const core::FindRoom& e) {
            return "FindRoom" + request(e.request) + " " + e.room_id +
                   (e.unreachable_host ? " unreachable " + *e.unreachable_host : "");
          },
          [](const core::DrainServer& e) {
            return "DrainServer" + request(e.request) + " " + e.server_id;
          },
          [](const core::Stop&) { return std::string("Stop"); },
          [](const core::Tick&) { return std::string("Tick"); },
          [](const core::PollRound&) { return std::string("PollRound"); },
          [](const core::WakeUp& e) { return "WakeUp" + request(e.request); },
          [](const core::Polled& e) { return "Polled " + e.server_id + " " + status(e.result); },
          [](const core::Probed& e) { return "Probed " + e.server_id + " " + status(e.result); },
          [](const core::ReservationAnswered& e) {
            return "ReservationAnswered" + request(e.request) + " " + outcome(e.outcome);
          },
          [](const core::DirectoryRead& e) {
            return "DirectoryRead" + request(e.request) + " " +
                   std::visit(
                       Overloaded{
                           [](const core::DirectoryEntry& x) { return entry(x); },
                           [](const core::DirectoryAbsent&) { return std::string("absent"); },
                           [](const core::DirectoryDown& d) { return "down: " + d.why; },
                       },
                       e.result);
          },
          [](const core::DirectoryPlaced& e) {
            return "DirectoryPlaced" + request(e.request) +
                   (e.written ? " written" : " not written");
          },
          [](const core::DirectoryMoved& e) {
            return "DirectoryMoved" + request(e.request) +
                   (e.elsewhere ? " elsewhere " + entry(*e.elsewhere) : " done");
          },
          [](const core::MembersRead& e) {
            if (!e.members) return std::string("MembersRead (no answer)");
            std::string listed = "MembersRead {";
            for (const auto& m : *e.members) listed += " " + m.id;
            return listed + " }";
          },
          [](const core::AdoptionFailed& e) { return "AdoptionFailed " + e.server_id; },
          [](const core::LeaseGained& e) {
            return "LeaseGained " + std::to_string(e.fencing_token);
          },
          [](const core::LeaseLost&) { return std::string("LeaseLost"); },
          [](const core::LeaseSeen& e) {
            return "LeaseSeen " + e.holder + " " + std::to_string(e.fencing_token);
          },
          [](const core::ShortageSeen& e) { return "ShortageSeen " + e.replica; },
          [](const core::ServerStarted& e) {
            return "ServerStarted " + e.server.id + " " + e.server.host;
          },
          [](const core::ServerStartFailed& e) { return "ServerStartFailed " + e.server_id; },
          [](const core::DrainConfirmed& e) {
            return "DrainConfirmed " + e.server_id + " " + std::to_string(e.rooms.size()) +
                   " rooms";
          },
          [](const core::DrainFailed& e) { return "DrainFailed " + e.server_id + ": " + e.why; },
      },
      event);
}

std::string trace_line(const core::Effect& effect) {
  return std::visit(
      Overloaded{
          [](const core::Answer& e) {
            return "Answer" + request(e.request) + " " + reply(e.reply);
          },
          [](const core::WakeAt& e) {
            return "WakeAt" + request(e.request) + " " + std::to_string(e.at.count());
          },
          [](const core::StartServer& e) { return "StartServer " + e.server_id; },
          [](const core::StopServer& e) { return "StopServer " + e.server_id; },
          [](const core::AdoptServer& e) { return "AdoptServer " + e.server.id; },
          [](const core::Poll& e) { return "Poll " + e.server_id; },
          [](const core::Probe& e) { return "Probe " + e.server_id; },
          [](const core::Reserve& e) {
            return "Reserve" + request(e.request) + " " + e.room_id + " at " + e.admin_host;
          },
          [](const core::DrainSession& e) { return "DrainSession " + e.server_id; },
          [](const core::ReadDirectory& e) {
            return "ReadDirectory" + request(e.request) + " " + e.room_id;
          },
          [](const core::PlaceInDirectory& e) {
            return "PlaceInDirectory" + request(e.request) + " " + e.room_id + " " +
                   entry(e.entry) + " ttl " + std::to_string(e.ttl.count());
          },
          [](const core::MoveInDirectory& e) {
            return "MoveInDirectory" + request(e.request) + " " + e.room_id + " from " + e.from +
                   " to " + entry(e.to);
          },
          [](const core::FreeInDirectory& e) {
            return "FreeInDirectory " + e.room_id + " " + e.server_id;
          },
          [](const core::ReadMembers&) { return std::string("ReadMembers"); },
          [](const core::AddMember& e) {
            return "AddMember " + e.member.id + " token " + std::to_string(e.fencing_token);
          },
          [](const core::RemoveMember& e) {
            return "RemoveMember " + e.server_id + " token " + std::to_string(e.fencing_token);
          },
          [](const core::ReportShortage&) { return std::string("ReportShortage"); },
          [](const core::ReadShortage&) { return std::string("ReadShortage"); },
          [](const core::ReleaseLease&) { return std::string("ReleaseLease"); },
          [](const core::Log& e) { return "Log " + e.text; },
          [](const core::Count&) { return std::string("Count"); },
      },
      effect);
}

}  // namespace sim::explore
