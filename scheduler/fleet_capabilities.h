// What a kind of fleet can do, as typed capabilities: the control plane
// (control/) decides by these, never by a fleet's display name.
#pragma once

namespace sched {

struct FleetCapabilities {
  bool can_start = false;  // servers are started on demand (local, engines)
  bool can_stop = false;
  // A host that stops answering is restarted on its own address (a static
  // host under systemd, a deploy): never taken as gone by a failover probe,
  // only counted as a failed poll, so it is back as soon as it answers.
  bool restarts_in_place = false;
  // The lease holder lists the fleet's servers in the shared store and the
  // other replicas follow that list; false: every replica has them from its
  // own settings (a static list).
  bool members_shared = false;
  // A listed server that cannot be adopted has exited: its process ran on
  // this machine (local), so adoption failing is proof.
  bool failed_adoption_means_exited = false;
};

}  // namespace sched
