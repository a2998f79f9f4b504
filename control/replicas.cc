// Replicated backends: with a shared control store, any number of backends
// place rooms and answer look-ups; one at a time, the holder of the fleet
// lease, starts, stops and drains servers. What they share:
//
// - the room directory: each backend writes the rooms it places and moves
//   (moves by compare-and-set, so two backends moving one room agree), and
//   reads it for rooms its own table lacks; the holder also writes every
//   room a server reports with members, so the directory is rebuilt from
//   the servers after any loss, and frees the entries of rooms let go;
// - the fleet's members: the holder writes each server it starts or adopts
//   (fenced by its token), every backend registers the servers listed, and
//   a backend that takes the lease adopts them;
// - the shortage key: a replica without the lease that found no slot says
//   so, and the holder's next tick starts a server.
#include <set>

#include "control/control_core.h"

namespace core {

void ControlCore::on(const LeaseGained& event) {
  if (stopped_) return;
  lease_held_ = true;
  fencing_token_ = event.fencing_token;
  count(Counter::lease_acquisitions);
  confirmed_.clear();  // written again from the next reports: the directory is rebuilt
  members_read_in_flight_ = false;
  member_reads_before_lease_ = member_reads_asked_;
  members_read_under_lease_ = false;
  sync_members();  // adopt the previous holder's servers now, not at the next tick
}

void ControlCore::on(const LeaseLost&) {
  lease_held_ = false;
  confirmed_.clear();
}

void ControlCore::on(const LeaseSeen& event) {
  lease_holder_ = event.holder;
  if (!lease_held_) fencing_token_ = event.fencing_token;
}

void ControlCore::sync_members() {
  // A fleet whose servers every replica has from its own settings has
  // nothing to read.
  if (!options_.replicated || !options_.fleet.members_shared || members_read_in_flight_ ||
      stopped_) {
    return;
  }
  members_read_in_flight_ = true;
  ++member_reads_asked_;
  emit(ReadMembers{});
}

// With a shared list of members a server is listed first (no host yet:
// starting), under this holder's token, and asked of the fleet only once a
// read of the members shows the listing stands (confirm_starts). A holder
// that takes over then counts every server that may run against
// max_servers, and gives it up after start_timeout if nobody lists its host;
// a listing lost, or fenced off because the lease moved on, starts nothing.
// Listed only once up, a server whose starter lost the lease meanwhile would
// run unknown to every holder: never counted, never stopped.
void ControlCore::start_listed(const sched::ServerId& id) {
  if (!options_.replicated || !options_.fleet.members_shared) return emit(StartServer{id});
  starts_to_confirm_.insert(id);
  list_starting(id);
  sync_members();  // read back at once: one connection, so after the listing
}

void ControlCore::list_starting(const sched::ServerId& id) {
  emit(AddMember{{id, "", "", 0}, fencing_token_});
}

// Starts still to confirm that the members list: asked of the fleet now,
// under the lease. Those the table gave up on meanwhile are forgotten.
void ControlCore::confirm_starts(const std::set<sched::ServerId>& listed) {
  std::erase_if(starts_to_confirm_, [&](const sched::ServerId& id) {
    auto server = scheduler_.server(id);
    if (!server || server->state != sched::ServerState::starting) return true;
    if (!manages_fleet() || !listed.contains(id)) return false;
    emit(StartServer{id});
    return true;
  });
}

// A new holder starts no server before it has read the members under its
// lease: the previous holder's starts in flight are listed there, and would
// otherwise go uncounted.
bool ControlCore::fleet_read() const {
  if (!options_.replicated || !options_.fleet.members_shared) return true;
  return members_read_under_lease_;
}

void ControlCore::on(const MembersRead& event) {
  members_read_in_flight_ = false;
  // A read asked before the lease, answered after it, may predate the
  // previous holder's last listing: only one asked since counts.
  const bool asked_under_lease = ++member_reads_answered_ > member_reads_before_lease_;
  if (!event.members) store_unanswered();
  if (!event.members || stopped_) return;
  const bool holder = manages_fleet();
  if (holder && asked_under_lease) members_read_under_lease_ = true;
  std::set<sched::ServerId> listed;
  std::set<sched::ServerId> listed_starting;  // no host yet
  for (const auto& member : *event.members) {
    listed.insert(member.id);
    if (member.host.empty()) {
      // Asked of the fleet and not up yet: the holder counts it and gives it
      // up if it never comes up (the others would only wait on it).
      listed_starting.insert(member.id);
      if (holder) scheduler_.on_server_starting(member.id, now_);
      continue;
    }
    if (!scheduler_.key_of(member.id)) {
      members_[member.id] = member;
      scheduler_.on_server_started(member.id, member.host, now_);
    }
    // The holder takes in the previous holder's servers, so it can stop them.
    if (holder && member.pid > 0) emit(AdoptServer{member});
  }
  confirm_starts(listed);
  for (const auto& server : scheduler_.servers()) {
    if (server.state == sched::ServerState::starting) {
      // Ours, its listing lost (the store did not answer): listed again.
      if (holder && !listed.contains(server.id)) list_starting(server.id);
      continue;
    }
    if (listed.contains(server.id) && !listed_starting.contains(server.id)) continue;
    if (holder) {
      // Ours and not listed, or listed without its host (started before the
      // store answered, or adopted from a record): listed now, so the other
      // replicas place on it.
      if (server.state != sched::ServerState::gone && !server.host.empty()) {
        auto known = members_.find(server.id);
        const long long pid = known != members_.end() ? known->second.pid : 0;
        emit(AddMember{{server.id, server.host, admin_host(server), pid}, fencing_token_});
      }
    } else if (!listed.contains(server.id) && server.state != sched::ServerState::gone) {
      // The holder stopped it (idle, or drained): no more rooms go there.
      scheduler_.mark_gone(server.id, now_);
    }
  }
}

void ControlCore::on(const AdoptionFailed& event) {
  if (!options_.fleet.failed_adoption_means_exited || !manages_fleet()) return;
  log(LogLevel::warning, "session server " + event.server_id +
                             " is not running any more; taking it out of the fleet");
  emit(RemoveMember{event.server_id, fencing_token_});
  scheduler_.mark_gone(event.server_id, now_);
}

void ControlCore::publish_member(const Member& server) {
  if (!options_.replicated || !lease_held_ || !options_.fleet.members_shared) return;
  emit(AddMember{server, fencing_token_});
}

// The holder writes rooms its servers report with members, so the directory
// is rebuilt from the servers after any loss.
void ControlCore::confirm_reported(const sched::ServerId& id, const sched::StatusReport& report) {
  if (!options_.replicated || !manages_fleet()) return;
  std::optional<sched::ServerView> server;
  for (const auto& room : report.rooms) {
    if (room.users <= 0) continue;
    auto found = confirmed_.find(room.room_id);
    if (found != confirmed_.end() && found->second == id) continue;
    if (scheduler_.server_of(room.room_id) != id) continue;
    if (!server) server = scheduler_.server(id);
    if (!server || server->host.empty()) return;
    // No time to live: it has members; freed when the table lets it go.
    emit(PlaceInDirectory{kNoRequest, room.room_id, {id, server->host}, sched::Millis(0)});
    confirmed_[room.room_id] = id;
  }
}

// The holder frees the entries of rooms its table let go.
void ControlCore::free_confirmed() {
  if (!options_.replicated) return;
  if (!manages_fleet()) {
    confirmed_.clear();
    return;
  }
  std::erase_if(confirmed_, [this](const auto& entry) {
    auto now_on = scheduler_.server_of(entry.first);
    if (now_on == entry.second) return false;
    // Let go by the table (emptied, never joined, dropped): out of the
    // directory, unless another server has it there by now.
    if (!now_on) emit(FreeInDirectory{entry.first, entry.second});
    return true;
  });
}

// The store did not answer: the rooms confirmed to the directory lately
// (writes no answer comes back for) may be lost too. Forgotten, they are
// written again from the next reports; kept, a lost one would never be,
// and other backends would find the room unknown once its placement's
// time to live ran out.
void ControlCore::store_unanswered() { confirmed_.clear(); }

void ControlCore::report_shortage() {
  if (options_.replicated && !manages_fleet()) emit(ReportShortage{});
}

void ControlCore::on(const ShortageSeen& event) {
  if (stopped_ || !manages_fleet()) return;
  if (scheduler_.on_shortage(now_)) {
    log(LogLevel::info, "replica " + event.replica + " found every server full; starting one");
  }
}

}  // namespace core
