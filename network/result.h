// Errors as values for network input: a parse either yields a value or says
// what is wrong with what was given, and never throws.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace network {

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit, like std::optional
  static Result failure(std::string error) {
    Result result;
    result.error_ = std::move(error);
    return result;
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  // Only when ok(): checked by the caller, as with std::optional.
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  const T* operator->() const { return &*value_; }
  // Empty when ok(); otherwise what is wrong and what was given.
  const std::string& error() const { return error_; }

 private:
  Result() = default;
  std::optional<T> value_;
  std::string error_;
};

}  // namespace network
