#include "server/backend/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "server/common/client_address.h"

namespace chat {
namespace {

ParsedConfig<BackendConfig> parse_args(std::vector<std::string> args) {
  args.insert(args.begin(), "backend");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  return parse_backend_config(static_cast<int>(argv.size()), argv.data());
}

BackendConfig parse(std::vector<std::string> args) {
  auto parsed = parse_args(std::move(args));
  if (auto* exit_now = std::get_if<ExitNow>(&parsed)) {
    ADD_FAILURE() << "refused: " << exit_now->message;
    return {};
  }
  return std::get<BackendConfig>(parsed);
}

// The refusal, or a failure if the arguments were accepted.
ExitNow refusal(std::vector<std::string> args) {
  auto parsed = parse_args(args);
  if (auto* exit_now = std::get_if<ExitNow>(&parsed)) return *exit_now;
  ADD_FAILURE() << "accepted: " << ::testing::PrintToString(args);
  return {};
}

// Long enough: both binaries refuse secrets under 32 bytes.
constexpr const char* kSecret = "backend-config-test-secret-of-32-bytes";

bool says(const ExitNow& exit_now, const std::string& text) {
  return exit_now.message.find(text) != std::string::npos;
}

class BackendConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name :
         {"PORT", "JWT_SECRET", "SESSION_SERVER_HOST", "HATHORA_APP_ID", "HATHORA_TOKEN",
          "STATIC_DIR", "SESSION_BINARY", "TRUSTED_PROXIES", "ADMISSION_EXEMPT", "PLACEMENT"}) {
      unsetenv(name);
    }
    setenv("JWT_SECRET", kSecret, 1);
  }
};

TEST_F(BackendConfigTest, SeedDefaults) {
  BackendConfig config = parse({});
  EXPECT_EQ(config.port, 8080);
  EXPECT_EQ(config.fleet, "static");
  EXPECT_EQ(config.policy, "random");
  EXPECT_EQ(config.session_server_hosts, "localhost:8000");
  EXPECT_EQ(config.static_hosts, std::vector<std::string>{"localhost:8000"});
  EXPECT_FALSE(config.check_invariants);
  EXPECT_EQ(config.control.server_start_timeout, std::chrono::seconds(30));
  EXPECT_EQ(parse({"--server-start-timeout", "7"}).control.server_start_timeout, std::chrono::seconds(7));
  EXPECT_EQ(config.status_scheme, "http");
  EXPECT_EQ(config.control.rooms_per_server, 10);
}

TEST_F(BackendConfigTest, SeedEnvironment) {
  setenv("PORT", "3000", 1);
  setenv("SESSION_SERVER_HOST", "a:1,b:2", 1);
  BackendConfig config = parse({});
  EXPECT_EQ(config.port, 3000);
  EXPECT_EQ(config.session_server_hosts, "a:1,b:2");
  EXPECT_EQ(config.static_hosts, (std::vector<std::string>{"a:1", "b:2"}));
}

TEST_F(BackendConfigTest, RefusesABadHostListSayingWhichEntry) {
  setenv("SESSION_SERVER_HOST", "a:1,a:1", 1);
  auto duplicate = refusal({});
  EXPECT_EQ(duplicate.code, 2);
  EXPECT_TRUE(says(duplicate, "SESSION_SERVER_HOST")) << duplicate.message;
  EXPECT_TRUE(says(duplicate, "listed twice")) << duplicate.message;
  setenv("SESSION_SERVER_HOST", "nohost", 1);
  EXPECT_TRUE(says(refusal({}), "'nohost' is not host:port"));
}

TEST_F(BackendConfigTest, HelpIsAnExitWithoutError) {
  auto help = refusal({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_TRUE(says(help, "--poll-interval-ms")) << help.message;
  EXPECT_TRUE(says(help, "--check-invariants")) << help.message;
}

TEST_F(BackendConfigTest, HathoraWhenItsEnvironmentIsSet) {
  setenv("HATHORA_APP_ID", "app", 1);
  setenv("HATHORA_TOKEN", "tok", 1);
  BackendConfig config = parse({});
  EXPECT_EQ(config.fleet, "hathora");
  EXPECT_EQ(config.status_scheme, "https");
  EXPECT_EQ(config.hathora_app_id, "app");
}

TEST_F(BackendConfigTest, HathoraRoomsPlacementIsTheSeedsWayAndAskedFor) {
  EXPECT_EQ(parse({}).placement, "scheduler");
  setenv("HATHORA_APP_ID", "app", 1);
  setenv("HATHORA_TOKEN", "tok", 1);
  EXPECT_EQ(parse({}).placement, "scheduler") << "the seed's env alone keeps today's mode";
  BackendConfig config = parse({"--placement", "hathora-rooms", "--hathora-region", "Frankfurt"});
  EXPECT_EQ(config.placement, "hathora-rooms");
  EXPECT_EQ(config.fleet, "hathora");
  EXPECT_EQ(config.hathora_region, "Frankfurt");
  setenv("PLACEMENT", "hathora-rooms", 1);
  EXPECT_EQ(parse({}).placement, "hathora-rooms");
  auto local = refusal({"--fleet", "local"});
  EXPECT_EQ(local.code, 2);
  EXPECT_TRUE(says(local, "drop --fleet local")) << local.message;
  unsetenv("HATHORA_TOKEN");
  auto no_token = refusal({});
  EXPECT_EQ(no_token.code, 2);
  EXPECT_TRUE(says(no_token, "HATHORA_TOKEN")) << no_token.message;
  EXPECT_NE(refusal({"--placement", "magic"}).code, 0);
  EXPECT_TRUE(says(refusal({"--help"}), "hathora-rooms"));
}

TEST_F(BackendConfigTest, RefusesContradictionsWithAReason) {
  auto hathora = refusal({"--fleet", "hathora"});
  EXPECT_EQ(hathora.code, 2);
  EXPECT_TRUE(says(hathora, "HATHORA_APP_ID")) << hathora.message;
  auto sizes = refusal({"--min-servers", "5", "--max-servers", "2"});
  EXPECT_EQ(sizes.code, 2);
  EXPECT_TRUE(says(sizes, "min-servers")) << sizes.message;
  // CLI11 has an exit code of its own for each kind of bad flag.
  auto policy = refusal({"--policy", "cheapest"});
  EXPECT_NE(policy.code, 0);
  EXPECT_TRUE(says(policy, "policy")) << policy.message;
  auto fleet = refusal({"--fleet", "cloud"});
  EXPECT_NE(fleet.code, 0);
  EXPECT_TRUE(says(fleet, "fleet")) << fleet.message;
}

TEST_F(BackendConfigTest, LocalFleetTakesAnExplicitSessionBinary) {
  BackendConfig config = parse({"--fleet", "local", "--session-binary", "/bin/true",
                                "--session-arg=--threads=1", "--session-arg=--rooms-max=5"});
  EXPECT_EQ(config.session_binary, "/bin/true");
  EXPECT_EQ(config.session_args, (std::vector<std::string>{"--threads=1", "--rooms-max=5"}));
}

TEST_F(BackendConfigTest, RefusesToStartWithoutASecret) {
  unsetenv("JWT_SECRET");
  auto no_secret = refusal({});
  EXPECT_EQ(no_secret.code, 2);
  EXPECT_TRUE(says(no_secret, "JWT_SECRET is not set")) << no_secret.message;
}

TEST_F(BackendConfigTest, RefusesASecretShorterThan32BytesSayingHowToMakeOne) {
  setenv("JWT_SECRET", std::string(31, 'k').c_str(), 1);
  auto short_secret = refusal({});
  EXPECT_EQ(short_secret.code, 2);
  EXPECT_TRUE(says(short_secret, "JWT_SECRET is 31 bytes")) << short_secret.message;
  EXPECT_TRUE(says(short_secret, "head -c 32 /dev/urandom | base64")) << short_secret.message;
  EXPECT_TRUE(says(refusal({"--jwt-secret", "change-me"}), "at least 32"));
  setenv("JWT_SECRET", std::string(32, 'k').c_str(), 1);
  EXPECT_EQ(parse({}).jwt_secret, std::string(32, 'k'));
}

TEST_F(BackendConfigTest, AdmissionLimitsHaveDefaultsAndFlags) {
  auto defaults = parse({});
  EXPECT_EQ(defaults.limits.logins_per_ip_per_minute, 60);
  EXPECT_EQ(defaults.limits.unjoined_rooms_per_user_max, 5);
  EXPECT_TRUE(defaults.admission.trusted_proxies.empty());
  auto set = parse({"--logins-per-ip-per-minute", "0", "--unjoined-rooms-per-user-max", "2",
                    "--trusted-proxies", "10.0.0.0/8, ::1", "--admission-exempt", "127.0.0.1"});
  EXPECT_EQ(set.limits.logins_per_ip_per_minute, 0);
  EXPECT_EQ(set.limits.unjoined_rooms_per_user_max, 2);
  EXPECT_TRUE(set.admission.trusted_proxies.contains(*parse_ip("10.1.2.3")));
  EXPECT_TRUE(set.admission.trusted_proxies.contains(*parse_ip("::1")));
  EXPECT_FALSE(set.admission.trusted_proxies.contains(*parse_ip("127.0.0.1")));
  EXPECT_TRUE(set.admission.exempt.contains(*parse_ip("127.0.0.1")));
}

TEST_F(BackendConfigTest, RefusesAnAddressListItCannotReadSayingWhichFlag) {
  auto bad_proxy = refusal({"--trusted-proxies", "10.0.0.0/8,proxy.example"});
  EXPECT_TRUE(says(bad_proxy, "--trusted-proxies: 'proxy.example'")) << bad_proxy.message;
  auto bad_exempt = refusal({"--admission-exempt", "127.0.0.0/40"});
  EXPECT_TRUE(says(bad_exempt, "--admission-exempt: '127.0.0.0/40'")) << bad_exempt.message;
  EXPECT_NE(refusal({"--logins-per-ip-per-minute", "-1"}).code, 0);
}

TEST_F(BackendConfigTest, DefragmentationIsOffUnlessAsked) {
  EXPECT_EQ(parse({}).control.defrag_max_rooms, 0);
  BackendConfig config = parse({"--defrag-max-rooms", "2", "--defrag-interval", "30"});
  EXPECT_EQ(config.control.defrag_max_rooms, 2);
  EXPECT_EQ(config.control.defrag_interval, std::chrono::seconds(30));
  EXPECT_TRUE(says(refusal({"--defrag-max-rooms", "-1"}), "--defrag-max-rooms"));
}

TEST_F(BackendConfigTest, FailoverProbesHaveHalfASecondUnlessTold) {
  EXPECT_EQ(parse({}).failover_probe_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(parse({"--failover-probe-timeout-ms", "2000"}).failover_probe_timeout,
            std::chrono::milliseconds(2000));
  EXPECT_TRUE(says(refusal({"--failover-probe-timeout-ms", "0"}), "--failover-probe-timeout-ms"));
}

}  // namespace
}  // namespace chat
