// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace provstation {

/// @brief An error from parsing or validating untrusted input: a message written for a person.
struct error {
  std::string message;
};

/// @brief Makes an error result from a message.
inline error make_error(std::string message) {
  return error{std::move(message)};
}

/// @brief A value or an error. Parsers of untrusted bytes return this and never throw.
///
/// A vocabulary type shared by every component (header-only, no dependencies), in the spirit
/// of C++23 std::expected with an error that is always a readable message.
template <class T>
class result {
 public:
  result(T value)
      : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  result(error err)
      : data_(std::in_place_index<1>, std::move(err)) {}  // NOLINT: implicit by design

  /// @brief True when a value is held.
  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  /// @brief The error; only valid when !ok().
  const error& err() const { return std::get<1>(data_); }
  /// @brief The error message; only valid when !ok().
  const std::string& message() const { return std::get<1>(data_).message; }

  /// @brief The value, or `fallback` when an error is held.
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, error> data_;
};

/// @brief A success-or-error result with no value.
template <>
class result<void> {
 public:
  result() = default;
  result(error err) : err_(std::move(err)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const error& err() const { return err_; }
  const std::string& message() const { return err_.message; }

 private:
  error err_;
  bool ok_ = true;
};

}  // namespace provstation
