// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace provstation::phonesim {

/// @brief Where a macro is expanded: `$SA`…`$SD` are only visible as a `--key` argument.
enum class macro_scope { normal, key_argument };

/// @brief The values of the phone's macro variables (spa-provisioning.md §4), by name without
/// the `$` (`MA`, `SWVER`, `A` …). A name that is not set is unknown and stays as written.
class macro_env {
 public:
  /// @brief Sets an ordinary macro (visible everywhere).
  void set(std::string name, std::string value);
  /// @brief Sets a macro that is only visible as a `--key` argument (`SA`…`SD`).
  void set_key_only(std::string name, std::string value);
  /// @brief Removes a macro (it becomes unknown again).
  void erase(std::string_view name);
  /// @brief The value of `name` in `scope`, or nothing when it is unknown there.
  std::optional<std::string_view> find(std::string_view name,
                                       macro_scope scope = macro_scope::normal) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, std::string, std::less<>> key_only_;
};

/// @brief Expands `$NAME`, `$(NAME)`, `$(NAME:p)`, `$(NAME:p:q)` and `$$` once (not
/// recursively: expanded values are copied as they are).
///
/// `$NAME` takes the longest known macro name that starts the run of letters, digits and `_`
/// after the `$` (`$MAU.cfg` → MAU, `$MAC` → MAC, `$A$B` → A then B, `$Dx` → D then `x`).
/// Unknown names are left as written (`spa$STRANGE$MAU.cfg` → `spa$STRANGE000E08012345.cfg`).
/// In `$(NAME:p:q)` p is a zero-based offset and q a length; p past the end gives "".
std::string expand_macros(std::string_view text, const macro_env& env,
                          macro_scope scope = macro_scope::normal);

}  // namespace provstation::phonesim
