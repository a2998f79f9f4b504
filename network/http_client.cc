// The only translation unit that instantiates Beast's HTTP client streams
// (plain and TLS): they compile slowly.
#include "network/http_client.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "network/tls_client.h"
#include "network/url.h"

namespace network {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string_view failure_name(HttpFailure failure) {
  switch (failure) {
    case HttpFailure::none:
      return "none";
    case HttpFailure::bad_request:
      return "bad_request";
    case HttpFailure::resolve:
      return "resolve";
    case HttpFailure::connect:
      return "connect";
    case HttpFailure::tls:
      return "tls";
    case HttpFailure::send:
      return "send";
    case HttpFailure::receive:
      return "receive";
    case HttpFailure::timeout:
      return "timeout";
    case HttpFailure::shut_down:
      return "shut_down";
  }
  return "unknown";
}

namespace {

using Handler = net::any_completion_handler<void(HttpResponse)>;

struct Job {
  Url url;
  http::verb verb = http::verb::get;
  HttpRequest request;
  Clock::time_point deadline;
  // Behind a pointer: Boost 1.81's any_completion_handler move assignment
  // recurses without end (it wraps an lvalue of itself), so the handler is
  // only ever move-constructed, and jobs move by moving the pointer.
  std::unique_ptr<Handler> handler;
  // The handler's executor, told that work is pending so it does not run out.
  net::any_completion_executor work;
  bool retried = false;
  std::uint64_t id = 0;
  // While it waits for a connection: fails it at its deadline.
  std::shared_ptr<net::steady_timer> wait_timer;
};

HttpResponse failure(HttpFailure kind, std::string error) {
  HttpResponse response;
  response.failure = kind;
  response.error = std::move(error);
  return response;
}

// Never inline: the caller may be inside async_fetch, or on the strand. Asio's
// post runs the handler on its own associated executor, `fallback` otherwise.
void complete(Job& job, HttpResponse response, const net::any_io_executor& fallback) {
  net::post(fallback, beast::bind_front_handler(std::move(*job.handler), std::move(response)));
  job.handler.reset();
  job.work = {};
}

std::string milliseconds(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + " ms";
}

// A connection: plain or TLS. It runs one job at a time; between jobs the
// origin holds it idle.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void run(Job job) = 0;
  // Closes the socket: a job in flight fails (shut_down or timeout).
  virtual void abort() = 0;
  Clock::time_point idle_since;
};

struct Origin {
  std::deque<Job> queue;
  std::vector<std::shared_ptr<Connection>> idle;  // the most recently used last
  std::set<Connection*> busy;                     // owned by their pending handlers
  int open = 0;                                   // connecting, busy or idle
};

}  // namespace

struct HttpClient::State : std::enable_shared_from_this<State> {
  State(net::any_io_executor executor, HttpClientOptions options)
      : executor(executor), strand(net::make_strand(executor)), options(std::move(options)) {
    if (!this->options.tls) {
      auto context = make_tls_client_context();
      if (context) {
        this->options.tls = context.value();
      } else {
        tls_error = context.error();
      }
    }
  }

  void enqueue(Job job);
  void pump(const std::string& key);
  // Takes the oldest waiting job off the origin's queue.
  Job take_waiting(Origin& origin);
  // A waiting job's deadline passed before a connection was free.
  void expire_waiting(const std::string& key, std::uint64_t id);
  // A connection is done with its job; `reusable`: its keep-alive stream is open.
  void release(const std::string& key, const std::shared_ptr<Connection>& connection,
               bool reusable);
  void close_stale_idle();
  void shut_down();

  net::any_io_executor executor;
  net::strand<net::any_io_executor> strand;
  HttpClientOptions options;
  std::string tls_error;                  // why https:// cannot work, when the system's CAs failed
  std::map<std::string, Origin> origins;  // by Url::origin()
  std::atomic<std::size_t> queued{0};
  std::uint64_t jobs_enqueued = 0;  // the ids of jobs
  bool stopping = false;
};

namespace {

template <class Stream>
class StreamConnection final : public Connection,
                               public std::enable_shared_from_this<StreamConnection<Stream>> {
 public:
  StreamConnection(HttpClient::State& state, std::string origin_key)
      : state_(state),
        origin_key_(std::move(origin_key)),
        resolver_(state.strand),
        deadline_timer_(state.strand) {}

  void run(Job job) override {
    job_ = std::move(job);
    timed_out_ = false;
    arm_deadline();
    if (!stream_) return resolve();
    write();
  }

  void abort() override {
    resolver_.cancel();
    if (stream_) beast::get_lowest_layer(*stream_).close();
  }

 private:
  // What every pending handler holds: this connection, and the client state
  // it reports to (which owns only idle connections, so no cycle).
  struct Keep {
    std::shared_ptr<StreamConnection> self;
    std::shared_ptr<HttpClient::State> state;
  };
  Keep keep() { return {this->shared_from_this(), state_.shared_from_this()}; }

  std::string peer() const { return job_.url.authority(); }

  void arm_deadline() {
    ++generation_;
    deadline_timer_.expires_at(job_.deadline);
    deadline_timer_.async_wait([k = keep(), generation = generation_](beast::error_code ec) {
      if (ec || generation != k.self->generation_) return;
      k.self->timed_out_ = true;
      k.self->abort();
    });
  }

  void resolve() {
    used_ = false;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.emplace(state_.strand);
    } else {
      stream_.emplace(state_.strand, *state_.options.tls);
    }
    const auto& endpoint = job_.url.endpoint;
    resolver_.async_resolve(
        endpoint.host, std::to_string(endpoint.port),
        [k = keep()](beast::error_code ec, const tcp::resolver::results_type& results) {
          if (ec) return k.self->fail(HttpFailure::resolve, "resolve", ec);
          k.self->connect(results);
        });
  }

  void connect(const tcp::resolver::results_type& results) {
    beast::get_lowest_layer(*stream_).async_connect(results, [k = keep()](beast::error_code ec,
                                                                          const tcp::endpoint&) {
      if (ec) return k.self->fail(HttpFailure::connect, "connect", ec);
      beast::error_code ignored;
      // A request is one small write: Nagle would only delay it.
      beast::get_lowest_layer(*k.self->stream_).socket().set_option(tcp::no_delay(true), ignored);
      k.self->handshake();
    });
  }

  void handshake() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      write();
    } else {
      auto problem = prepare_tls_client(stream_->native_handle(), job_.url.endpoint.host);
      if (!problem.empty()) return finish(failure(HttpFailure::tls, problem + " (" + peer() + ")"));
      stream_->async_handshake(net::ssl::stream_base::client, [k = keep()](beast::error_code ec) {
        if (ec) return k.self->fail(HttpFailure::tls, "TLS handshake with", ec);
        k.self->write();
      });
    }
  }

  void write() {
    const auto& request = job_.request;
    message_ = {};
    message_.method(job_.verb);
    message_.target(job_.url.target);
    message_.version(11);
    message_.set(http::field::host, job_.url.authority());
    message_.set(http::field::user_agent, state_.options.user_agent);
    if (!request.bearer.empty()) {
      message_.set(http::field::authorization, "Bearer " + request.bearer);
    }
    if (!request.body.empty()) {
      message_.set(http::field::content_type, "application/json");
      message_.body() = request.body;
    }
    for (const auto& [name, value] : request.headers) message_.set(name, value);
    message_.keep_alive(true);
    message_.prepare_payload();
    http::async_write(*stream_, message_, [k = keep()](beast::error_code ec, std::size_t) {
      if (ec) return k.self->fail(HttpFailure::send, "send to", ec);
      k.self->read();
    });
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(state_.options.response_bytes_max);
    // The answer to HEAD announces a body it does not send.
    if (job_.verb == http::verb::head) parser_->skip(true);
    http::async_read(*stream_, buffer_, *parser_, [k = keep()](beast::error_code ec, std::size_t) {
      if (ec) return k.self->fail(HttpFailure::receive, "answer from", ec);
      k.self->on_answer();
    });
  }

  void on_answer() {
    auto& message = parser_->get();
    HttpResponse response;
    response.status = message.result_int();
    if (auto it = message.find(http::field::retry_after); it != message.end()) {
      response.retry_after = std::string(it->value());
    }
    response.body = std::move(message.body());
    if (!parser_->keep_alive()) drop_stream();
    used_ = true;
    finish(std::move(response));
  }

  void fail(HttpFailure kind, std::string_view what, beast::error_code ec) {
    bool reused = used_;
    // Bytes of an answer arrived: the server did see the request.
    bool answer_started = parser_ && parser_->got_some();
    drop_stream();
    if (state_.stopping) {
      return finish(failure(HttpFailure::shut_down, "the client was shut down"));
    }
    if (timed_out_) {
      return finish(failure(HttpFailure::timeout, "no answer from " + peer() + " within " +
                                                      milliseconds(job_.request.timeout)));
    }
    // A server may close an idle keep-alive connection just as we reuse it;
    // the request did not reach it, so it goes once more, on a new connection.
    bool stale =
        reused && !answer_started && (kind == HttpFailure::send || kind == HttpFailure::receive);
    if (stale && !job_.retried) {
      job_.retried = true;
      return resolve();
    }
    finish(failure(kind, std::string(what) + " " + peer() + ": " + ec.message()));
  }

  void drop_stream() {
    if (stream_) {
      beast::get_lowest_layer(*stream_).close();
      stream_.reset();
    }
    parser_.reset();
    buffer_.clear();
  }

  void finish(HttpResponse response) {
    ++generation_;  // a deadline that fires now belongs to no job
    deadline_timer_.cancel();
    complete(job_, std::move(response), state_.executor);
    job_ = Job{};
    state_.release(origin_key_, this->shared_from_this(), stream_.has_value());
  }

  HttpClient::State& state_;
  std::string origin_key_;
  tcp::resolver resolver_;
  net::steady_timer deadline_timer_;
  std::optional<Stream> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> message_;
  std::optional<http::response_parser<http::string_body>> parser_;
  Job job_;
  std::uint64_t generation_ = 0;  // which job the deadline timer is for
  bool used_ = false;             // the stream answered before: it may have gone stale
  bool timed_out_ = false;
};

using PlainConnection = StreamConnection<beast::tcp_stream>;
using TlsConnection = StreamConnection<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

void HttpClient::State::enqueue(Job job) {
  if (stopping) {
    --queued;
    return complete(job, failure(HttpFailure::shut_down, "the client was shut down"), executor);
  }
  if (job.url.tls() && !options.tls) {
    --queued;
    return complete(job, failure(HttpFailure::tls, tls_error), executor);
  }
  close_stale_idle();
  auto key = job.url.origin();
  auto id = job.id = ++jobs_enqueued;
  origins[key].queue.push_back(std::move(job));
  pump(key);
  auto it = origins.find(key);
  if (it == origins.end() || it->second.queue.empty()) return;
  auto& waiting = it->second.queue.back();
  if (waiting.id != id) return;
  // No connection is free: the deadline must not wait for one.
  waiting.wait_timer = std::make_shared<net::steady_timer>(strand, waiting.deadline);
  waiting.wait_timer->async_wait([state = shared_from_this(), key, id](beast::error_code ec) {
    if (!ec) state->expire_waiting(key, id);
  });
}

Job HttpClient::State::take_waiting(Origin& origin) {
  auto job = std::move(origin.queue.front());
  origin.queue.pop_front();
  --queued;
  if (job.wait_timer) job.wait_timer->cancel();
  job.wait_timer.reset();
  return job;
}

void HttpClient::State::expire_waiting(const std::string& key, std::uint64_t id) {
  auto it = origins.find(key);
  if (it == origins.end()) return;
  auto& queue = it->second.queue;
  auto job = std::find_if(queue.begin(), queue.end(), [id](const Job& j) { return j.id == id; });
  if (job == queue.end()) return;
  auto expired = std::move(*job);
  queue.erase(job);
  --queued;
  complete(expired,
           failure(HttpFailure::timeout, "no free connection to " + expired.url.authority() +
                                             " within " + milliseconds(expired.request.timeout)),
           executor);
  if (it->second.open == 0 && queue.empty()) origins.erase(it);
}

void HttpClient::State::pump(const std::string& key) {
  auto it = origins.find(key);
  if (it == origins.end()) return;
  auto& origin = it->second;
  auto now = Clock::now();
  while (!origin.queue.empty()) {
    if (origin.queue.front().deadline <= now) {
      auto job = take_waiting(origin);
      complete(job,
               failure(HttpFailure::timeout, "no free connection to " + job.url.authority() +
                                                 " within " + milliseconds(job.request.timeout)),
               executor);
      continue;
    }
    if (origin.idle.empty() && origin.open >= options.connections_per_origin_max) break;
    auto job = take_waiting(origin);
    std::shared_ptr<Connection> connection;
    if (!origin.idle.empty()) {
      connection = std::move(origin.idle.back());
      origin.idle.pop_back();
    } else if (job.url.tls()) {
      connection = std::make_shared<TlsConnection>(*this, key);
      ++origin.open;
    } else {
      connection = std::make_shared<PlainConnection>(*this, key);
      ++origin.open;
    }
    origin.busy.insert(connection.get());
    connection->run(std::move(job));
  }
  if (origin.open == 0 && origin.queue.empty()) origins.erase(it);
}

void HttpClient::State::release(const std::string& key,
                                const std::shared_ptr<Connection>& connection, bool reusable) {
  auto it = origins.find(key);
  if (it == origins.end()) return;
  auto& origin = it->second;
  origin.busy.erase(connection.get());
  if (reusable && !stopping) {
    connection->idle_since = Clock::now();
    origin.idle.push_back(connection);
  } else {
    if (reusable) connection->abort();
    --origin.open;
  }
  pump(key);
}

void HttpClient::State::close_stale_idle() {
  auto oldest = Clock::now() - options.idle_max;
  for (auto it = origins.begin(); it != origins.end();) {
    auto& origin = it->second;
    // Idle connections are in the order they came back: the stale ones first.
    auto stale_end = origin.idle.begin();
    while (stale_end != origin.idle.end() && (*stale_end)->idle_since < oldest) ++stale_end;
    for (auto c = origin.idle.begin(); c != stale_end; ++c) (*c)->abort();
    origin.open -= static_cast<int>(stale_end - origin.idle.begin());
    origin.idle.erase(origin.idle.begin(), stale_end);
    if (origin.open == 0 && origin.queue.empty()) {
      it = origins.erase(it);
    } else {
      ++it;
    }
  }
}

void HttpClient::State::shut_down() {
  stopping = true;
  for (auto& [key, origin] : origins) {
    while (!origin.queue.empty()) {
      auto job = take_waiting(origin);
      complete(job, failure(HttpFailure::shut_down, "the client was shut down"), executor);
    }
    for (auto& connection : origin.idle) connection->abort();
    origin.open -= static_cast<int>(origin.idle.size());
    origin.idle.clear();
    // Their handlers see `stopping` and fail their jobs; they release themselves.
    for (auto* connection : origin.busy) connection->abort();
  }
}

HttpClient::HttpClient(net::any_io_executor executor, HttpClientOptions options)
    : state_(std::make_shared<State>(std::move(executor), std::move(options))) {}

HttpClient::~HttpClient() {
  net::post(state_->strand, [state = state_] { state->shut_down(); });
}

std::size_t HttpClient::queued() const { return state_->queued.load(); }

void HttpClient::start(HttpRequest request, Handler handler) {
  Job job;
  job.work = net::prefer(net::get_associated_executor(handler, state_->executor),
                         net::execution::outstanding_work.tracked);
  job.handler = std::make_unique<Handler>(std::move(handler));
  job.deadline = Clock::now() + request.timeout;
  auto url = Url::parse(request.url);
  job.verb = http::string_to_verb(request.method);
  std::string problem;
  if (!url) {
    problem = url.error();
  } else if (url->scheme != Scheme::http && url->scheme != Scheme::https) {
    problem = "not an http:// or https:// URL: " + request.url;
  } else if (job.verb == http::verb::unknown) {
    problem = "unknown HTTP method '" + request.method + "'";
  }
  if (!problem.empty()) {
    return complete(job, failure(HttpFailure::bad_request, problem), state_->executor);
  }
  job.url = std::move(url).value();
  job.request = std::move(request);
  ++state_->queued;
  net::post(state_->strand,
            [state = state_, job = std::move(job)]() mutable { state->enqueue(std::move(job)); });
}

}  // namespace network
