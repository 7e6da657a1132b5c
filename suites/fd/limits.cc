// Reading the limits of limits.h from /proc, getrlimit and statvfs, and
// deciding which one bounds a run.
#include "fd/limits.h"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace fd {

namespace {

std::optional<std::string> slurp(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::uint64_t count_open_descriptors() {
  std::uint64_t count = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++count;
    }
    closedir(d);
    return count - 1;  // the descriptor opendir itself used
  }
  return 3;
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
  text = trim(text);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint64_t> parse_file_nr_in_use(std::string_view text) {
  // "allocated  free  max": allocated handles are the files in use (the
  // middle figure has read 0 since Linux 2.6).
  text = trim(text);
  const auto end = text.find_first_of(" \t");
  return parse_count(text.substr(0, end));
}

std::optional<bool> parse_cap_eff_bit(std::string_view status, int bit) {
  constexpr std::string_view key = "CapEff:";
  const auto at = status.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = status.substr(at + key.size());
  rest = rest.substr(0, rest.find('\n'));
  rest = trim(rest);
  std::uint64_t mask = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), mask, 16);
  if (ec != std::errc() || end != rest.data() + rest.size() || rest.empty()) {
    return std::nullopt;
  }
  return ((mask >> bit) & 1u) != 0;
}

Limits read_limits(const std::string& dir) {
  Limits l;
  l.dir = dir;
  if (auto t = slurp("/proc/sys/fs/file-max")) l.file_max = parse_count(*t);
  if (auto t = slurp("/proc/sys/fs/file-nr")) l.files_in_use = parse_file_nr_in_use(*t);
  if (auto t = slurp("/proc/sys/fs/nr_open")) l.nr_open = parse_count(*t);
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  l.nofile_soft = r.rlim_cur;
  l.nofile_hard = r.rlim_max;
  if (auto t = slurp("/proc/self/status")) {
    l.cap_sys_resource = parse_cap_eff_bit(*t, kCapSysResource);
    l.cap_sys_admin = parse_cap_eff_bit(*t, kCapSysAdmin);
  }
  struct statvfs fs {};
  if (statvfs(dir.c_str(), &fs) == 0) {
    if (fs.f_files != 0) l.free_inodes = fs.f_favail;  // 0: not reported
    l.free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (fs.f_frsize != 0) l.block_bytes = fs.f_frsize;
  }
  l.open_descriptors = count_open_descriptors();
  return l;
}

std::string_view name(Bound b) {
  switch (b) {
    case Bound::none: return "none";
    case Bound::nr_open: return "fs.nr_open";
    case Bound::disk_inodes: return "free inodes";
    case Bound::disk_space: return "free space";
    case Bound::rlimit_hard: return "RLIMIT_NOFILE";
    case Bound::file_max: return "fs.file-max";
  }
  return "unknown";
}

Verdict check(const Limits& l, std::uint64_t n) {
  const std::uint64_t need = n + l.headroom();  // descriptors one child holds
  const std::string ns = std::to_string(n);
  const std::string needs = std::to_string(need);
  if (l.nr_open && need > *l.nr_open) {
    return {Bound::nr_open,
            "N=" + ns + " needs " + needs + " descriptors in one process, above "
            "/proc/sys/fs/nr_open = " + std::to_string(*l.nr_open) +
            ", which no RLIMIT_NOFILE may exceed; choose N <= " +
            std::to_string(*l.nr_open > l.headroom() ? *l.nr_open - l.headroom() : 0)};
  }
  if (l.free_inodes && n > *l.free_inodes) {
    return {Bound::disk_inodes,
            "N=" + ns + " files do not fit in " + l.dir + ": " +
            std::to_string(*l.free_inodes) + " free inodes; choose another FD_DIR or a smaller N"};
  }
  if (l.free_bytes && n * l.block_bytes > *l.free_bytes) {
    return {Bound::disk_space,
            "N=" + ns + " files of one " + std::to_string(l.block_bytes) +
            "-byte block do not fit in " + l.dir + ": " + std::to_string(*l.free_bytes) +
            " bytes free; choose another FD_DIR or a smaller N"};
  }
  if (need > l.nofile_hard) {
    const bool can = l.cap_sys_resource.value_or(false);
    return {Bound::rlimit_hard,
            "RLIMIT_NOFILE hard limit " + std::to_string(l.nofile_hard) + " < " + needs +
            " descriptors (N=" + ns + " + " + std::to_string(l.headroom()) +
            " of the harness); it takes `ulimit -Hn " + needs + "` in the shell that starts "
            "the run, which needs CAP_SYS_RESOURCE (" +
            (can ? "this process has it" : "this process lacks it, even as root") + ")" +
            (l.nr_open ? "; /proc/sys/fs/nr_open = " + std::to_string(*l.nr_open) +
                             " allows up to that"
                       : std::string())};
  }
  if (l.file_max && !l.cap_sys_admin.value_or(false) &&
      n + l.files_in_use.value_or(0) > *l.file_max) {
    return {Bound::file_max,
            "/proc/sys/fs/file-max = " + std::to_string(*l.file_max) + " with " +
            std::to_string(l.files_in_use.value_or(0)) + " files open system-wide leaves "
            "no room for N=" + ns + "; it takes a larger fs.file-max (a system setting "
            "this suite never changes) or CAP_SYS_ADMIN, which is exempt from it"};
  }
  return {};
}

std::uint64_t largest_n(const Limits& l) {
  std::uint64_t n = l.nofile_hard > l.headroom() ? l.nofile_hard - l.headroom() : 0;
  if (l.nr_open) n = std::min(n, *l.nr_open > l.headroom() ? *l.nr_open - l.headroom() : 0);
  if (l.free_inodes) n = std::min(n, *l.free_inodes);
  if (l.free_bytes) n = std::min(n, *l.free_bytes / l.block_bytes);
  if (l.file_max && !l.cap_sys_admin.value_or(false)) {
    const std::uint64_t used = l.files_in_use.value_or(0);
    n = std::min(n, *l.file_max > used ? *l.file_max - used : 0);
  }
  return n;
}

}  // namespace fd
