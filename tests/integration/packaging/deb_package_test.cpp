// SPDX-License-Identifier: Apache-2.0
/// @file The Debian package: cpack builds it into a temp dir from this build tree, dpkg-deb
/// shows its files and control fields; nothing is installed on this machine.
#include <provstation/config.hpp>
#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>

#include <sys/wait.h>

namespace provstation {
namespace {

namespace fs = std::filesystem;

struct shell_result {
  int exit_code = -1;
  std::string output;
};

// Runs `command` with /bin/sh, stdout and stderr merged.
shell_result sh(const std::string& command) {
  shell_result r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string quote(const std::string& s) {
  return "'" + s + "'";
}

// One entry of `dpkg-deb -c`: mode string, owner, path (without the leading ".").
struct entry {
  std::string mode;
  std::string owner;
};

class DebPackage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* tool : {"cpack", "dpkg-deb", "dpkg-shlibdeps"}) {
      if (sh(std::string("command -v ") + tool).exit_code != 0) {
        skip_ = std::string(tool) + " is not installed";
        return;
      }
    }
    dir_ = std::make_unique<test::temp_dir>();
    const shell_result r = sh("cd " + quote(PROVSTATION_BINARY_DIR) + " && cpack -G DEB --config " +
                              quote(std::string(PROVSTATION_BINARY_DIR) + "/CPackConfig.cmake") +
                              " -B " + quote(dir_->path().string()));
    cpack_output_ = r.output;
    deb_ =
        (dir_->path() / ("provstation_" + std::string(PROVSTATION_PACKAGE_VERSION) + "_amd64.deb"))
            .string();
    if (r.exit_code != 0 || !fs::exists(deb_)) return;
    std::istringstream list(sh("dpkg-deb -c " + quote(deb_)).output);
    for (std::string line; std::getline(list, line);) {
      // drwxr-xr-x root/root         0 2026-11-27 09:00 ./usr/bin/
      std::istringstream cells(line);
      std::string mode, owner, size, date, time, path;
      cells >> mode >> owner >> size >> date >> time >> path;
      if (path.starts_with(".")) path.erase(0, 1);
      if (path.size() > 1 && path.back() == '/') path.pop_back();
      files_[path] = {mode, owner};
    }
    const fs::path control = dir_->path() / "control";
    sh("dpkg-deb -e " + quote(deb_) + " " + quote(control.string()));
  }
  static void TearDownTestSuite() { dir_.reset(); }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(fs::exists(deb_)) << cpack_output_;
  }

  static std::string field(const std::string& name) {
    std::string v = sh("dpkg-deb -f " + quote(deb_) + " " + name).output;
    while (!v.empty() && v.back() == '\n') v.pop_back();
    return v;
  }
  static std::string control_file(const std::string& name) {
    return sh("cat " + quote((dir_->path() / "control" / name).string())).output;
  }
  static std::string packaged_file(const std::string& path) {
    return sh("dpkg-deb --fsys-tarfile " + quote(deb_) + " | tar -xOf - ." + path).output;
  }

  static inline std::unique_ptr<test::temp_dir> dir_;
  static inline std::string skip_;
  static inline std::string cpack_output_;
  static inline std::string deb_;
  static inline std::map<std::string, entry> files_;
};

// Verify that cpack writes provstation_<version>_amd64.deb with the daemon in /usr/bin, the
// hook in Kea's hooks directory, the helpers in /usr/lib/provstation, the conffile, the unit and
// the tmpfiles.d entry, all owned by root, and nothing of the build (headers, archives, tests).
TEST_F(DebPackage, ContainsTheInstallAndNothingElse) {
  const std::string hooks =
      std::string("/usr/lib/") + PROVSTATION_LIBRARY_ARCHITECTURE + "/kea/hooks";
  std::map<std::string, std::string> expected = {
      {"/usr/bin/provstation", "-rwxr-xr-x"},
      {"/usr/lib/provstation/provstation-phonesim", "-rwxr-xr-x"},
      {"/etc/provstation/provstation.toml", "-rw-r--r--"},
      {"/lib/systemd/system/provstation.service", "-rw-r--r--"},
      {"/usr/lib/tmpfiles.d/provstation.conf", "-rw-r--r--"},
      {"/usr/share/doc/provstation/copyright", "-rw-r--r--"},
      {"/usr/share/doc/provstation/README.md", "-rw-r--r--"},
      {"/usr/share/doc/provstation/examples/kea-dhcp4.snippet", "-rw-r--r--"},
  };
  if (PROVSTATION_WITH_HOOK) {
    expected[hooks + "/libprovstation_kea.so"] = "-rw-r--r--";
    expected["/usr/lib/provstation/provstation-kea-listen"] = "-rwxr-xr-x";
    expected["/usr/share/doc/provstation/README.kea-hooks.md"] = "-rw-r--r--";
  }
  for (const auto& [path, mode] : expected) {
    const auto it = files_.find(path);
    ASSERT_NE(it, files_.end()) << path << " is not in the package";
    EXPECT_EQ(it->second.mode, mode) << path;
  }
  for (const auto& [path, e] : files_) {
    EXPECT_EQ(e.owner, "root/root") << path;
    EXPECT_FALSE(path.starts_with("/usr/include")) << path;
    EXPECT_FALSE(path.ends_with(".a")) << path;
    EXPECT_EQ(path.find("test"), std::string::npos) << path;
    EXPECT_FALSE(path.starts_with("/usr/local")) << path;
    const bool known_tree = path.starts_with("/usr/") || path.starts_with("/etc/") ||
                            path.starts_with("/lib/") || path == "/usr" || path == "/etc" ||
                            path == "/lib" || path == "/";
    EXPECT_TRUE(known_tree) << path;
  }
  // Stripped (CPACK_STRIP_FILES): no debug sections in the daemon.
  const std::string daemon =
      sh("dpkg-deb --fsys-tarfile " + quote(deb_) + " | tar -xOf - ./usr/bin/provstation | wc -c")
          .output;
  EXPECT_LT(std::stoull(daemon), 64ull << 20) << "not stripped?";
}

// Verify the control fields: name, version, architecture, a maintainer, dependencies found by
// dpkg-shlibdeps (libc, SQLite, OpenSSL) plus adduser for the postinst, the hook pinned to the
// Kea it was built for, and Kea itself only recommended.
TEST_F(DebPackage, ControlFields) {
  EXPECT_EQ(field("Package"), "provstation");
  EXPECT_EQ(field("Version"), PROVSTATION_PACKAGE_VERSION);
  EXPECT_EQ(field("Architecture"), "amd64");
  EXPECT_FALSE(field("Maintainer").empty());
  const std::string description = field("Description");
  EXPECT_NE(description.find("\n "), std::string::npos) << "no extended description";
  EXPECT_EQ(description.find(';'), std::string::npos) << "a CMake list leaked: " << description;
  const std::string depends = field("Depends");
  for (const char* dep :
       {"adduser", "libc6 (>=", "libsqlite3-0 (>=", "libssl3 (>=", "libstdc++6 (>="}) {
    EXPECT_NE(depends.find(dep), std::string::npos) << dep << " missing from: " << depends;
  }
  if (PROVSTATION_WITH_HOOK) {
    EXPECT_TRUE(
        std::regex_search(depends, std::regex(R"(kea-common \(>= [0-9]+\.[0-9]+\.[0-9]+\))")))
        << depends;
    EXPECT_TRUE(
        std::regex_search(depends, std::regex(R"(kea-common \(<< [0-9]+\.[0-9]+\.[0-9]+~\))")))
        << depends;
  }
  EXPECT_EQ(depends.find("kea-dhcp4-server"), std::string::npos) << "Kea must not be forced in";
  EXPECT_NE(field("Recommends").find("kea-dhcp4-server"), std::string::npos);
}

// Verify the maintainer scripts: the conffile is declared; postinst creates the provstation
// system user, puts it in group _kea and gives the two directories to provstation:_kea 0750;
// no script starts, stops or even names Kea's service; all are valid sh with mode 0755.
TEST_F(DebPackage, MaintainerScriptsNeverTouchKea) {
  EXPECT_EQ(control_file("conffiles"), "/etc/provstation/provstation.toml\n");
  const std::string postinst = control_file("postinst");
  EXPECT_NE(postinst.find("adduser --system --group"), std::string::npos) << postinst;
  EXPECT_NE(postinst.find("adduser --quiet provstation _kea"), std::string::npos) << postinst;
  EXPECT_NE(postinst.find("chown provstation:\"$kea_group\""), std::string::npos) << postinst;
  EXPECT_NE(postinst.find("chmod 0750"), std::string::npos) << postinst;
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    const fs::path p = dir_->path() / "control" / script;
    ASSERT_TRUE(fs::exists(p)) << script;
    EXPECT_EQ(fs::status(p).permissions() & fs::perms::all,
              fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                  fs::perms::others_read | fs::perms::others_exec)
        << script;
    EXPECT_EQ(sh("sh -n " + quote(p.string())).exit_code, 0) << script;
    const std::string text = control_file(script);
    EXPECT_EQ(text.find("kea-dhcp4"), std::string::npos) << script << " names Kea's service";
    EXPECT_EQ(text.find("invoke-rc.d"), std::string::npos) << script;
    EXPECT_EQ(text.find("systemctl start"), std::string::npos) << script;
    EXPECT_EQ(text.find("systemctl restart"), std::string::npos) << script;
  }
}

// Verify that the shipped configuration is the documented one: valid TOML with only known keys,
// refused only for the missing bench.address, and equal to the built-in defaults once that is set.
TEST_F(DebPackage, ShippedConfigParsesToTheDefaults) {
  const std::string text = packaged_file("/etc/provstation/provstation.toml");
  ASSERT_FALSE(text.empty());
  auto without = parse_config(text);
  ASSERT_FALSE(without.ok());
  EXPECT_TRUE(without.message().starts_with("bench.address: required")) << without.message();

  const std::string commented = "# address = \"10.66.0.1\"";
  const auto at = text.find(commented);
  ASSERT_NE(at, std::string::npos);
  std::string enabled = text;
  enabled.replace(at, commented.size(), "address = \"10.66.0.1\"");
  // Every other commented-out key, uncommented, must parse too (no typo in the documentation).
  std::string all;
  std::istringstream lines(enabled);
  const std::regex key_or_section(R"(^# ((\[[a-z]+\])|([a-z_]+ = )).*)");
  for (std::string line; std::getline(lines, line);) {
    all += (std::regex_match(line, key_or_section) ? line.substr(2) : line) + "\n";
  }
  auto c = parse_config(enabled);
  ASSERT_TRUE(c.ok()) << c.message();
  auto every = parse_config(all);
  ASSERT_TRUE(every.ok()) << every.message() << "\n" << all;
  config defaults;
  for (const config* k : {&*c, &*every}) {
    EXPECT_EQ(k->kea.event_socket, defaults.kea.event_socket);
    EXPECT_EQ(k->kea.policy_file, defaults.kea.policy_file);
    EXPECT_EQ(k->kea.lease_file, defaults.kea.lease_file);
    EXPECT_EQ(k->kea.allowed_user, defaults.kea.allowed_user);
    EXPECT_EQ(k->store.path, defaults.store.path);
    EXPECT_EQ(k->dashboard.listen.str(), defaults.dashboard.listen.str());
    EXPECT_EQ(k->firmware.dir, defaults.firmware.dir);
    EXPECT_EQ(k->tftp.listen.str(), "10.66.0.1:69");
  }
  EXPECT_EQ(c->user, "");
  EXPECT_EQ(every->user, "provstation");
}

// Verify that the unit runs the daemon as provstation with only CAP_NET_BIND_SERVICE, may write
// exactly the directories of the default socket, policy file and store, and that tmpfiles.d
// creates those as provstation:_kea 0750.
TEST_F(DebPackage, UnitAndDirectoriesFitTheDefaults) {
  const std::string unit = packaged_file("/lib/systemd/system/provstation.service");
  for (const char* line :
       {"ExecStart=/usr/bin/provstation serve --config /etc/provstation/provstation.toml\n",
        "User=provstation\n", "AmbientCapabilities=CAP_NET_BIND_SERVICE\n",
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n", "NoNewPrivileges=yes\n",
        "WantedBy=multi-user.target\n"}) {
    EXPECT_NE(unit.find(line), std::string::npos) << line << unit;
  }
  const std::string tmpfiles = packaged_file("/usr/lib/tmpfiles.d/provstation.conf");
  config defaults;
  for (const std::string& path :
       {defaults.kea.event_socket, defaults.kea.policy_file, defaults.store.path}) {
    const std::string dir = fs::path(path).parent_path().string();
    EXPECT_NE(unit.find(dir), std::string::npos) << dir << " is not writable by the service";
    EXPECT_TRUE(
        std::regex_search(tmpfiles, std::regex("\\nd " + dir + " +0750 provstation _kea -\\n")))
        << dir << ":\n"
        << tmpfiles;
  }
}

}  // namespace
}  // namespace provstation
