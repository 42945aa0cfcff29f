// parse_bench: Debian's libphonenumber (C++) on a corpus in the golden corpus's format
// (docs/golden-corpus.md), measured as screenpop-compare's `parse` mode measures ScreenPop.
//
//   g++ -O2 -std=c++17 parse_bench.cc -o parse_bench -lphonenumber -lprotobuf
//   parse_bench <corpus.tsv> <results.txt> [repeats]
//
// Writes one line per input (the E.164 form, or ERROR) and prints one JSON line of timings: the
// median over inputs of each input's mean over `repeats` parses, the mean of a whole pass, the
// start-up (PhoneNumberUtil::GetInstance() and the first parse) and the peak resident set.
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static unsigned long long now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

// Peak resident set in KiB: VmHWM, which starts anew at exec (ru_maxrss keeps the parent's peak).
static long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

struct Input {
  std::string region;
  std::string text;
};

static std::string unescape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'x':
        if (i + 2 < s.size() + 1) {
          out += (char)std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16);
          i += 2;
        }
        break;
      default: out += '\\'; out += c;
    }
  }
  return out;
}

static volatile size_t sink;

static bool parse_to_e164(const PhoneNumberUtil* util, const Input& in, std::string* e164) {
  PhoneNumber number;
  if (util->Parse(in.text, in.region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  util->Format(number, PhoneNumberUtil::E164, e164);
  return true;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: parse_bench <corpus.tsv> <results.txt> [repeats]\n");
    return 2;
  }
  int repeats = argc > 3 ? std::atoi(argv[3]) : 5;
  std::ifstream file(argv[1]);
  if (!file) {
    std::fprintf(stderr, "parse_bench: cannot open %s\n", argv[1]);
    return 2;
  }
  std::vector<Input> inputs;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t a = line.find('\t');
    size_t b = line.find('\t', a + 1);
    if (a == std::string::npos) continue;
    inputs.push_back({line.substr(0, a), unescape(line.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1))});
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "parse_bench: no inputs\n");
    return 2;
  }

  unsigned long long t0 = now_ns();
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::string e164;
  sink = parse_to_e164(util, inputs[0], &e164);
  unsigned long long startup = now_ns() - t0;

  FILE* out = std::fopen(argv[2], "w");
  if (!out) {
    std::fprintf(stderr, "parse_bench: cannot write %s\n", argv[2]);
    return 2;
  }
  for (const Input& in : inputs) {
    e164.clear();
    if (parse_to_e164(util, in, &e164)) {
      std::fputs(e164.c_str(), out);
      std::fputc('\n', out);
    } else {
      std::fputs("ERROR\n", out);
    }
  }
  std::fclose(out);

  unsigned long long p0 = now_ns();
  for (const Input& in : inputs) {
    e164.clear();
    sink = parse_to_e164(util, in, &e164);
  }
  unsigned long long pass = now_ns() - p0;

  std::vector<unsigned long long> per;
  per.reserve(inputs.size());
  for (const Input& in : inputs) {
    unsigned long long s = now_ns();
    for (int r = 0; r < repeats; ++r) {
      e164.clear();
      sink = parse_to_e164(util, in, &e164);
    }
    per.push_back((now_ns() - s) / repeats);
  }
  std::sort(per.begin(), per.end());
  size_t n = per.size();
  std::printf(
      "{\"peer\": \"libphonenumber-cpp\", \"count\": %zu, \"repeats\": %d, \"median_ns\": %llu, \"p99_ns\": %llu, "
      "\"mean_ns\": %.3f, \"total_ms\": %.3f, \"startup_ms\": %.3f, \"peak_rss_kib\": %ld}\n",
      n, repeats, per[n / 2], per[std::min(n - 1, (size_t)((n - 1) * 0.99 + 0.5))], (double)pass / n, pass / 1e6,
      startup / 1e6, peak_rss_kib());
  return 0;
}
