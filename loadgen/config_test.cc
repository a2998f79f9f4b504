#include "loadgen/config.h"
#include "loadgen/report.h"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

Config valid() {
  Config config;
  config.target_url = "http://127.0.0.1:8080";
  config.scenario = "chat";
  return config;
}

TEST(ParseTarget, Forms) {
  std::string error;
  auto plain = parse_target("http://example.com", &error);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->port, "80");
  EXPECT_EQ(plain->authority(), "example.com");
  auto tls = parse_target("https://chat.example.com:8443/", &error);
  ASSERT_TRUE(tls);
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->authority(), "chat.example.com:8443");
  auto v6 = parse_target("http://[::1]:8080", &error);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_FALSE(parse_target("ws://x", &error));
  EXPECT_FALSE(parse_target("http://x:99999", &error));
  EXPECT_FALSE(parse_target("http://x/api", &error));
  EXPECT_FALSE(parse_target("http://:80", &error));
}

TEST(Validate, AcceptsDefaultsAndPicksARunId) {
  auto config = valid();
  EXPECT_TRUE(validate(config).empty());
  EXPECT_EQ(config.run_id.size(), 6u);
  EXPECT_EQ(config.target.port, "8080");
}

TEST(Validate, TargetIsRequired) {
  auto config = valid();
  config.target_url.clear();
  auto problems = validate(config);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("--target is required"), std::string::npos);
}

TEST(Validate, NamesEveryProblem) {
  auto config = valid();
  config.scenario = "replay";  // without --trace
  config.rooms = 0;
  config.speed = 0;
  config.error_rate_max = 2;
  config.run_id = "Bad Id";
  EXPECT_EQ(validate(config).size(), 5u);
  config = valid();
  config.scenario = "soak";
  EXPECT_EQ(validate(config).size(), 1u);
}

TEST(MetricValue, SumsMatchingSeries) {
  std::string text =
      "# HELP chat_scheduler_servers Servers by state.\n"
      "chat_scheduler_servers{state=\"gone\"} 4\n"
      "chat_scheduler_servers{state=\"ready\"} 3\n"
      "chat_scheduler_servers{state=\"starting\"} 1\n"
      "chat_scheduler_servers_total 99\n"
      "chat_session_rooms 7 1700000000000\n";
  EXPECT_EQ(metric_value(text, "chat_scheduler_servers"), 8.0);
  EXPECT_EQ(metric_value(text, "chat_scheduler_servers{state=\"ready\"}"), 3.0);
  EXPECT_EQ(metric_value(text, "chat_session_rooms"), 7.0);
  EXPECT_FALSE(metric_value(text, "chat_scheduler_servers{state=\"x\"}"));
  EXPECT_FALSE(metric_value(text, "absent"));
}

TEST(Report, VerdictAndJson) {
  Report report;
  report.scenario = "chat";
  report.figure("bots", 10);
  report.check("ok", true, "");
  report.skip("not measurable", "why");
  EXPECT_TRUE(report.passed());
  EXPECT_NE(report.table().find("verdict: PASS"), std::string::npos);
  report.check("broken", false, "3 missing");
  EXPECT_FALSE(report.passed());
  auto json = report.to_json().as_object();
  EXPECT_FALSE(json.at("passed").as_bool());
  EXPECT_EQ(json.at("checks").as_array().size(), 3u);
  Report stopped;
  stopped.stopped_by = "interrupted (SIGINT)";
  EXPECT_FALSE(stopped.passed());
}

}  // namespace
}  // namespace loadgen
