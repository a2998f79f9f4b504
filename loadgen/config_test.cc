#include "loadgen/config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "loadgen/report.h"

namespace loadgen {
namespace {

Config valid() {
  Config config;
  config.target_url = "http://127.0.0.1:8080";
  config.scenario = "chat";
  return config;
}

// The problem validate() finds with --target, or "" when it takes it.
std::string target_problem(const std::string& url, network::Url* parsed = nullptr) {
  auto config = valid();
  config.target_url = url;
  auto problems = validate(config);
  if (parsed) *parsed = config.target;
  return problems.empty() ? std::string() : problems.front();
}

TEST(Validate, TargetForms) {
  network::Url url;
  EXPECT_EQ(target_problem("http://example.com", &url), "");
  EXPECT_FALSE(url.tls());
  EXPECT_EQ(url.endpoint.port, 80);
  EXPECT_EQ(url.authority(), "example.com");
  EXPECT_EQ(target_problem("https://chat.example.com:8443/", &url), "");
  EXPECT_TRUE(url.tls());
  EXPECT_EQ(url.authority(), "chat.example.com:8443");
  EXPECT_EQ(target_problem("http://[::1]:8080", &url), "");
  EXPECT_EQ(url.endpoint.host, "::1");
  EXPECT_EQ(url.endpoint.port, 8080);
}

TEST(Validate, TargetRefusalsSayWhy) {
  EXPECT_NE(target_problem("ws://x").find("http:// or https://"), std::string::npos);
  EXPECT_NE(target_problem("x:8080").find("http:// or https://"), std::string::npos);
  EXPECT_NE(target_problem("http://x:99999").find("1..65535"), std::string::npos);
  EXPECT_NE(target_problem("http://x/api").find("without a path"), std::string::npos);
  EXPECT_NE(target_problem("http://:80").find("no host"), std::string::npos);
}

TEST(Validate, AcceptsDefaultsAndPicksARunId) {
  auto config = valid();
  EXPECT_TRUE(validate(config).empty());
  EXPECT_EQ(config.run_id.size(), 6u);
  EXPECT_EQ(config.target.endpoint.port, 8080);
}

TEST(Validate, ProcessesOnlyWhereRoomsCanBeSplit) {
  auto config = valid();
  config.processes = 4;
  config.rooms = 8;
  EXPECT_TRUE(validate(config).empty());
  EXPECT_EQ(config.source_addresses_per_process(), 1);
  config.scenario = "limits";
  auto problems = validate(config);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("chat and failover only"), std::string::npos) << problems[0];
  config.scenario = "chat";
  config.rooms = 3;
  problems = validate(config);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("a room never spans two processes"), std::string::npos);
  config.rooms = 400;
  config.processes = 60;
  config.source_addresses = 8;  // 480 addresses from 127.0.0.2
  problems = validate(config);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("past 127.0.0.254"), std::string::npos) << problems[0];
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

TEST(Validate, ProtocolAndCompat) {
  auto config = valid();
  EXPECT_TRUE(validate(config).empty());
  EXPECT_EQ(config.protocol, "v2");
  EXPECT_TRUE(config.acks());
  config.compat = true;  // --compat is --protocol compat
  EXPECT_TRUE(validate(config).empty());
  EXPECT_EQ(config.protocol, "compat");
  EXPECT_FALSE(config.acks());
  config = valid();
  config.protocol = "v1";
  EXPECT_TRUE(validate(config).empty());
  EXPECT_FALSE(config.compat);
  config.compat = true;
  EXPECT_EQ(validate(config).size(), 1u);  // --compat with --protocol v1
  config = valid();
  config.protocol = "v3";
  EXPECT_EQ(validate(config).size(), 1u);
}

TEST(Validate, FailoverNeedsAFaultCommandV2AndAFaultWithinTheRun) {
  auto config = valid();
  config.scenario = "failover";
  config.duration_s = 20;
  config.fault_at_s = 5;
  auto problems = validate(config);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("--fault-command"), std::string::npos);
  config.fault_command = "true";
  EXPECT_TRUE(validate(config).empty());
  config.protocol = "v1";
  config.fault_at_s = 20;
  config.failover_goal_s = 0;
  EXPECT_EQ(validate(config).size(), 3u);
}

TEST(Config, AdminTargetIsAnOptionalOrigin) {
  Config config = valid();
  EXPECT_TRUE(validate(config).empty());
  EXPECT_FALSE(config.admin_target);
  config.admin_target_url = "http://127.0.0.1:8081";
  EXPECT_TRUE(validate(config).empty());
  ASSERT_TRUE(config.admin_target);
  EXPECT_EQ(config.admin_target->origin(), "http://127.0.0.1:8081");
  config.admin_target_url = "127.0.0.1:8081";
  auto problems = validate(config);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("--admin-target must start with http://"), std::string::npos);
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

TEST(MetricValue, ReadsEveryValueTheTextFormatAllowsAndSkipsGarbage) {
  std::string text =
      "a{k=\"1\"} 1.5e3\n"
      "a{k=\"2\"} -0.5\n"
      "a{k=\"3\"} twelve\n"
      "a{k=\"4\"} 2x\n"
      "b +Inf\n"
      "c NaN\n";
  EXPECT_EQ(metric_value(text, "a"), 1499.5);  // the two lines that are not numbers are left out
  EXPECT_EQ(metric_value(text, "b"), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(*metric_value(text, "c")));
  EXPECT_FALSE(metric_value("a{k=\"3\"} twelve\n", "a"));
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
