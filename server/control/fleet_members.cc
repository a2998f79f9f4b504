#include "server/control/fleet_members.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string_view>

namespace chat::control {

namespace {

// KEYS[1] fence, KEYS[2] members; ARGV[1] token, ARGV[2] "set" or "del",
// ARGV[3] server id, ARGV[4] its record.
constexpr const char* kFencedWriteScript = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED a newer fleet lease holder exists')
end
if ARGV[2] == 'set' then
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
else
  redis.call('HDEL', KEYS[2], ARGV[3])
end
return 1
)lua";

}  // namespace

std::string encode_member(const Member& member) {
  return boost::json::serialize(boost::json::object{
      {"host", member.host}, {"adminHost", member.admin_host}, {"pid", member.pid}});
}

std::optional<Member> decode_member(const std::string& id, std::string_view json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  const auto* object = ec ? nullptr : value.if_object();
  if (object == nullptr) return std::nullopt;
  const auto* host = object->if_contains("host");
  // An empty host is a server listed when it was asked of the fleet, not up
  // yet (control/replicas.cc, start_listed): the holder counts it.
  if (host == nullptr || !host->is_string()) return std::nullopt;
  Member member{id, std::string(host->as_string()), "", 0};
  if (const auto* admin = object->if_contains("adminHost"); admin && admin->is_string()) {
    member.admin_host = admin->as_string();
  }
  if (const auto* pid = object->if_contains("pid"); pid && pid->is_int64()) {
    member.pid = pid->as_int64();
  }
  return member;
}

void FleetMembers::read(std::function<void(std::optional<std::vector<Member>>)> done) {
  redis_->command({"HGETALL", redis_->key("fleet:servers")},
                  [done = std::move(done)](const redisReply* reply) {
                    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) {
                      return done(std::nullopt);
                    }
                    std::vector<Member> members;
                    for (std::size_t i = 0; i + 1 < reply->elements; i += 2) {
                      auto id = reply_string(reply->element[i]);
                      auto record = reply_string(reply->element[i + 1]);
                      if (!id || !record) continue;
                      if (auto member = decode_member(*id, *record)) members.push_back(*member);
                    }
                    done(std::move(members));
                  });
}

void FleetMembers::fenced_write(std::vector<std::string> args,
                                std::function<void(WriteResult)> done) {
  redis_->eval(kFencedWriteScript, {"fleet:fence", "fleet:servers"}, std::move(args),
               [done = std::move(done)](const redisReply* reply) {
                 if (!done) return;
                 if (reply == nullptr) return done(WriteResult::failed);
                 if (reply->type == REDIS_REPLY_ERROR) {
                   const bool fenced = std::string_view(reply->str, reply->len).find("FENCED") !=
                                       std::string_view::npos;
                   return done(fenced ? WriteResult::fenced : WriteResult::failed);
                 }
                 done(WriteResult::written);
               });
}

void FleetMembers::add(const Member& member, std::uint64_t token,
                       std::function<void(WriteResult)> done) {
  fenced_write({std::to_string(token), "set", member.id, encode_member(member)}, std::move(done));
}

void FleetMembers::remove(const std::string& id, std::uint64_t token,
                          std::function<void(WriteResult)> done) {
  fenced_write({std::to_string(token), "del", id, ""}, std::move(done));
}

}  // namespace chat::control
