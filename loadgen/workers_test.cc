#include "loadgen/workers.h"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

TEST(RoomSlice, EveryRoomInExactlyOneWorker) {
  for (int rooms : {2, 7, 100, 1000}) {
    for (int processes : {1, 2, 3, 6}) {
      if (processes > rooms) continue;
      int next = 0;
      for (int i = 0; i < processes; ++i) {
        auto slice = room_slice(rooms, processes, i);
        EXPECT_EQ(slice.first, next) << rooms << " rooms, " << processes << " processes";
        EXPECT_GE(slice.count, rooms / processes);
        EXPECT_LE(slice.count, rooms / processes + 1);
        next += slice.count;
      }
      EXPECT_EQ(next, rooms);
    }
  }
}

TEST(WorkerArguments, TheParentsFlagsWithTheWorkersOwnSlice) {
  Config config;
  config.rooms = 7;
  config.processes = 3;
  config.run_id = "abc123";
  config.metrics_port = 9100;
  std::vector<std::string> parent = {"loadgen",
                                     "--target",
                                     "http://127.0.0.1:8080",
                                     "--scenario=chat",
                                     "--rooms",
                                     "7",
                                     "--processes=3",
                                     "--compat",
                                     "--report",
                                     "/tmp/out.json",
                                     "--p99-ms-max",
                                     "50",
                                     "--fault-command",
                                     "--rooms 99",
                                     "--metrics-port",
                                     "9100",
                                     "--users",
                                     "100"};
  auto args = worker_arguments(parent, config, 2, "/tmp/w/worker-2.json");
  std::vector<std::string> expected = {
      "loadgen", "--target", "http://127.0.0.1:8080", "--scenario=chat", "--compat",
      // A value is never taken for a flag.
      "--fault-command", "--rooms 99", "--users", "100",
      // Rooms r5 and r6; one source address, 127.0.0.4.
      "--rooms", "2", "--room-first", "5", "--worker-index", "2", "--worker-count", "3", "--run-id",
      "abc123", "--source-addresses", "1", "--source-address-first", "4", "--report",
      "/tmp/w/worker-2.json", "--metrics-port", "9102"};
  EXPECT_EQ(args, expected);
}

TEST(WorkerArguments, SourceAddressesGivenAreEachWorkersOwn) {
  Config config;
  config.rooms = 10;
  config.processes = 2;
  config.source_addresses = 3;
  config.source_address_first = 10;
  auto args = worker_arguments({"loadgen", "--source-addresses", "3"}, config, 1, "r.json");
  auto at = std::find(args.begin(), args.end(), "--source-address-first");
  ASSERT_NE(at, args.end());
  EXPECT_EQ(*(at + 1), "13");  // worker 0 has .10 to .12
  EXPECT_EQ(std::count(args.begin(), args.end(), "--source-addresses"), 1);
}

}  // namespace
}  // namespace loadgen
