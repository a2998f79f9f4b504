#include "server/common/process.h"

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <stdexcept>

namespace chat {
namespace {

TEST(OpenFilesLimit, IsRaisedToTheHardLimit) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  rlimit lowered = before;
  lowered.rlim_cur = std::min<rlim_t>(before.rlim_max, 256);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  EXPECT_EQ(raise_open_files_limit(), before.rlim_max);
  rlimit after{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_max);
}

TEST(IoThreads, AThrowingHandlerDoesNotStopTheOthers) {
  boost::asio::io_context io;
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; ++i) {
    boost::asio::post(io, [&ran, i] {
      ++ran;
      if (i % 3 == 0) throw std::runtime_error("bad input " + std::to_string(i));
    });
  }
  run_io_threads(io, 2, "test");  // returns once the work is done
  EXPECT_EQ(ran.load(), 10);
}

}  // namespace
}  // namespace chat
